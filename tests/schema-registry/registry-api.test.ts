import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { composeSupergraph } from '@supergraph/composition';
import { RegistryRequestError, type RegistryClient } from '../../schema-registry/src/client.ts';
import { repoPath } from '../../scripts/paths.ts';
import { edit, REGISTRY_TEST_TOKENS, repoSubgraph, repoSubgraphs, startRegistry, refusal, type TestRegistry, withoutField } from '../support/registry.ts';
import { persistedList } from '@supergraph/sdk/persisted-lists';

// Routing URLs only: these tests never send a query to a subgraph, so they publish as if the
// deploy followed (the served-schema check has its own tests: deploy-check.test.ts).
const URLS = Object.fromEntries(['products', 'users', 'orders', 'inventory', 'reviews'].map((n, i) => [n, `http://127.0.0.1:${4001 + i}/graphql`]));
const manifest = async (client: string) => persistedList(client).operations;


let registry: TestRegistry;
let client: RegistryClient;
const author = 'registry-api.test';
const deployFollows = true;

beforeAll(async () => {
  registry = await startRegistry();
  client = registry.client;
});

describe('publishing and serving the supergraph', () => {
  it('composes the published subgraphs into version 1 and serves it with an ETag', async () => {
    const outcome = await client.publish(await repoSubgraphs(URLS), { author, deployFollows });
    expect(outcome).toMatchObject({ status: 'published', supergraphVersion: 1, subgraphVersions: { products: 1, users: 1, orders: 1, inventory: 1, reviews: 1 } });

    const expected = composeSupergraph((await repoSubgraphs(URLS)).map((s) => ({ ...s, url: s.url! })));
    const response = await fetch(`${registry.url}/v1/supergraph`, { headers: { authorization: `Bearer ${REGISTRY_TEST_TOKENS.gateway}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-supergraph-version')).toBe('1');
    expect(await response.text()).toBe(expected.ok && expected.supergraphSdl);
    const etag = response.headers.get('etag')!;

    const again = await fetch(`${registry.url}/v1/supergraph`, { headers: { authorization: `Bearer ${REGISTRY_TEST_TOKENS.gateway}`, 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('publishing the same schemas again changes nothing', async () => {
    expect(await client.publish(await repoSubgraphs(URLS), { author, deployFollows })).toEqual({ status: 'unchanged', supergraphVersion: 1 });
    expect((await client.subgraphHistory('products')).versions).toHaveLength(1);
  });

  it('refuses a change that fails composition with the composition error, and changes nothing', async () => {
    const broken = edit(await repoSubgraph('products'), 'type Query {', 'type Query {\n  featured: FeaturedShelf');
    const error = await refusal(client.publish([{ name: 'products', sdl: broken }], { author, deployFollows }));
    expect(error.status).toBe(422);
    expect(error.code).toBe('COMPOSITION_FAILED');
    expect(JSON.stringify(error.details.report)).toContain('Unknown type FeaturedShelf');
    expect((await client.subgraphs()).supergraphVersion).toBe(1);
    expect((await client.subgraphHistory('products')).versions).toHaveLength(1);
  });

  it('refuses a new subgraph without a routing URL, and a malformed request, with BAD_REQUEST', async () => {
    const error = await refusal(client.publish([{ name: 'wishlists', sdl: 'type Query { wishlist: String }' }], { author, deployFollows }));
    expect([error.status, error.code]).toEqual([400, 'BAD_REQUEST']);
    const malformed = await fetch(`${registry.url}/v1/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${REGISTRY_TEST_TOKENS.publisher}`, 'content-type': 'application/json' },
      body: '{"subgraphs": [',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    const badName = await refusal(client.publish([{ name: '../products', sdl: 'type Query { a: Int }', url: URLS.products }], { author, deployFollows }));
    expect(badName.code).toBe('BAD_REQUEST');
    // One subgraph given twice: which version is meant is anyone's guess, for a check as for a publish.
    const twice = [{ name: 'wishlists', sdl: 'type Query { wishlist: String }', url: URLS.products }, { name: 'wishlists', sdl: 'type Query { wishlists: [String] }', url: URLS.products }];
    for (const refused of [await refusal(client.check(twice)), await refusal(client.publish(twice, { author, deployFollows }))]) {
      expect([refused.status, refused.code]).toEqual([400, 'BAD_REQUEST']);
      expect(JSON.stringify(refused.details)).toContain('each subgraph may be given once');
    }
  });
});

describe('persisted operation lists', () => {
  it('registers each client’s list as a version and serves all of them to gateways', async () => {
    expect(await client.registerOperations('storefront', await manifest('storefront'), author)).toEqual({ status: 'registered', version: 1 });
    expect(await client.registerOperations('partner-catalog', await manifest('partner-catalog'), author)).toEqual({ status: 'registered', version: 1 });
    expect(await client.registerOperations('partner-catalog', await manifest('partner-catalog'), author)).toEqual({ status: 'unchanged', version: 1 });

    const response = await fetch(`${registry.url}/v1/operations`, { headers: { authorization: `Bearer ${REGISTRY_TEST_TOKENS.gateway}` } });
    const body = (await response.json()) as { lists: Record<string, { version: number; manifest: { operations: Array<{ name: string }> } }> };
    expect(Object.keys(body.lists).sort()).toEqual(['partner-catalog', 'storefront']);
    expect(body.lists['partner-catalog']!.manifest.operations.map((o) => o.name).sort()).toEqual(['Catalog', 'Categories', 'ProductPage']);
    const etag = response.headers.get('etag')!;
    const again = await fetch(`${registry.url}/v1/operations`, { headers: { authorization: `Bearer ${REGISTRY_TEST_TOKENS.gateway}`, 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('refuses an operation that does not validate against the current supergraph, naming it, and keeps the list', async () => {
    const body = 'query Wishlist {\n  wishlist {\n    id\n  }\n}';
    const operations = [...(await manifest('partner-catalog')), { id: createHash('sha256').update(body).digest('hex'), name: 'Wishlist', type: 'query' as const, body }];
    const error = await refusal(client.registerOperations('partner-catalog', operations, author));
    expect([error.status, error.code]).toEqual([422, 'OPERATIONS_INVALID']);
    expect(error.details.invalid).toEqual([{ operation: 'Wishlist', errors: ['Cannot query field "wishlist" on type "Query".'] }]);

    const forged = (await manifest('partner-catalog')).map((o, i) => (i === 0 ? { ...o, id: 'f'.repeat(64) } : o));
    expect((await refusal(client.registerOperations('partner-catalog', forged, author))).code).toBe('OPERATIONS_INVALID');
    // A query declared a subscription (or a mutation declared a query): the gateway's rules go by the type.
    const mistyped = (await manifest('partner-catalog')).map((o, i) => (i === 0 ? { ...o, type: 'subscription' as const } : o));
    const typeError = await refusal(client.registerOperations('partner-catalog', mistyped, author));
    expect(typeError.code).toBe('OPERATIONS_INVALID');
    expect(typeError.details.invalid).toEqual([{ operation: mistyped[0]!.name, errors: ['type is subscription, but the body is a query'] }]);
    const versions = await client.request<{ versions: unknown[] }>('GET', '/v1/operations/partner-catalog/versions');
    expect(versions.versions).toHaveLength(1);
  });

  it('refuses a list that drops operations of the current one unless forced, naming them', async () => {
    const current = await manifest('partner-catalog');
    const dropped = current[0]!;
    for (const operations of [current.slice(1), []]) {
      const error = await refusal(client.registerOperations('partner-catalog', operations, author));
      expect([error.status, error.code]).toEqual([409, 'OPERATIONS_REMOVED']);
      expect(error.details.removed).toEqual(expect.arrayContaining([dropped.name]));
    }
    const listed = async () => (await client.request<{ versions: unknown[] }>('GET', '/v1/operations/partner-catalog/versions')).versions.length;
    expect(await listed()).toBe(1); // nothing changed
    expect(await client.registerOperations('partner-catalog', current.slice(1), author, { force: true })).toEqual({ status: 'registered', version: 2 });
    // Adding is never refused.
    expect(await client.registerOperations('partner-catalog', current, author)).toEqual({ status: 'registered', version: 3 });
  });
});

describe('checks', () => {
  it('reports removing a field that registered operations use as breaking, with each client and operation', async () => {
    const products = withoutField(await repoSubgraph('products'), 'Category', 'slug');
    const report = await client.check([{ name: 'products', sdl: products }]);
    expect(report.ok).toBe(false);
    expect(report.compositionErrors).toEqual([]);
    const removal = report.changes.find((c) => c.path === 'Category.slug')!;
    expect(removal).toMatchObject({ level: 'breaking', type: 'FIELD_REMOVED', safeBasedOnUsage: false });
    expect(removal.usedBy).toEqual(expect.arrayContaining([{ client: 'storefront', operation: 'ProductPage' }, { client: 'partner-catalog', operation: 'Categories' }]));
    const broken = report.brokenOperations.map((b) => `${b.client}/${b.operation}`);
    expect(broken).toEqual(expect.arrayContaining(['storefront/ProductPage', 'storefront/Categories', 'partner-catalog/ProductPage', 'partner-catalog/Categories']));
    expect(broken).not.toContain('storefront/Me'); // Me never touches a category
    expect(report.summary.operationsChecked).toBeGreaterThan(10);
    expect((await client.subgraphs()).supergraphVersion).toBe(1); // a check changes nothing
  });

  it('keeps the deprecated first-only lists that registered operations still use: the current schemas pass, removing them breaks named operations', async () => {
    expect((await client.check([{ name: 'reviews', sdl: await repoSubgraph('reviews') }, { name: 'orders', sdl: await repoSubgraph('orders') }])).brokenOperations).toEqual([]);
    const reviews = withoutField(await repoSubgraph('reviews'), 'Product', 'reviews');
    const orders = withoutField(await repoSubgraph('orders'), 'User', 'orders');
    const report = await client.check([{ name: 'reviews', sdl: reviews }, { name: 'orders', sdl: orders }]);
    expect(report.compositionErrors).toEqual([]);
    expect(report.ok).toBe(false);
    const broken = report.brokenOperations.map((b) => `${b.client}/${b.operation}`);
    expect(broken).toEqual(expect.arrayContaining(['storefront/ProductPage', 'storefront/Me', 'partner-catalog/ProductPage']));
  });

  it('reports removing a field no registered operation uses as safe to ship', async () => {
    const users = edit(await repoSubgraph('users'), /\n  "When the account was created, ISO 8601."\n  createdAt: String!/, '');
    const report = await client.check([{ name: 'users', sdl: users }]);
    expect(report.ok).toBe(true);
    expect(report.brokenOperations).toEqual([]);
    expect(report.changes).toEqual([expect.objectContaining({ path: 'User.createdAt', type: 'FIELD_REMOVED', level: 'safe', safeBasedOnUsage: true, usedBy: [] })]);
  });

  it('catches a type change that still validates: the operation selects the field, its clients’ types are wrong', async () => {
    const products = edit(await repoSubgraph('products'), /\n  sku: String!/, '\n  sku: Int!');
    const report = await client.check([{ name: 'products', sdl: products }]);
    expect(report.ok).toBe(false);
    expect(report.changes.find((c) => c.path === 'Product.sku')).toMatchObject({ level: 'breaking', type: 'FIELD_TYPE_CHANGED' });
    const reasons = ["Field 'Product.sku' changed type from 'String!' to 'Int!'"];
    expect(report.brokenOperations).toEqual([
      { client: 'partner-catalog', operation: 'ProductPage', reasons },
      { client: 'storefront', operation: 'ProductPage', reasons },
    ]);
  });

  it('classifies additions as safe and a dropped argument default as dangerous', async () => {
    const products = edit(await repoSubgraph('products'), 'type Query {', 'type Query {\n  "Newest products first."\n  newArrivals: [Product!]!');
    const added = await client.check([{ name: 'products', sdl: products }]);
    expect(added.ok).toBe(true);
    expect(added.changes.map((c) => [c.path, c.type, c.level])).toEqual(
      expect.arrayContaining([['Query.newArrivals', 'FIELD_ADDED', 'safe']]),
    );
    expect(added.changes.every((c) => c.level === 'safe')).toBe(true);

    const reviews = await repoSubgraph('reviews');
    const required = edit(reviews, /reviews\(first: Int! = 10\)/, 'reviews(first: Int!)');
    const report = await client.check([{ name: 'reviews', sdl: required }]);
    expect(report.ok).toBe(true); // every registered operation passes `first` itself
    expect(report.changes.map((c) => [c.path, c.type, c.level])).toEqual([['Product.reviews.first', 'FIELD_ARGUMENT_DEFAULT_CHANGED', 'dangerous']]);
  });
});

describe('publishing breaking changes, history, diff and rollback', () => {
  it('refuses a publish that breaks registered operations unless forced', async () => {
    const products = withoutField(await repoSubgraph('products'), 'Category', 'slug');
    const error = await refusal(client.publish([{ name: 'products', sdl: products }], { author, deployFollows }));
    expect([error.status, error.code]).toEqual([409, 'BREAKS_REGISTERED_OPERATIONS']);
    expect(error.message).toMatch(/ProductPage|Categories/);
    expect((await client.subgraphs()).supergraphVersion).toBe(1);
  });

  it('publishes a safe change, lists it in history, diffs it and rolls it back to the earlier supergraph', async () => {
    const users = edit(await repoSubgraph('users'), /\n  "When the account was created, ISO 8601."\n  createdAt: String!/, '');
    const published = await client.publish([{ name: 'users', sdl: users }], { author: 'alice', deployFollows });
    expect(published).toMatchObject({ status: 'published', supergraphVersion: 2, subgraphVersions: { users: 2 } });

    const history = await client.subgraphHistory('users');
    expect(history.versions.map((v) => [v.version, v.current, v.author])).toEqual([[2, true, 'alice'], [1, false, author]]);
    const diff = await client.diffSubgraph('users', 1, 2);
    expect(diff.changes.map((c) => [c.type, c.path])).toEqual([['FIELD_REMOVED', 'User.createdAt']]);
    const supergraphDiff = await client.diffSupergraph(1, 2);
    expect(supergraphDiff.changes).toEqual([expect.objectContaining({ path: 'User.createdAt', level: 'safe' })]);

    const rolledBack = await client.rollback('users', 1, { author: 'bob' });
    expect(rolledBack).toMatchObject({ status: 'published', supergraphVersion: 3, subgraphVersions: { users: 1 } });
    const [v1, v3] = await Promise.all([1, 3].map((v) => client.request<{ sdl: string }>('GET', `/v1/supergraph/versions/${v}`)));
    expect(v3!.sdl).toBe(v1!.sdl);
    const supergraphs = await client.supergraphHistory();
    expect(supergraphs.versions[0]).toMatchObject({ version: 3, action: 'ROLLBACK', subgraph: 'users', author: 'bob', subgraphs: { users: 1, products: 1 } });
    expect((await client.subgraphHistory('users')).versions.map((v) => [v.version, v.current])).toEqual([[2, false], [1, true]]);
    expect(await client.rollback('users', 1, { author: 'bob' })).toEqual({ status: 'unchanged', supergraphVersion: 3 });
    // A version past PostgreSQL's integer names nothing: a 400 that says so, not the database's 500.
    for (const path of ['/v1/supergraph/versions/2147483648', '/v1/subgraphs/users/versions/2147483648', '/v1/supergraph/diff?from=1&to=2147483648']) {
      expect((await refusal(client.request('GET', path))).status, path).toBe(400);
    }
    expect((await refusal(client.rollback('users', 2_147_483_648, { author: 'bob' }))).status).toBe(400);
  });

  it('checks a rollback like a publish: one that would break a newly registered operation is refused', async () => {
    const products = edit(await repoSubgraph('products'), 'type Query {', 'type Query {\n  newArrivals: [Product!]!');
    await client.publish([{ name: 'products', sdl: products }], { author, deployFollows });
    const body = 'query NewArrivals {\n  newArrivals {\n    id\n    name\n  }\n}';
    await client.registerOperations('mobile', [{ id: createHash('sha256').update(body).digest('hex'), name: 'NewArrivals', type: 'query', body }], author);

    const error = await refusal(client.rollback('products', 1, { author }));
    expect(error.code).toBe('BREAKS_REGISTERED_OPERATIONS');
    expect((error.details.report as { brokenOperations: unknown[] }).brokenOperations).toEqual([
      { client: 'mobile', operation: 'NewArrivals', reasons: expect.arrayContaining(['Cannot query field "newArrivals" on type "Query".']) },
    ]);
    expect((await client.rollback('products', 9, { author }).catch((e: RegistryRequestError) => e.code))).toBe('NOT_FOUND');
  });

  it('never loses one of two publishes sent at the same time', async () => {
    const before = (await client.subgraphs()).supergraphVersion!;
    const reviews = `${await repoSubgraph('reviews')}\ntype Query {\n  reviewsPing: Boolean\n}\n`;
    const inventory = `${await repoSubgraph('inventory')}\ntype Query {\n  inventoryPing: Boolean\n}\n`;
    const outcomes = await Promise.all([
      client.publish([{ name: 'reviews', sdl: reviews }], { author, deployFollows }),
      client.publish([{ name: 'inventory', sdl: inventory }], { author, deployFollows }),
    ]);
    expect(outcomes.map((o) => o.supergraphVersion).sort()).toEqual([before + 1, before + 2]);
    const current = await client.supergraph();
    expect(current.sdl).toContain('reviewsPing');
    expect(current.sdl).toContain('inventoryPing');
  });
});

describe('tokens', () => {
  it('refuses requests without a token, or with a token whose role may not do it', async () => {
    const anonymous = await fetch(`${registry.url}/v1/supergraph`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const gateway = registry.clientWith(REGISTRY_TEST_TOKENS.gateway);
    expect((await gateway.supergraph()).version).toBeGreaterThan(0);
    const error = await refusal(gateway.publish(await repoSubgraphs(URLS), { author, deployFollows }));
    expect([error.status, error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await refusal(client.createToken('ci', 'PUBLISHER'))).code).toBe('FORBIDDEN');
    expect((await refusal(registry.clientWith('not-a-token').subgraphs())).code).toBe('UNAUTHENTICATED');
  });

  it('lets an admin mint and revoke tokens, and stores only their digests', async () => {
    const admin = registry.clientWith(REGISTRY_TEST_TOKENS.admin);
    const created = await admin.createToken('edge-gateway', 'GATEWAY');
    expect(created.token).toMatch(/^sgr_/);
    expect((await registry.clientWith(created.token).supergraph()).sdl).toContain('join__Graph');

    const db = new pg.Client({ connectionString: registry.service.database.connectionString });
    await db.connect();
    try {
      const { rows } = await db.query<{ name: string; token_hash: string }>('SELECT name, token_hash FROM access_tokens');
      const stored = JSON.stringify(rows);
      for (const token of [created.token, ...Object.values(REGISTRY_TEST_TOKENS)]) expect(stored).not.toContain(token);
      expect(rows.find((r) => r.name === 'edge-gateway')!.token_hash).toBe(createHash('sha256').update(created.token).digest('hex'));
    } finally {
      await db.end();
    }

    await admin.revokeToken('edge-gateway');
    expect((await refusal(registry.clientWith(created.token).supergraph())).code).toBe('UNAUTHENTICATED');
  });
});
