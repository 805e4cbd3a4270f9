// `npm run bench:full-stack`: the whole supergraph as `npm start` runs it (each subgraph, the
// registry and the gateway in a process of its own, from their built JavaScript; the gateway's
// response cache on, as in production) on real PostgreSQL and Redis, under an open-loop operation
// mix stepped up in rate until the load-test gate of our case studies fails (p95 ≥ 500 ms or
// errors ≥ 0.5 %). It reports the highest passing rate, every process's CPU per step (from /proc)
// and which one saturates first, and SQL statements per request by subgraph (db_queries_total).
// Its databases (`bench_fs_<id>_*`) and Redis keys are its own and removed at the end.
//
// Settings: BENCH_PRODUCTS (5000) seeded products, BENCH_USERS (100) shoppers signed up,
// BENCH_MIX (outcome.ts DEFAULT_MIX) weights, BENCH_START_RATE (10)/s, BENCH_RATE_FACTOR (1.5),
// BENCH_MAX_RATE (400)/s, BENCH_STEP_SECONDS (20), BENCH_WARMUP_SECONDS (10),
// BENCH_TIMEOUT_MS (10000) per request, BENCH_STATEMENT_SAMPLES (20) requests of each operation for
// the statements-by-operation table (0: none), BENCH_PORT_OFFSET (21000), LOG_LEVEL (warn) of the services.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { parseEnv } from '@supergraph/service-kit/env';
import { readCounter } from '@supergraph/service-kit/metrics';
import { prng } from '@supergraph/service-kit/seed-plan';
import { withDatabase } from '../local-databases.ts';
import { SUBGRAPH_NAMES } from '../services.ts';
import { cpuBetween, sampleCpu, saturationVerdict, type CpuInterval } from './full-stack/cpu.ts';
import { runOpenLoop, type StepResult } from './full-stack/open-loop.ts';
import { DEFAULT_MIX, ERROR_RULE, OPERATIONS, type Operation } from './full-stack/outcome.ts';
import { findProcesses } from './full-stack/proc.ts';
import { startFullStack, type RunningStack } from './full-stack/stack.ts';
import { GATE, evaluateGate, highestPassingRate, parseMix, percentile, pickByWeight, rateSteps } from './full-stack/stats.ts';
import { prepareWorkload, unlimitedStock } from './full-stack/workload.ts';

if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
  console.error(
    'bench:full-stack runs on real PostgreSQL and Redis: set both, e.g.\n' +
      '  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:full-stack\n' +
      '(it creates databases bench_fs_<id>_* on that server and keys bench_fs_<id>:* in Redis, and removes both at the end)',
  );
  process.exit(2);
}

const settings = z.object({
    DATABASE_URL: z.string().url(),
    REDIS_URL: z.string().url(),
    BENCH_PRODUCTS: z.coerce.number().int().min(100).default(5_000),
    BENCH_USERS: z.coerce.number().int().min(1).default(100),
    BENCH_MIX: z.string().default(DEFAULT_MIX),
    BENCH_START_RATE: z.coerce.number().positive().default(10),
    BENCH_RATE_FACTOR: z.coerce.number().gt(1).default(1.5),
    BENCH_MAX_RATE: z.coerce.number().positive().default(400),
    BENCH_STEP_SECONDS: z.coerce.number().positive().default(20),
    BENCH_WARMUP_SECONDS: z.coerce.number().min(0).default(10),
    BENCH_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    BENCH_STATEMENT_SAMPLES: z.coerce.number().int().min(0).default(20),
    BENCH_PORT_OFFSET: z.coerce.number().int().min(1).max(28_000).default(21_000),
    LOG_LEVEL: z.string().default('warn'),
});
/** Bad settings end the run before anything starts, with the setting named (exit 2, as for misuse). */
function readSettings() {
  try {
    const env = parseEnv(settings);
    const mix = parseMix(env.BENCH_MIX, OPERATIONS);
    const rates = rateSteps(env.BENCH_START_RATE, env.BENCH_RATE_FACTOR, Math.max(env.BENCH_MAX_RATE, env.BENCH_START_RATE));
    return { env, mix, rates };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    console.error(`bench:full-stack: ${code ?? 'BENCH_SETTING_INVALID'}: ${message}`);
    process.exit(2);
  }
}
const { env, mix, rates } = readSettings();

const runId = Date.now().toString(36);
const prefix = `bench_fs_${runId}`;
const began = Date.now();
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const mixTotal = Object.values<number>(mix).reduce((a, b) => a + b, 0);

console.log(`bench:full-stack on ${availableParallelism()} cores, load average ${load()}`);
console.log(`mix (BENCH_MIX): ${OPERATIONS.map((op) => `${op} ${mix[op]} (${fixed((mix[op] / mixTotal) * 100)} %)`).join(', ')}`);
console.log(`rates (/s, BENCH_START_RATE ×BENCH_RATE_FACTOR up to BENCH_MAX_RATE): ${rates.join(', ')}; ${env.BENCH_STEP_SECONDS} s a step`);
console.log(`gate: p95 < ${GATE.p95Ms} ms and errors < ${GATE.errorRate * 100} % of the step's requests`);
console.log(`${ERROR_RULE}\n`);

const dataDir = await mkdtemp(join(tmpdir(), 'bench-full-stack-'));
let stack: RunningStack | undefined;
let stopping: Promise<void> | undefined;
const stop = () =>
  (stopping ??= (async () => {
    await stack?.stop().catch((error: Error) => console.error(`cleaning up: ${error.message}`));
    // Kept when the run failed: the launcher's output and every service's log are there.
    if (process.exitCode) console.error(`logs kept in ${dataDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  })());
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the supergraph and dropping its databases…`);
    void stop().then(() => process.exit(130));
  });
}

interface StepReport {
  rate: number;
  /** Requests sent per second (the offered rate as the generator kept it). */
  achieved: number;
  pass: boolean;
  reasons: string[];
  p95: number;
  cpu: CpuInterval;
  statements: Record<string, number>;
}

try {
  console.log(`starting the supergraph (scripts/start.ts, databases ${prefix}_*, ${env.BENCH_PRODUCTS} products, ports +${env.BENCH_PORT_OFFSET})…`);
  stack = startFullStack({
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    prefix,
    portOffset: env.BENCH_PORT_OFFSET,
    seedProducts: env.BENCH_PRODUCTS,
    dataDir,
    logLevel: env.LOG_LEVEL,
    startTimeoutMs: 300_000,
  });
  await stack.ready;
  console.log(`ready in ${fixed((Date.now() - began) / 1000, 1)} s: ${stack.services().map((s) => `${s.name} pid ${s.pid}`).join(', ')}`);
  const stocked = await unlimitedStock(withDatabase(env.DATABASE_URL, `${prefix}_inventory`));
  const workload = await prepareWorkload({ gatewayUrl: stack.gatewayUrl, runId, shoppers: env.BENCH_USERS, products: env.BENCH_PRODUCTS });
  console.log(`${stocked} products stocked without limit, ${workload.shoppers.length} shoppers signed up, ${workload.catalogPages.length} catalog pages to browse\n`);

  const redisPids = (await findProcesses('redis-server')).map((p, i, all) => ({ name: all.length > 1 ? `redis-server ${p.pid}` : 'redis-server', pid: p.pid }));
  // The launcher alone (its children are the services, counted under their own names).
  const processes = () => [...stack!.services(), { name: 'launcher', pid: stack!.launcherPid, tree: false }, ...redisPids];
  const subgraphMetrics = () => stack!.services().filter((s) => (SUBGRAPH_NAMES as readonly string[]).includes(s.name));
  const statementCounts = async () =>
    Object.fromEntries(
      await Promise.all(
        subgraphMetrics().map(async (s) => [s.name, readCounter(await fetch(s.metricsUrl).then((r) => r.text()), 'db_queries_total')] as const),
      ),
    );
  // The gateway's response cache, for reading the latencies (a hit costs no subgraph a thing).
  const gatewayMetricsUrl = stack.services().find((s) => s.name === 'gateway')!.metricsUrl;
  const cacheCounts = async () => {
    const text = await fetch(gatewayMetricsUrl).then((r) => r.text(), () => '');
    return { hits: readCounter(text, 'response_cache_hits_total'), misses: readCounter(text, 'response_cache_misses_total') };
  };

  const random = prng(7);
  const next = (): Operation => pickByWeight(mix, random());
  let requestNumber = 0;
  const step = async (rate: number, seconds: number) => {
    const statementsBefore = await statementCounts();
    const cacheBefore = await cacheCounts();
    const cpuBefore = await sampleCpu(processes(), prefix);
    let cpuAfter = cpuBefore;
    const result = await runOpenLoop({
      rate,
      seconds,
      timeoutMs: env.BENCH_TIMEOUT_MS,
      next,
      send: (operation, n, signal) => workload.send(operation, n, signal),
      onWindowEnd: async () => {
        cpuAfter = await sampleCpu(processes(), prefix);
      },
      firstRequest: requestNumber,
    });
    requestNumber = result.nextRequest;
    const statementsAfter = await statementCounts();
    const statements = Object.fromEntries(Object.entries(statementsAfter).map(([name, count]) => [name, (count - (statementsBefore[name] ?? 0)) / Math.max(1, result.sent)]));
    const cacheAfter = await cacheCounts();
    const lookups = cacheAfter.hits - cacheBefore.hits + (cacheAfter.misses - cacheBefore.misses);
    const cacheHitRate = lookups > 0 ? (cacheAfter.hits - cacheBefore.hits) / lookups : Number.NaN;
    return { result, cpu: cpuBetween(cpuBefore, cpuAfter), statements, cacheHitRate };
  };

  /**
   * Statements the services send with no request at all (outbox relays polling, …), per second:
   * subtracted from the per-operation table, whose requests go one at a time and so slowly that
   * this would show in it. The steps' figures include it (it is part of what the database serves).
   */
  const backgroundStatements = async (seconds: number) => {
    const before = await statementCounts();
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const after = await statementCounts();
    const elapsed = (performance.now() - t0) / 1000;
    return Object.fromEntries(Object.keys(after).map((name) => [name, (after[name]! - (before[name] ?? 0)) / elapsed]));
  };

  /** Statements one request of each operation costs each subgraph: `count` requests sent one at a time, cache as the run left it. */
  const statementsByOperation = async (count: number) => {
    const background = await backgroundStatements(3);
    console.log(`SQL statements per second with no requests (background work): ${Object.entries(background).map(([name, n]) => `${name} ${fixed(n, 2)}`).join(', ')}`);
    console.log(`SQL statements per request by operation and subgraph (${count} requests of each, one at a time, response cache as the warm-up left it, background subtracted):`);
    console.log(`  ${'operation'.padEnd(11)} ${subgraphMetrics().map((s) => s.name.padStart(9)).join(' ')}       all`);
    for (const operation of OPERATIONS) {
      if (mix[operation] === 0) continue;
      const before = await statementCounts();
      const t0 = performance.now();
      for (let i = 0; i < count; i++) await workload.send(operation, requestNumber++, AbortSignal.timeout(env.BENCH_TIMEOUT_MS));
      const after = await statementCounts();
      const elapsed = (performance.now() - t0) / 1000;
      const per = Object.keys(after).map((name) => Math.max(0, after[name]! - (before[name] ?? 0) - (background[name] ?? 0) * elapsed) / count);
      console.log(`  ${operation.padEnd(11)} ${per.map((n) => fixed(n, 2).padStart(9)).join(' ')} ${fixed(per.reduce((a, b) => a + b, 0), 2).padStart(9)}`);
    }
    console.log('');
  };

  if (env.BENCH_WARMUP_SECONDS > 0) {
    const warm = await step(rates[0]!, env.BENCH_WARMUP_SECONDS);
    const errors = warm.result.samples.filter((s) => s.outcome.kind === 'error').length;
    console.log(`warm-up (not counted): ${warm.result.sent} requests at ${rates[0]}/s, p95 ${fixed(percentile(warm.result.samples.map((s) => s.ms), 95))} ms, ${errors} errors\n`);
  }
  if (env.BENCH_STATEMENT_SAMPLES > 0) await statementsByOperation(env.BENCH_STATEMENT_SAMPLES);

  const reports: StepReport[] = [];
  for (const [index, rate] of rates.entries()) {
    const { result, cpu, statements, cacheHitRate } = await step(rate, env.BENCH_STEP_SECONDS);
    const report = printStep(index + 1, result, cpu, statements, cacheHitRate);
    reports.push(report);
    if (!report.pass) break;
  }
  summarize(reports);
} catch (error) {
  if (interrupted) await new Promise(() => {}); // the signal handler cleans up and exits
  console.error(`bench:full-stack failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await stop();
  console.log(`\ndatabases ${prefix}_* dropped, Redis keys ${prefix}:* removed; ${fixed((Date.now() - began) / 1000)} s in all; load average now ${load()}`);
}

function printStep(index: number, result: StepResult, cpu: CpuInterval, statements: Record<string, number>, cacheHitRate: number): StepReport {
  const all = result.samples;
  const latencies = all.map((s) => s.ms);
  const errors = all.filter((s) => s.outcome.kind === 'error');
  const p95 = percentile(latencies, 95);
  const verdict = evaluateGate({ p95Ms: p95, errors: errors.length, requests: all.length });
  const achieved = result.completedInWindow / result.seconds;
  const errorLabels = countBy(errors.map((e) => e.outcome.label));
  console.log(
    `step ${index}: offered ${result.rate}/s, achieved ${fixed(achieved, 1)}/s (${result.sent} sent, ${result.completedInWindow} answered within the ${result.seconds} s)` +
      ` | p50 ${fixed(percentile(latencies, 50))} p95 ${fixed(p95)} p99 ${fixed(percentile(latencies, 99))} ms` +
      ` | errors ${fixed((errors.length / Math.max(1, all.length)) * 100, 2)} %${errors.length ? ` ${JSON.stringify(errorLabels)}` : ''}` +
      ` | ${verdict.pass ? 'PASS' : `FAIL (${verdict.reasons.join('; ')})`}`,
  );
  console.log('  operation      n   p50   p95   p99 ms  errors refused');
  for (const operation of OPERATIONS) {
    const samples = all.filter((s) => s.operation === operation);
    if (samples.length === 0) continue;
    const ms = samples.map((s) => s.ms);
    console.log(
      `  ${operation.padEnd(11)} ${String(samples.length).padStart(5)} ${fixed(percentile(ms, 50)).padStart(5)} ${fixed(percentile(ms, 95)).padStart(5)} ${fixed(percentile(ms, 99)).padStart(5)}` +
        `    ${String(samples.filter((s) => s.outcome.kind === 'error').length).padStart(6)} ${String(samples.filter((s) => s.outcome.kind === 'refused').length).padStart(7)}`,
    );
  }
  const rows = [...cpu.rows].sort((a, b) => b.percent - a.percent);
  console.log(`  CPU, % of one core: ${rows.map((r) => `${r.name} ${fixed(r.percent)}`).join(', ')}; the stack ${fixed(cpu.stackPercent)}, the machine ${fixed(cpu.machinePercent)} of ${cpu.cores * 100}`);
  const total = Object.values(statements).reduce((a, b) => a + b, 0);
  console.log(`  SQL statements per request: ${Object.entries(statements).map(([name, n]) => `${name} ${fixed(n, 2)}`).join(', ')}; all ${fixed(total, 2)}`);
  console.log(`  gateway response cache: ${fixed(cacheHitRate * 100)} % of cacheable lookups hit\n`);
  return { rate: result.rate, achieved: result.sent / result.seconds, pass: verdict.pass, reasons: verdict.reasons, p95, cpu, statements };
}

function summarize(reports: StepReport[]): void {
  const best = highestPassingRate(reports);
  const failed = reports.find((r) => !r.pass);
  const deciding = failed ?? reports.at(-1)!;
  console.log('summary');
  console.log(
    best === null
      ? `  no step passed the gate; the first (${reports[0]!.rate}/s) failed: ${reports[0]!.reasons.join('; ')}. Lower BENCH_START_RATE.`
      : `  highest passing rate: ${best}/s (p95 < ${GATE.p95Ms} ms, errors < ${GATE.errorRate * 100} %)` +
          (failed ? `; ${failed.rate}/s failed: ${failed.reasons.join('; ')}` : `; BENCH_MAX_RATE (${env.BENCH_MAX_RATE}/s) reached without failing`),
  );
  console.log(`  saturating first (at ${deciding.rate}/s): ${saturationVerdict(deciding.cpu)}`);
  // Which would saturate first with a core each: CPU time per request, highest first.
  const perRequest = deciding.cpu.rows
    .filter((r) => !r.name.includes('busiest') && !r.name.startsWith('postgres (all'))
    .map((r) => ({ name: r.name, ms: (r.percent * 10) / deciding.achieved }))
    .filter((r) => r.ms >= 0.05)
    .sort((a, b) => b.ms - a.ms);
  console.log(`  CPU-ms per request at ${deciding.rate}/s (the first to saturate with a core each): ${perRequest.map((r) => `${r.name} ${fixed(r.ms, 1)}`).join(', ')}`);
  const at = reports.find((r) => r.rate === best) ?? deciding;
  console.log(`  SQL statements per request by subgraph at ${at.rate}/s: ${Object.entries(at.statements).map(([name, n]) => `${name} ${fixed(n, 2)}`).join(', ')}`);
}

function countBy(labels: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}
