import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { stackSubgraphUrls } from '../support/gateways.ts';
import { stack } from '../support/graphql.ts';
import { freePort } from '../support/processes.ts';
import { edit, refusal, repoSubgraph, repoSubgraphs, startRegistry, type TestRegistry } from '../support/registry.ts';

/**
 * Publishing checks the schema a subgraph really serves at its routing URL (ADR 0013). Publishing
 * `Product.brand` before the products subgraph served it made `product` null for every client:
 * the gateways planned `brand` into their products fetches and the subgraph refused them whole.
 * The subgraphs here are real: the test stack's, and a products subgraph of this test's own that
 * serves `brand` (the deploy).
 */
let registry: TestRegistry;
const author = 'deploy-check.test';
const withBrand = async () => edit(await repoSubgraph('products'), /\n  "Shipping weight in grams."/, '\n  "The maker\'s brand."\n  brand: String\n  "Shipping weight in grams."');
const products = () => stackSubgraphUrls().products!;

const ownServers: ApolloServer[] = [];
afterAll(async () => {
  for (const server of ownServers) await server.stop();
});

/** A products subgraph of this test's own serving `sdl`: the new version, deployed. */
async function deploySubgraph(sdl: string): Promise<string> {
  const server = new ApolloServer({ schema: buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: { Product: { brand: () => 'Acme' } } }]), stopOnTerminationSignals: false });
  ownServers.push(server);
  const { url } = await startStandaloneServer(server, { listen: { port: await freePort(), host: '127.0.0.1' } });
  return url;
}

beforeAll(async () => {
  registry = await startRegistry();
});

describe('publishing checks what the subgraph serves', () => {
  it('verifies subgraphs that serve what is published, and says so', async () => {
    const outcome = await registry.client.publish(await repoSubgraphs(stackSubgraphUrls()), { author });
    expect(outcome).toMatchObject({
      status: 'published',
      supergraphVersion: 1,
      servedSchemaCheck: { status: 'verified', subgraphs: ['products', 'users', 'orders', 'inventory', 'reviews'] },
    });
  });

  it('refuses a publish ahead of its deploy with SCHEMA_NOT_DEPLOYED, naming what is not served and what to do; nothing changes', async () => {
    const error = await refusal(registry.client.publish([{ name: 'products', sdl: await withBrand() }], { author }));
    expect([error.status, error.code]).toEqual([409, 'SCHEMA_NOT_DEPLOYED']);
    expect(error.message).toContain(`products at ${products()} does not serve Product.brand`);
    expect(error.message).toMatch(/Deploy the subgraph first, then publish; .*deployFollows \(CLI: --deploy-follows\)\. Nothing was changed/);
    expect(error.details.servedSchemaProblems).toEqual([{ subgraph: 'products', routingUrl: products(), missing: [expect.objectContaining({ path: 'Product.brand' })] }]);
    expect((await registry.client.subgraphs()).supergraphVersion).toBe(1);
    expect((await registry.client.subgraphHistory('products')).versions).toHaveLength(1);
  });

  it('accepts the same publish with deployFollows, and the result says the check was skipped', async () => {
    const outcome = await registry.client.publish([{ name: 'products', sdl: await withBrand() }], { author, deployFollows: true });
    expect(outcome).toMatchObject({ status: 'published', supergraphVersion: 2, servedSchemaCheck: { status: 'skipped', subgraphs: ['products'] } });
    // Back to what the stack serves (verified: it serves all of it).
    const back = await registry.client.publish([{ name: 'products', sdl: await repoSubgraph('products') }], { author });
    expect(back).toMatchObject({ supergraphVersion: 3, servedSchemaCheck: { status: 'verified' } });
  });

  it('accepts a removal the subgraph still serves: publish first, then deploy, is the safe order for removals', async () => {
    const users = edit(await repoSubgraph('users'), /\n  "When the account was created, ISO 8601."\n  createdAt: String!/, '');
    expect(await registry.client.publish([{ name: 'users', sdl: users }], { author })).toMatchObject({ servedSchemaCheck: { status: 'verified', subgraphs: ['users'] } });
    await registry.client.publish([{ name: 'users', sdl: await repoSubgraph('users') }], { author });
  });

  it('accepts the publish once the new version is deployed at the routing URL', async () => {
    const deployed = await deploySubgraph(await withBrand());
    // Moving products to the new deployment is a routing-URL change: an admin's (ADR 0011).
    const outcome = await registry.admin.publish([{ name: 'products', sdl: await withBrand(), url: deployed }], { author });
    expect(outcome).toMatchObject({ status: 'published', servedSchemaCheck: { status: 'verified', subgraphs: ['products'] } });
    expect(outcome.status === 'published' && outcome.report.changes.map((c) => c.path)).toContain('Product.brand');
    await registry.admin.publish([{ name: 'products', sdl: await repoSubgraph('products'), url: products() }], { author });
  });

  it('refuses a subgraph that cannot be asked (SUBGRAPH_UNREACHABLE) unless the deploy follows', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/graphql`;
    const wishlists = { name: 'wishlists', sdl: 'type Query { wishlist: [String!] }', url: closed };
    const error = await refusal(registry.client.publish([wishlists], { author }));
    expect([error.status, error.code]).toEqual([409, 'SUBGRAPH_UNREACHABLE']);
    expect(error.message).toMatch(/^wishlists at http:\/\/127\.0\.0\.1:\d+\/graphql could not be asked for its schema: unreachable \(ECONNREFUSED\)\. Deploy the subgraph first/);
    // Something that answers GraphQL, but not Federation's _service (a gateway): not a subgraph the registry can check.
    const notASubgraph = await refusal(registry.client.publish([{ ...wishlists, url: stack().gatewayUrl }], { author }));
    expect(notASubgraph.message).toContain("no answer to Federation's { _service { sdl } }");
    expect((await registry.client.subgraphs()).subgraphs.map((s) => s.name)).not.toContain('wishlists');
    expect(await registry.client.publish([wishlists], { author, deployFollows: true })).toMatchObject({ status: 'published', servedSchemaCheck: { status: 'skipped' } });
  });
});
