// `npm run bench:start`: how long a developer waits. Medians of a few runs each:
//   npm start, cold (an empty DATA_DIR: databases copied from the empty one `npm install` made,
//   migrated and seeded), cold with that empty database made first (as a first start after an
//   install that could not make it), and warm (again, on the same data), until it prints
//   "Supergraph ready";
//   a gateway alone on its file supergraph (`node gateway/dist/index.js`) until /readyz answers;
//   one registry CLI command (`npm run registry -- --help`, and `history` against a running registry).
// With each `npm start` line, the CPU-seconds its processes had used when it said ready (Linux):
// on a few cores a start is CPU-bound; the warm starts' CPU is also given per process, which says
// where a saving would come from.
// Not a test: the figures depend on the machine and on what else runs on it.
// BENCH_RUNS (3) runs each; BENCH_PORT_OFFSET (20000) moves every port away from a running `npm start`
// (and keeps them below Linux's ephemeral range, 32768 and up, which outgoing connections take).
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { parseEnv } from '@supergraph/service-kit/env';
import { build, distEntry } from '../build.ts';
import { repoPath } from '../paths.ts';
import { GATEWAY_PORT, REGISTRY_PORT } from '../services.ts';
import { readStartCpu, type StartCpu } from './start-cpu.ts';

const env = parseEnv(
  z.object({
    BENCH_RUNS: z.coerce.number().int().min(1).default(3),
    BENCH_PORT_OFFSET: z.coerce.number().int().min(1).max(50_000).default(20_000),
    SEED_PRODUCTS: z.coerce.number().int().min(1).optional(),
  }),
);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
function report(what: string, runs: number[], cpu: StartCpu[] = []) {
  const cpuText = cpu.length > 0 ? `   CPU ${median(cpu.map((c) => c.total)).toFixed(1)} s (runs ${cpu.map((c) => c.total.toFixed(1)).join(', ')})` : '';
  console.log(`${what.padEnd(52)} median ${fmt(median(runs)).padStart(8)}   runs ${runs.map(fmt).join(', ')}${cpuText}`);
}

/** The CPU at ready of the starts where /proc could be read. */
const cpuAtReady = (starts: Launcher[]) => starts.flatMap((start) => (start.cpu ? [start.cpu] : []));

/** `npm start` runs: their times and CPU. */
function reportStarts(what: string, starts: Launcher[]) {
  report(what, starts.map((start) => start.readyMs), cpuAtReady(starts));
}

/** Medians by process, largest first. */
function reportByProcess(what: string, cpu: StartCpu[]) {
  const names = [...new Set(cpu.flatMap((c) => [...c.byName.keys()]))];
  const medians = names.map((name) => [name, median(cpu.map((c) => c.byName.get(name) ?? 0))] as const).sort((a, b) => b[1] - a[1]);
  console.log(`${what.padEnd(52)} ${medians.map(([name, seconds]) => `${name} ${seconds.toFixed(2)}`).join(', ')}`);
}

interface Launcher {
  readyMs: number;
  /** What its processes had used when it said ready (undefined where /proc cannot be read). */
  cpu: StartCpu | undefined;
  stop(): Promise<void>;
}

/** `npm start` as a developer types it, in its own process group; resolves when it says ready. */
async function npmStart(dataDir: string, extraEnv: Record<string, string> = {}): Promise<Launcher> {
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: repoPath(),
    env: { ...process.env, ...extraEnv, DATA_DIR: dataDir, PORT_OFFSET: String(env.BENCH_PORT_OFFSET), LOG_LEVEL: 'warn', ...(env.SEED_PRODUCTS ? { SEED_PRODUCTS: String(env.SEED_PRODUCTS) } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const tail: string[] = [];
  const readyMs = await new Promise<number>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        if (line.includes('Supergraph ready in')) resolve(performance.now() - started);
      });
    }
    void exited.then(() => reject(new Error(`npm start exited before it was ready:\n${tail.join('\n')}`)));
  });
  const cpu = await readStartCpu(child.pid!).catch(() => undefined);
  return {
    readyMs,
    cpu,
    async stop() {
      // Ctrl-C, as in a terminal.
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    },
  };
}

async function waitReady(url: string, started: number, deadlineMs = 60_000): Promise<number> {
  while (performance.now() - started < deadlineMs) {
    if (await fetch(url).then((r) => r.ok, () => false)) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${url} not ready within ${deadlineMs} ms`);
}

function withoutRegistry({ REGISTRY_URL: _registry, ...rest }: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return rest;
}

async function gatewayAlone(): Promise<number> {
  const port = GATEWAY_PORT + env.BENCH_PORT_OFFSET + 50;
  const started = performance.now();
  const child = spawn(process.execPath, ['--enable-source-maps', distEntry('gateway')], {
    cwd: repoPath(),
    env: { ...withoutRegistry(process.env), PORT: String(port), METRICS_PORT: String(port + 1), LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  const ms = await waitReady(`http://127.0.0.1:${port}/readyz`, started);
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  return ms;
}

function timed(command: string, args: string[], extraEnv: Record<string, string> = {}): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    execFile(command, args, { cwd: repoPath(), env: { ...process.env, ...extraEnv } }, (error) => (error ? reject(error) : resolve(performance.now() - started))),
  );
}

console.log(`bench:start on ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${env.BENCH_RUNS} runs each\n`);
await build();

const gatewayRuns: number[] = [];
for (let i = 0; i < env.BENCH_RUNS + 2; i++) gatewayRuns.push(await gatewayAlone());
report('gateway alone (node gateway/dist/index.js, file)', gatewayRuns.slice(2));

const dataDirs: string[] = [];
const coldStarts: Launcher[] = [];
for (let i = 0; i < env.BENCH_RUNS; i++) {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-start-'));
  dataDirs.push(dataDir);
  const launcher = await npmStart(dataDir);
  coldStarts.push(launcher);
  await launcher.stop();
}
reportStarts('npm start, cold (empty DATA_DIR)', coldStarts);

// As above, but the empty database's template made first (an empty templates folder of its own).
const noTemplateStarts: Launcher[] = [];
for (let i = 0; i < env.BENCH_RUNS; i++) {
  const [dataDir, templatesDir] = await Promise.all([mkdtemp(join(tmpdir(), 'bench-start-')), mkdtemp(join(tmpdir(), 'bench-templates-'))]);
  const launcher = await npmStart(dataDir, { EMBEDDED_TEMPLATES_DIR: templatesDir });
  noTemplateStarts.push(launcher);
  await launcher.stop();
  await Promise.all([dataDir, templatesDir].map((dir) => rm(dir, { recursive: true, force: true })));
}
reportStarts('npm start, cold, template made first', noTemplateStarts);

const warmStarts: Launcher[] = [];
let running: Launcher | undefined;
for (let i = 0; i < env.BENCH_RUNS; i++) {
  running = await npmStart(dataDirs[0]!);
  warmStarts.push(running);
  if (i < env.BENCH_RUNS - 1) await running.stop();
}
reportStarts('npm start, warm', warmStarts);
const warmCpu = cpuAtReady(warmStarts);
if (warmCpu.length > 0) reportByProcess('  warm, CPU-s at ready by process (medians)', warmCpu);

// The registry CLI, against the registry of the last warm start.
const registry = { REGISTRY_URL: `http://127.0.0.1:${REGISTRY_PORT + env.BENCH_PORT_OFFSET}` };
const cliRuns = { help: [] as number[], history: [] as number[], nodeHistory: [] as number[] };
for (let i = 0; i < env.BENCH_RUNS + 1; i++) {
  cliRuns.help.push(await timed('npm', ['run', '--silent', 'registry', '--', '--help']));
  cliRuns.history.push(await timed('npm', ['run', '--silent', 'registry', '--', 'history'], registry));
  cliRuns.nodeHistory.push(await timed(process.execPath, ['--enable-source-maps', distEntry('registry-cli'), 'history'], registry));
}
report('npm run registry -- --help', cliRuns.help.slice(1));
report('npm run registry -- history', cliRuns.history.slice(1));
report('node schema-registry/dist/cli.js history (no npm)', cliRuns.nodeHistory.slice(1));
await running?.stop();
await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
