import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { demoIds, readCounter, signUserToken } from '@supergraph/service-kit';
import { repoPath } from '../../scripts/paths.ts';
import { sql } from '../support/db.ts';
import { graphql, stack } from '../support/graphql.ts';
import { stackSubgraphUrls, startCachingReplica } from '../support/gateways.ts';
import { operation } from '../support/operations.ts';
import { adminToken, newUser } from '../support/users.ts';

/**
 * Two gateway replicas with the response cache on, sharing the stack's Redis under the prefix
 * the stack's subgraphs purge under. Without Redis there is no response cache (by design).
 */
const replica = () => startCachingReplica();

async function get(url: string, query: string, variables: Record<string, unknown>, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, cacheControl: response.headers.get('cache-control'), age: response.headers.get('age'), body: (await response.json()) as { data?: any; errors?: any[] } };
}

const RATING = `query ($id: ID!) { product(id: $id) { id name averageRating reviewCount } }`;

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/**
 * A subgraph behind a proxy that, while held, fetches each answer and then keeps it back: a
 * gateway request caught between reading a subgraph and answering (and storing).
 */
async function holdingProxy(target: string) {
  let gate: Promise<void> | null = null;
  let open = () => {};
  let fetched = () => {};
  let answerFetched = new Promise<void>((resolve) => (fetched = resolve));
  const forwarded = (headers: IncomingHttpHeaders) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)) as Array<[string, string]>);
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = await fetch(target, { method: req.method, headers: forwarded(req.headers), body: Buffer.concat(chunks) });
    const body = Buffer.from(await answer.arrayBuffer());
    fetched();
    if (gate) await gate;
    const headers = Object.fromEntries([...answer.headers].filter(([name]) => !['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(name)));
    res.writeHead(answer.status, headers).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    hold() {
      gate = new Promise((resolve) => (open = resolve));
      answerFetched = new Promise((resolve) => (fetched = resolve));
      return answerFetched;
    },
    release() {
      gate = null;
      open();
    },
  };
}

describe.runIf(!!process.env.REDIS_URL)('response cache across replicas', () => {
  it('serves a cached public response from any replica, with cache-control and age', async () => {
    const [a, b] = [await replica(), await replica()];
    const id = demoIds.product(40);
    const first = await get(a.url, RATING, { id });
    expect(first.cacheControl).toMatch(/^public, max-age=\d+$/);
    expect(first.age).toBeNull();
    const again = await get(b.url, RATING, { id });
    expect(again.body).toEqual(first.body);
    expect(again.age).not.toBeNull();
    expect(readCounter(await b.metrics(), 'response_cache_hits_total')).toBe(1);
    const metricsA = await a.metrics();
    expect(readCounter(metricsA, 'response_cache_stores_total')).toBe(1);
    expect(readCounter(metricsA, 'response_cache_misses_total')).toBe(1);
    expect(metricsA).toMatch(/^redis_evicted_keys(\{[^}]*\})? \d+$/m);
  });

  it('purges on every replica, before the mutation answers, when a review changes a product', async () => {
    const [a, b] = [await replica(), await replica()];
    const id = demoIds.product(41);
    const before = (await get(a.url, RATING, { id })).body.data.product;
    expect((await get(b.url, RATING, { id })).age).not.toBeNull(); // cached for both
    const user = await newUser('cache');
    const added = await graphql(b.url, operation('AddReview'), { input: { productId: id, rating: 1, body: 'Purge me' } }, { authorization: `Bearer ${user.token}` });
    expect(added.errors).toBeUndefined();
    const after = await get(a.url, RATING, { id });
    expect(after.age).toBeNull(); // not from the cache
    expect(after.body.data.product.reviewCount).toBe(before.reviewCount + 1);
  });

  it('purges pages holding a product whose stock an order changed', async () => {
    const replicaA = await replica();
    const id = demoIds.product(42);
    await sql('inventory', 'UPDATE stock_levels SET available = 10 WHERE product_id = $1', [id]);
    const stock = `query ($id: ID!) { product(id: $id) { id stock } }`;
    expect((await get(replicaA.url, stock, { id })).body.data.product.stock).toBe(10);
    expect((await get(replicaA.url, stock, { id })).age).not.toBeNull();
    const user = await newUser('cache-order');
    const order = await graphql(replicaA.url, operation('PlaceOrder'), { input: { idempotencyKey: 'cache-1', items: [{ productId: id, quantity: 3 }], paymentToken: 'tok_visa' } }, { authorization: `Bearer ${user.token}` });
    expect(order.data!.placeOrder.status).toBe('CONFIRMED');
    expect((await get(replicaA.url, stock, { id })).body.data.product.stock).toBe(7);
  });

  it('keeps private responses per user, and never caches errors or mutations', async () => {
    const gateway = await replica();
    const emails = `query ($id: ID!) { product(id: $id) { reviews(first: 1) { author { id email } } } }`;
    const admin = await adminToken();
    const asAdmin = await get(gateway.url, emails, { id: demoIds.product(43) }, admin);
    expect(asAdmin.cacheControl).toMatch(/private/);
    expect((await get(gateway.url, emails, { id: demoIds.product(43) }, admin)).age).not.toBeNull();
    const stranger = await newUser('cache-private');
    const asStranger = await get(gateway.url, emails, { id: demoIds.product(43) }, stranger.token);
    expect(asStranger.age).toBeNull();
    expect(asStranger.body.data.product.reviews[0].author.email).toBeNull(); // not the admin's copy
    expect((await get(gateway.url, emails, { id: demoIds.product(43) }, stranger.token)).age).toBeNull(); // had errors: not cached
    const stores = readCounter(await gateway.metrics(), 'response_cache_stores_total');
    await graphql(gateway.url, operation('SignUp'), { input: { email: `c${Date.now()}@example.com`, password: 'long-enough-pass', name: 'C' } });
    expect(readCounter(await gateway.metrics(), 'response_cache_stores_total')).toBe(stores);
  });

  it('does not store what a request read before a purge that came while it ran', async () => {
    const reviews = await holdingProxy(stack().subgraphs.reviews.url);
    const slow = await startCachingReplica({ subgraphUrls: { ...stackSubgraphUrls(), reviews: reviews.url } });
    const other = await replica();
    const id = demoIds.product(45);
    const reviewsRead = reviews.hold();
    const pending = get(slow.url, RATING, { id });
    await reviewsRead; // the reviews subgraph has answered; the gateway has not stored yet
    const user = await newUser('cache-race');
    const added = await graphql(other.url, operation('AddReview'), { input: { productId: id, rating: 5, body: 'Written mid-request' } }, { authorization: `Bearer ${user.token}` });
    expect(added.errors).toBeUndefined(); // the reviews subgraph purged the product before answering
    reviews.release();
    const stale = await pending;
    expect(stale.body.data.product.reviewCount).toBeGreaterThan(0);
    const metrics = await slow.metrics();
    expect(readCounter(metrics, 'response_cache_stale_stores_refused_total')).toBe(1);
    expect(readCounter(metrics, 'response_cache_stores_total')).toBe(0);
    for (const gateway of [slow, other]) {
      const fresh = await get(gateway.url, RATING, { id });
      expect(fresh.body.data.product.reviewCount).toBe(stale.body.data.product.reviewCount + 1);
    }
  });

  it('keeps a private answer to one role from the same user under another role', async () => {
    const gateway = await replica();
    const emails = `query ($id: ID!) { product(id: $id) { reviews(first: 1) { author { id email } } } }`;
    const user = await newUser('cache-role');
    // The same user id as ADMIN (a token from before a demotion, say) reads other users' e-mails.
    const asAdminToken = await signUserToken({ id: user.id, role: 'ADMIN' }, stack().secrets.userToken);
    const asAdmin = await get(gateway.url, emails, { id: demoIds.product(46) }, asAdminToken);
    expect(asAdmin.body.data.product.reviews[0].author.email).toMatch(/@/);
    expect((await get(gateway.url, emails, { id: demoIds.product(46) }, asAdminToken)).age).not.toBeNull();
    const asUser = await get(gateway.url, emails, { id: demoIds.product(46) }, user.token);
    expect(asUser.age).toBeNull();
    expect(asUser.body.data.product.reviews[0].author.email).toBeNull();
  });

  it('does not answer from entries of another supergraph (a deploy that changed the schema)', async () => {
    const id = demoIds.product(47);
    const before = await replica();
    await get(before.url, RATING, { id });
    expect((await get(before.url, RATING, { id })).age).not.toBeNull();
    const sdl = await readFile(repoPath('supergraph.graphql'), 'utf8');
    expect(sdl).toContain('\ntype Product');
    const deployed = await startCachingReplica({ supergraphSdl: sdl.replace('\ntype Product', '\n"A product of the catalog, as of the next deploy."\ntype Product') });
    expect((await get(deployed.url, RATING, { id })).age).toBeNull();
    expect((await get(deployed.url, RATING, { id })).age).not.toBeNull();
  });

  it('answers a hit at the edge with the stored body, negotiated type and metrics; an APQ hash alone still hits', async () => {
    const gateway = await replica();
    const id = demoIds.product(44);
    const named = `query ProductPage($id: ID!) { product(id: $id) { id name averageRating } }`;
    const first = await get(gateway.url, named, { id });
    const hit = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: named, variables: { id } }),
    });
    expect(hit.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
    expect(hit.headers.get('age')).not.toBeNull();
    expect(hit.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(await hit.json()).toEqual(first.body);
    // Both counted (this replica serves no operation lists, so the name's label is "other").
    expect(await gateway.metrics()).toMatch(/^graphql_requests_total\{operation="other",outcome="ok"[^}]*\} 2$/m);
    const sha256Hash = createHash('sha256').update(named).digest('hex');
    // Automatic persisted queries go through Apollo: the document registers its hash, and the hash
    // alone then finds the cached answer.
    const apq = (withDocument: boolean) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...(withDocument ? { query: named } : {}), variables: { id }, extensions: { persistedQuery: { version: 1, sha256Hash } } }),
      });
    const unknown = (await (await apq(false)).json()) as { errors?: Array<{ extensions?: { code?: string } }> };
    expect(unknown.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await apq(true)).status).toBe(200);
    const byHash = await apq(false);
    expect(byHash.headers.get('age')).not.toBeNull();
    expect(await byHash.json()).toEqual(first.body);
  });
});
