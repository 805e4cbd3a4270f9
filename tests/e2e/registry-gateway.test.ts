import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoIds } from '@supergraph/service-kit';
import { repoPath } from '../../scripts/paths.ts';
import { startGatewayReplica, stackSubgraphUrls } from '../support/gateways.ts';
import { codes, graphql, stack } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';
import { edit, REGISTRY_TEST_TOKENS, repoSubgraph, repoSubgraphs, startRegistry, type TestRegistry } from '../support/registry.ts';
import { within } from '../support/wait.ts';
import { persistedList } from '@supergraph/sdk/persisted-lists';

/**
 * Gateways that run from the schema registry: hot reload under load, rollback, and the registry
 * going away. Each publish here changes `User.createdAt`, which no registered operation uses.
 */
const POLL_MS = 200;
const AUTHOR_CREATED_AT = 'query AuthorSince($id: ID!) { product(id: $id) { reviews(first: 1) { author { createdAt } } } }';
const productId = demoIds.product(3);
const withoutCreatedAt = async () => edit(await repoSubgraph('users'), /\n  "When the account was created, ISO 8601."\n  createdAt: String!/, '');
const manifest = async (client: string) => persistedList(client).operations;

let registry: TestRegistry;
/** The partner's key, created in the registry. */
let partnerKey: string;
let gateway: Awaited<ReturnType<typeof startGatewayReplica>>;

const startRegistryGateway = (subgraphUrls: Record<string, string> = {}) =>
  startGatewayReplica({
    registry: { url: registry.url, token: REGISTRY_TEST_TOKENS.gateway, pollIntervalMs: POLL_MS },
    // By default no overrides, no list files and no PARTNER_API_KEYS: routing URLs, operation lists
    // and partner keys must come from the registry.
    subgraphUrls,
    trustedDocuments: { lists: new Map(), partnerKeys: new Map() },
  });

async function supergraphInfo(metrics: string) {
  const line = metrics.split('\n').find((l) => l.startsWith('supergraph_version_info{'));
  return Object.fromEntries([...(line ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}


const createdAtServed = async () => {
  const response = await graphql(gateway.url, AUTHOR_CREATED_AT, { id: productId });
  if (response.errors === undefined) return true;
  expect(codes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  return false;
};

/** Sends ProductPage from `workers` loops until stopped; every answer must be complete. */
function steadyLoad(url: string, workers = 4) {
  let running = true;
  const failures: unknown[] = [];
  let completed = 0;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      const response = await graphql(url, operation('ProductPage'), { id: productId }).catch((error: Error) => ({ status: 0, errors: [{ message: error.message }], data: null }));
      if (response.status !== 200 || response.errors || !response.data?.product?.name) failures.push(response);
      completed++;
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { completed, failures };
    },
  };
}

beforeAll(async () => {
  registry = await startRegistry();
  await registry.client.publish(await repoSubgraphs(stackSubgraphUrls()), { author: 'e2e' });
  for (const client of ['storefront', 'partner-catalog']) await registry.client.registerOperations(client, await manifest(client), 'e2e');
  partnerKey = (await registry.admin.createPartnerKey('partner-catalog')).key;
  gateway = await startRegistryGateway();
});

describe('a gateway running from the schema registry', () => {
  it('serves the registry’s supergraph, routing URLs and persisted operation lists', async () => {
    expect(await supergraphInfo(await gateway.metrics())).toMatchObject({ source: 'registry', version: '1' });
    expect((await graphql(gateway.url, operation('ProductPage'), { id: productId })).data?.product?.id).toBe(productId);
    // The partner's list and key exist only in the registry: the gateway got them from there.
    const id = (await manifest('partner-catalog')).find((o) => o.name === 'Categories')!.id;
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': partnerKey },
      body: JSON.stringify({ documentId: id }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { categories: unknown[] } }).data.categories.length).toBeGreaterThan(0);
  });

  it('takes a new version of an operation list live: a partner may run the operation it adds', async () => {
    const body = 'query PartnerCategoryIds {\n  categories {\n    id\n  }\n}';
    const id = createHash('sha256').update(body).digest('hex');
    const runAsPartner = () =>
      fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': partnerKey }, body: JSON.stringify({ documentId: id }) });
    expect((await runAsPartner()).status).toBe(403);
    await registry.client.registerOperations('partner-catalog', [...(await manifest('partner-catalog')), { id, name: 'PartnerCategoryIds', type: 'query', body }], 'e2e');
    await within(5_000, async () => (await runAsPartner()).status === 200);
  });

  it('puts a published change live within a few seconds, without failing a request in flight', async () => {
    expect(await createdAtServed()).toBe(true);
    const load = steadyLoad(gateway.url);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(await registry.client.publish([{ name: 'users', sdl: await withoutCreatedAt() }], { author: 'e2e' })).toMatchObject({ supergraphVersion: 2 });
    const removedAfter = await within(5_000, async () => !(await createdAtServed()));
    await registry.client.publish([{ name: 'users', sdl: await repoSubgraph('users') }], { author: 'e2e' });
    const restoredAfter = await within(5_000, createdAtServed);
    await new Promise((resolve) => setTimeout(resolve, 300)); // and plans warmed for the new schema are in use

    const { completed, failures } = await load.stop();
    console.log(`registry publish live after ${removedAfter} ms and ${restoredAfter} ms (poll ${POLL_MS} ms); ${completed} requests meanwhile, ${failures.length} failed`);
    expect(failures).toEqual([]);
    expect(completed).toBeGreaterThan(20);
    expect(await supergraphInfo(await gateway.metrics())).toMatchObject({ source: 'registry', version: '3' });
  });

  it('serves the earlier supergraph again after a rollback', async () => {
    const v2 = await registry.client.request<{ sdl: string }>('GET', '/v1/supergraph/versions/2');
    const outcome = await registry.client.rollback('users', 2, { author: 'e2e' });
    expect(outcome).toMatchObject({ status: 'published', supergraphVersion: 4 });
    await within(5_000, async () => !(await createdAtServed()));
    const info = await supergraphInfo(await gateway.metrics());
    expect(info).toMatchObject({ source: 'registry', version: '4', hash: createHash('sha256').update(v2.sdl).digest('hex').slice(0, 12) });
  });

  it('keeps serving while the registry is stopped, and follows it again when it is back', async () => {
    await registry.stop();
    const load = steadyLoad(gateway.url, 2);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS * 5));
    const { completed, failures } = await load.stop();
    expect(failures).toEqual([]);
    expect(completed).toBeGreaterThan(5);
    const metrics = await gateway.metrics();
    expect(metrics).toMatch(/registry_polls_total\{document="supergraph",result="error"[^}]*\} [1-9]/);
    expect(await supergraphInfo(metrics)).toMatchObject({ version: '4' });

    await registry.restart();
    await registry.client.rollback('users', 1, { author: 'e2e' });
    await within(5_000, createdAtServed);
  });

  it('lets a request in flight when the supergraph changes finish on the one it started with', async () => {
    // Users behind a proxy that holds every answer for a while, so a request is surely in flight.
    const usersUrl = stack().subgraphs.users.url;
    const slow = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const upstream = await fetch(usersUrl, { method: 'POST', headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k === 'content-type' || k.startsWith('x-') || k === 'traceparent')) as Record<string, string>, body: Buffer.concat(chunks) });
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/graphql`;
    try {
      // deployFollows: asking the slow proxy for the served schema would hold each publish a second.
      const routed = await registry.admin.publish([{ name: 'users', sdl: await repoSubgraph('users'), url: slowUrl }], { author: 'e2e', deployFollows: true });
      await within(5_000, async () => (await supergraphInfo(await gateway.metrics())).version === String(routed.supergraphVersion));

      let finishedAt = Infinity;
      const inFlight = graphql(gateway.url, operation('ProductPage'), { id: productId }).finally(() => (finishedAt = Date.now()));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const next = await registry.client.publish([{ name: 'users', sdl: await withoutCreatedAt(), url: slowUrl }], { author: 'e2e', deployFollows: true });
      await within(5_000, async () => (await supergraphInfo(await gateway.metrics())).version === String(next.supergraphVersion));
      const swappedAt = Date.now();

      const response = await inFlight;
      expect(finishedAt).toBeGreaterThan(swappedAt); // it was still running when the new supergraph went live
      expect(response.errors).toBeUndefined();
      expect(response.data!.product.reviews[0].author.name).toEqual(expect.any(String));
    } finally {
      // Routing URL changes are an admin's (ADR 0011).
      await registry.admin.publish([{ name: 'users', sdl: await repoSubgraph('users'), url: usersUrl }], { author: 'e2e' });
      slow.close();
    }
  });

  it('starts on the supergraph file when the registry is unreachable, then switches to the registry', async () => {
    await registry.stop();
    // The committed supergraph routes to the development ports: this deployment's overrides say where the subgraphs are.
    const late = await startRegistryGateway(stackSubgraphUrls());
    expect(await supergraphInfo(await late.metrics())).toMatchObject({ source: 'file' });
    expect((await graphql(late.url, operation('ProductPage'), { id: productId })).errors).toBeUndefined();
    await registry.restart();
    await within(5_000, async () => (await supergraphInfo(await late.metrics())).source === 'registry');
  });
});

describe('a gateway fed a supergraph it cannot serve', () => {
  it('keeps the one it runs, counts the rejection and does not retry the same document', async () => {
    // A registry stand-in: the committed supergraph first, then one that is not a supergraph.
    const good = await readFile(repoPath('supergraph.graphql'), 'utf8');
    let current = { sdl: good, etag: '"good"', version: '1' };
    let fetches = 0;
    const fake = createServer((req, res) => {
      if (req.url === '/v1/operations') return res.writeHead(200, { 'content-type': 'application/json', etag: '"lists"' }).end('{"lists":{}}');
      fetches++;
      if (req.headers['if-none-match'] === current.etag) return res.writeHead(304).end();
      res.writeHead(200, { etag: current.etag, 'x-supergraph-version': current.version }).end(current.sdl);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    try {
      const replica = await startGatewayReplica({
        registry: { url: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`, token: 'unused-here', pollIntervalMs: POLL_MS },
      });
      expect(await supergraphInfo(await replica.metrics())).toMatchObject({ source: 'registry', version: '1' });
      current = { sdl: 'type Query { broken', etag: '"bad"', version: '2' };
      await within(5_000, async () => /registry_polls_total\{document="supergraph",result="rejected"[^}]*\} 1\n/.test(await replica.metrics()));
      await new Promise((resolve) => setTimeout(resolve, POLL_MS * 3));
      const metrics = await replica.metrics();
      expect(metrics).toMatch(/registry_polls_total\{document="supergraph",result="rejected"[^}]*\} 1\n/); // once, not on every poll
      expect(await supergraphInfo(metrics)).toMatchObject({ source: 'registry', version: '1' });
      expect((await graphql(replica.url, operation('ProductPage'), { id: productId })).errors).toBeUndefined();
      expect(fetches).toBeGreaterThan(3);
    } finally {
      fake.close();
    }
  });
});

describe('a gateway without a registry', () => {
  it('serves supergraph.graphql and says so on /metrics', async () => {
    const metrics = await (await fetch(stack().gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
    const sdl = await readFile(repoPath('supergraph.graphql'), 'utf8');
    expect(await supergraphInfo(metrics)).toMatchObject({ source: 'file', version: 'none', hash: createHash('sha256').update(sdl).digest('hex').slice(0, 12) });
  });
});
