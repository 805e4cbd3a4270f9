// `npm run bench:gateway-only`: the gateway alone (issue 15 §1). Plain @apollo/gateway, ours in three
// set-ups and Hive Gateway with and without its request sharing, each in a process of its own
// pinned to core 0, against the same subgraph stubs that replay recorded answers (on core 1 with
// the load generator), in alternating rounds. README's "Benchmarks" section lists the settings.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { Redis } from 'ioredis';
import { TEST_SECRETS } from '../in-process-stack.ts';
import { repoPath } from '../paths.ts';
import { GATEWAY_V8_FLAGS } from '../../gateway/src/v8-flags.ts';
import { benchQueries } from './gateway-only/queries.ts';
import { recordExchanges } from './gateway-only/record.ts';
import { buildGraph, cacheControlPolicy, subgraphSchemas, type Recording } from './gateway-only/recording.ts';
import { stableJson } from './gateway-only/recorded-graph.ts';
import { SubgraphStubs, withSubgraphUrls } from './gateway-only/stub-server.ts';
import { cpuMs, pinning, pinSelf, startGatewayProcess, type GatewayProcess } from './gateway-only/processes.ts';
import { closedLoop } from './gateway-only/load.ts';
import { roundLine, summaryTable, type Measurement } from './gateway-only/report.ts';
import { ensureHive, HIVE_PACKAGES } from './gateway-only/hive.ts';
import type { ChildConfig } from './gateway-only/serve.ts';

const env = process.env;
const settings = {
  rounds: Number(env.BENCH_ROUNDS ?? 3),
  concurrency: Number(env.BENCH_CONCURRENCY ?? 50),
  seconds: Number(env.BENCH_SECONDS ?? 4),
  warmupSeconds: Number(env.BENCH_WARMUP_SECONDS ?? 1),
  maxRequests: env.BENCH_REQUESTS ? Number(env.BENCH_REQUESTS) : undefined,
  products: Number(env.BENCH_PRODUCTS ?? 50),
  hive: env.BENCH_HIVE !== '0',
  hiveRuntime: (env.BENCH_HIVE_RUNTIME === 'js' ? 'js' : 'router') as 'js' | 'router',
  rerecord: env.BENCH_RERECORD === '1',
  // Ours runs with the flags it runs with everywhere (GATEWAY_V8_FLAGS) unless told otherwise ("" for none).
  oursNodeFlags: (env.BENCH_OURS_NODE_FLAGS ?? GATEWAY_V8_FLAGS.join(' ')).split(/\s+/).filter(Boolean),
  only: env.BENCH_VARIANTS ? env.BENCH_VARIANTS.split(',').map((v) => v.trim()) : undefined,
  redisUrl: env.REDIS_URL,
};
// The gateway's own request limits, unchanged: the wide query passes them (recording fails loudly if not).
const LIMITS = {};
const benchDir = repoPath('.bench');
const started = Date.now();

const queries = benchQueries(settings.products);
const allBodies = queries.flatMap((q) => q.bodies);
const supergraphSdl = readFileSync(repoPath('supergraph.graphql'), 'utf8');
const pin = pinning();

console.log(
  `bench:gateway-only: ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${pin.reason}\n` +
    `settings: rounds ${settings.rounds}, concurrency ${settings.concurrency}, windows of ${settings.seconds} s` +
    `${settings.maxRequests ? ` or ${settings.maxRequests} requests` : ''} after ${settings.warmupSeconds} s warm-up, ProductPage over ${settings.products} ids; ` +
    `request limits: the gateway's defaults; rate limit 1e9/min; anonymous requests; Redis: ${settings.redisUrl ? 'yes' : 'no (variant (c) skipped)'}`,
);

// 1. Hive first (a slow install on first use), then the recording (the real stack, once).
const hiveDir = join(benchDir, 'hive-gateway');
let hiveSkip: string | undefined = settings.hive ? undefined : 'BENCH_HIVE=0';
if (!hiveSkip) {
  const installed = await ensureHive(hiveDir);
  if (!installed.ok) hiveSkip = installed.reason;
}

const recordingPath = join(benchDir, 'gateway-only', 'recording.json');
const seedProducts = Math.max(200, settings.products);
const supergraphHash = createHash('sha256').update(supergraphSdl).digest('hex');
const operationsHash = createHash('sha256').update(`v1 ${seedProducts}\n${allBodies.join('\n')}`).digest('hex');
let recording: Recording | undefined;
if (!settings.rerecord && existsSync(recordingPath)) {
  const saved = JSON.parse(readFileSync(recordingPath, 'utf8')) as Recording;
  if (saved.supergraphHash === supergraphHash && saved.operationsHash === operationsHash) recording = saved;
}
if (recording) {
  console.log(`recording: reusing ${recordingPath} (same supergraph and requests; BENCH_RERECORD=1 records anew)`);
} else {
  const t0 = Date.now();
  const { exchanges, answers } = await recordExchanges({ bodies: allBodies, seedProducts, limits: LIMITS });
  recording = { supergraphHash, operationsHash, exchanges, answers };
  mkdirSync(join(benchDir, 'gateway-only'), { recursive: true });
  writeFileSync(recordingPath, JSON.stringify(recording));
  console.log(
    `recording: ${exchanges.length} subgraph exchanges from the real stack on ${env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'} in ${((Date.now() - t0) / 1000).toFixed(0)} s, saved to ${recordingPath}`,
  );
}

// 2. Stubs, and a supergraph routing to them.
const schemas = subgraphSchemas(supergraphSdl);
const stubs = new SubgraphStubs(buildGraph(supergraphSdl, schemas, recording.exchanges), schemas, cacheControlPolicy(recording.exchanges));
const stubServers = await stubs.listen();
const stubSupergraphPath = join(benchDir, 'gateway-only', 'supergraph.stubs.graphql');
writeFileSync(stubSupergraphPath, withSubgraphUrls(supergraphSdl, stubServers.urls));
if (pin.available) pinSelf(1);

// 3. The variants, each its own process on core 0.
const redisKeyPrefix = `bench-gateway-only:${Date.now().toString(36)}:`;
const ours = (responseCache: boolean, sharing: boolean): ChildConfig => ({
  kind: 'ours',
  supergraphPath: stubSupergraphPath,
  subgraphUrls: stubServers.urls,
  secrets: { userToken: TEST_SECRETS.userToken, internalToken: TEST_SECRETS.internalToken },
  // With Redis our gateway keeps its rate limits and APQ there, as in production.
  redisUrl: settings.redisUrl,
  redisKeyPrefix,
  responseCache,
  sharing: { subgraphFetches: sharing, publicQueries: sharing },
  limits: LIMITS,
});
const hive = (dedupe: boolean): ChildConfig => ({ kind: 'hive', supergraphPath: stubSupergraphPath, installDir: hiveDir, dedupe, runtime: settings.hiveRuntime });
const hiveName = settings.hiveRuntime === 'router' ? 'Hive Gateway (Rust planner)' : 'Hive Gateway (JS runtime)';
const candidates: Array<{ id: string; name: string; config: ChildConfig; skip?: string | undefined; nodeFlags?: string[] }> = [
  { id: 'a', name: '(a) plain @apollo/gateway', config: { kind: 'apollo', supergraphPath: stubSupergraphPath } },
  { id: 'b', name: '(b) ours, no cache, no sharing', config: ours(false, false), nodeFlags: settings.oursNodeFlags },
  { id: "b'", name: "(b') ours, no cache, sharing on", config: ours(false, true), nodeFlags: settings.oursNodeFlags },
  {
    id: 'c',
    name: '(c) ours, every cache on, warm',
    config: ours(true, true),
    nodeFlags: settings.oursNodeFlags,
    skip: settings.redisUrl ? undefined : 'needs REDIS_URL (the response cache lives in Redis)',
  },
  { id: 'd', name: `(d) ${hiveName}, no dedupe`, config: hive(false), skip: hiveSkip },
  { id: "d'", name: `(d') ${hiveName}, dedupe (default)`, config: hive(true), skip: hiveSkip },
];
const processes: Array<GatewayProcess & { pool: Pool; path: string }> = [];
const cleanUp = async () => {
  await Promise.all(processes.map(async (p) => (await p.pool.close().catch(() => {}), await p.stop())));
  await stubServers.close();
  if (settings.redisUrl) {
    const redis = new Redis(settings.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      for await (const keys of redis.scanStream({ match: `${redisKeyPrefix}*`, count: 1000 })) if ((keys as string[]).length) await redis.del(...(keys as string[]));
    } catch {
      // leftovers expire on their own
    } finally {
      redis.disconnect();
    }
  }
};
process.on('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

try {
  for (const candidate of candidates) {
    if (settings.only && !settings.only.includes(candidate.id)) continue;
    if (candidate.skip) {
      console.log(`${candidate.name}: skipped: ${candidate.skip}`);
      continue;
    }
    try {
      const p = await startGatewayProcess({ name: candidate.name, config: candidate.config, core: pin.available ? 0 : undefined, nodeFlags: candidate.nodeFlags });
      const url = new URL(p.url);
      processes.push({ ...p, pool: new Pool(url.origin, { connections: settings.concurrency, pipelining: 1, keepAliveTimeout: 60_000 }), path: url.pathname });
    } catch (error) {
      console.log(`${candidate.name}: skipped: it did not start: ${String((error as Error).message).split('\n').slice(0, 6).join(' | ')}`);
    }
  }

  // 4. Every variant must give the recorded answer to every request (this also primes (c), whose
  // second pass right after shows the cache answering: its entries live as long as the shortest
  // max-age of the subgraphs involved, inventory's 5 s, so the warm-ups keep it warm).
  const post = async (p: (typeof processes)[number], body: string) => {
    const response = await p.pool.request({ method: 'POST', path: p.path, headers: { 'content-type': 'application/json' }, body });
    return { status: response.statusCode, age: response.headers.age, answer: (await response.body.json()) as { data?: unknown; errors?: unknown } };
  };
  for (const p of processes) {
    let wrong = 0;
    let first = '';
    for (const body of allBodies) {
      const { status, answer } = await post(p, body);
      if (status !== 200 || answer.errors || stableJson(answer.data) !== stableJson(recording.answers[body])) {
        wrong++;
        first ||= `${status} ${JSON.stringify(answer).slice(0, 300)}`;
      }
    }
    let cacheNote = '';
    if (p.name.startsWith('(c)')) {
      let hits = 0;
      for (const body of allBodies) if ((await post(p, body)).age !== undefined) hits++;
      cacheNote = `; primed: ${hits}/${allBodies.length} answered from the response cache on a second pass`;
    }
    console.log(`${p.name}: ${allBodies.length - wrong}/${allBodies.length} answers as recorded${wrong ? `; first wrong: ${first}` : ''}${cacheNote}`);
  }

  // 5. Alternating rounds: each round runs every query on every variant, starting one variant later each round.
  const measurements: Measurement[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const query of queries) {
      const order = processes.map((_, i) => processes[(i + round - 1) % processes.length]!);
      for (const p of order) {
        const load = (seconds: number, maxRequests?: number) =>
          closedLoop({ pool: p.pool, path: p.path, bodies: query.bodies, concurrency: settings.concurrency, seconds, maxRequests });
        await load(settings.warmupSeconds, settings.maxRequests);
        const cpuBefore = cpuMs(p.pid);
        const stubsBefore = stubs.snapshot();
        const result = await load(settings.seconds, settings.maxRequests);
        const cpuAfter = cpuMs(p.pid);
        const stubsAfter = stubs.snapshot();
        const m: Measurement = {
          ...result,
          round,
          variant: p.name,
          query: query.name,
          cpuMsPerRequest: cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / result.requests : undefined,
          subgraphRequestsPerQuery: (stubsAfter.requests - stubsBefore.requests) / result.requests,
          representationsPerQuery: (stubsAfter.representations - stubsBefore.representations) / result.requests,
          stubMisses: stubsAfter.misses - stubsBefore.misses,
        };
        measurements.push(m);
        console.log(roundLine(m));
      }
    }
  }

  console.log(`\nload average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}; Hive ${hiveSkip ? `skipped (${hiveSkip})` : Object.entries(HIVE_PACKAGES).map(([k, v]) => `${k}@${v}`).join(', ')}`);
  for (const query of queries) {
    console.log(`\n${summaryTable(query.name, measurements, processes.map((p) => p.name), '(a) plain @apollo/gateway')}`);
  }
  console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s in all`);
} finally {
  await cleanUp();
}
