import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackSubgraphUrls } from '../support/gateways.ts';
import { refusal, repoSubgraphs, startRegistry, type TestRegistry } from '../support/registry.ts';

/**
 * Publishing makes the registry ask the routing URL for the schema it serves (ADR 0013): an
 * outbound request a publisher points. It must carry no credential, go nowhere but the routing
 * URL (no redirects around REGISTRY_ROUTING_URL_HOSTS), read a bounded answer, and echo none of it.
 */
const LOYALTY_SDL = 'type Query { points: Int }';
let registry: TestRegistry;
const servers: Server[] = [];

async function serve(handler: (headers: IncomingHttpHeaders, res: import('node:http').ServerResponse) => void) {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    handler(req.headers, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, seen };
}

beforeAll(async () => {
  registry = await startRegistry();
  await registry.client.publish(await repoSubgraphs(stackSubgraphUrls()), { author: 'security' });
});
afterAll(() => {
  for (const server of servers) server.close();
});

describe("the registry's question to a routing URL", () => {
  it('carries no credential: neither the publisher’s token nor an identity token', async () => {
    const loyalty = await serve((_headers, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { _service: { sdl: LOYALTY_SDL } } })));
    expect(await registry.client.publish([{ name: 'loyalty', sdl: LOYALTY_SDL, url: loyalty.url }], { author: 'security' })).toMatchObject({ servedSchemaCheck: { status: 'verified' } });
    expect(loyalty.seen).toHaveLength(1);
    expect(Object.keys(loyalty.seen[0]!).filter((name) => name === 'authorization' || name === 'cookie' || name.startsWith('x-'))).toEqual([]);
  });

  it('follows no redirect: the place it points to gets nothing, and the publish is refused', async () => {
    const elsewhere = await serve((_headers, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { _service: { sdl: LOYALTY_SDL } } })));
    const redirecting = await serve((_headers, res) => res.writeHead(307, { location: elsewhere.url }).end());
    const error = await refusal(registry.client.publish([{ name: 'wishlists', sdl: 'type Query { wishlist: [String!] }', url: redirecting.url }], { author: 'mallory' }));
    expect(error.code).toBe('SUBGRAPH_UNREACHABLE');
    expect(redirecting.seen).toHaveLength(1);
    expect(elsewhere.seen).toHaveLength(0);
  });

  it('reads a bounded answer and echoes none of it', async () => {
    const secret = 'internal-secret-'.repeat(8);
    const flooding = await serve((_headers, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = secret.repeat(8_000); // about 1 MB a chunk, 8 MB in all
      for (let i = 0; i < 8; i++) res.write(chunk);
      res.end();
    });
    const error = await refusal(registry.client.publish([{ name: 'wishlists', sdl: 'type Query { wishlist: [String!] }', url: flooding.url }], { author: 'mallory' }));
    expect(error.code).toBe('SUBGRAPH_UNREACHABLE');
    expect(error.message).toContain('over 4000000 bytes');
    const talkative = await serve((_headers, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end(secret));
    const refused = await refusal(registry.client.publish([{ name: 'wishlists', sdl: 'type Query { wishlist: [String!] }', url: talkative.url }], { author: 'mallory' }));
    expect(refused.message).toContain('HTTP 500, not a GraphQL answer');
    expect(JSON.stringify({ message: refused.message, details: refused.details })).not.toContain('internal-secret');
  });
});
