// `npm run bench:registry`: what the schema registry costs. Latency of a check and of a publish
// (sequential, alternating a safe and a breaking change), and a gateway's poll with and without
// an ETag side by side in one run (BENCH_POLLS requests at concurrency 16), on a fresh registry
// database (PostgreSQL when DATABASE_URL is set). Then how long a publish takes to go live in a
// gateway of an in-process supergraph polling every BENCH_POLL_MS (250).
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { readSupergraphConfig } from '@supergraph/composition';
import { demoIds } from '@supergraph/service-kit';
import { RegistryClient } from '../../schema-registry/src/client.ts';
import { createRegistryService } from '../../schema-registry/src/service.ts';
import { createGateway } from '../../gateway/src/server.ts';
import { startStack } from '../in-process-stack.ts';
import { dropServiceDatabases, ensureServiceDatabases } from '../local-databases.ts';
import { repoPath } from '../paths.ts';
import { runLoad } from './load.ts';
import { persistedList } from '@supergraph/sdk/persisted-lists';

const polls = Number(process.env.BENCH_POLLS ?? 3000);
const pollMs = Number(process.env.BENCH_POLL_MS ?? 250);
const samples = Number(process.env.BENCH_SAMPLES ?? 20);
const tokens = { admin: 'bench-registry-admin-token-0123456789ab', publisher: 'bench-registry-publish-token-0123456789ab', gateway: 'bench-registry-gateway-token-0123456789ab' };

const runId = `bench${Date.now().toString(36)}`;
const serverUrl = process.env.DATABASE_URL;
const databaseUrl = serverUrl ? (await ensureServiceDatabases(serverUrl, runId, ['registry'])).registry : undefined;
const service = await createRegistryService({ databaseUrl, dataDir: 'memory://', tokens, log: pino({ level: 'silent' }) });
const url = (await service.listen(0)).url;
const client = new RegistryClient(url, tokens.publisher);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.95))]!;
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const users = await readFile(repoPath('subgraphs', 'users', 'src', 'schema.graphql'), 'utf8');
const usersWithoutCreatedAt = users.replace(/\n {2}"When the account was created, ISO 8601."\n {2}createdAt: String!/, '');
const productsWithoutSlug = (await readFile(repoPath('subgraphs', 'products', 'src', 'schema.graphql'), 'utf8')).replace(/\n {2}slug: String!/, '');
const stack = await startStack({ seedProducts: 300 });
try {
  const subgraphs = (await readSupergraphConfig(repoPath('supergraph.yaml'))).map((s) => ({ name: s.name, sdl: s.sdl, url: stack.subgraphs[s.name as keyof typeof stack.subgraphs].url }));
  await client.publish(subgraphs, { author: 'bench' });
  for (const list of ['storefront', 'partner-catalog']) {
    const manifest = persistedList(list);
    await client.registerOperations(list, manifest.operations, 'bench');
  }
  const operations = persistedList('storefront').operations.length;

  const checks: number[] = [];
  const publishes: number[] = [];
  for (let i = 0; i < samples; i++) {
    checks.push(await timed(() => client.check([{ name: i % 2 ? 'products' : 'users', sdl: i % 2 ? productsWithoutSlug : usersWithoutCreatedAt }])));
    publishes.push(await timed(() => client.publish([{ name: 'users', sdl: i % 2 ? users : usersWithoutCreatedAt }], { author: 'bench' })));
  }

  const head = await fetch(`${url}/v1/supergraph`, { headers: { authorization: `Bearer ${tokens.gateway}` } });
  const etag = head.headers.get('etag')!;
  const size = (await head.text()).length;
  const poll = (withEtag: boolean) => async () => {
    const response = await fetch(`${url}/v1/supergraph`, { headers: { authorization: `Bearer ${tokens.gateway}`, ...(withEtag ? { 'if-none-match': etag } : {}) } });
    await response.arrayBuffer();
    return String(response.status);
  };
  const conditional = await runLoad(polls, 16, poll(true));
  const full = await runLoad(polls, 16, poll(false));

  // Publish -> live in a gateway polling the registry.
  const gateway = await createGateway({
    supergraphSdl: await readFile(repoPath('supergraph.graphql'), 'utf8'),
    registry: { url, token: tokens.gateway, pollIntervalMs: pollMs },
    subgraphUrls: {},
    userTokenSecret: stack.secrets.userToken,
    internalTokenSecret: stack.secrets.internalToken,
    development: false,
    log: pino({ level: 'silent' }),
  });
  const gatewayUrl = `${(await gateway.listen(0)).url}/graphql`;
  const createdAtServed = async () => {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query($id: ID!) { product(id: $id) { reviews(first: 1) { author { createdAt } } } }', variables: { id: demoIds.product(1) } }),
    });
    return !((await response.json()) as { errors?: unknown }).errors;
  };
  const live: number[] = [];
  for (let i = 0; i < 10; i++) {
    const served = !(await createdAtServed());
    const t0 = performance.now();
    await client.publish([{ name: 'users', sdl: served ? users : usersWithoutCreatedAt }], { author: 'bench' });
    while ((await createdAtServed()) !== served) await new Promise((resolve) => setTimeout(resolve, 10));
    live.push(performance.now() - t0);
  }
  await gateway.close();

  console.log(`database: ${serverUrl ? 'PostgreSQL' : 'embedded PGlite'}; 5 subgraphs, ${operations} + 3 registered operations`);
  console.log(`check    median ${median(checks).toFixed(0)} ms, p95 ${p95(checks).toFixed(0)} ms (${samples} checks: compose, diff, validate every operation)`);
  console.log(`publish  median ${median(publishes).toFixed(0)} ms, p95 ${p95(publishes).toFixed(0)} ms (${samples} publishes)`);
  console.log(`poll with ETag (304):     ${conditional.perSecond.toFixed(0)}/s, p50 ${conditional.p50.toFixed(1)} ms  ${JSON.stringify(conditional.outcomes)}`);
  console.log(`poll without ETag (200):  ${full.perSecond.toFixed(0)}/s, p50 ${full.p50.toFixed(1)} ms, ${(size / 1024).toFixed(0)} KiB each  ${JSON.stringify(full.outcomes)}`);
  console.log(`publish -> live in a gateway polling every ${pollMs} ms: median ${median(live).toFixed(0)} ms, max ${Math.max(...live).toFixed(0)} ms (10 publishes)`);
} finally {
  await stack.close();
  await service.close();
  if (serverUrl) await dropServiceDatabases(serverUrl, runId, ['registry']);
}
