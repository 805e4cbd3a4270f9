import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';
import { dropServiceDatabases, ensureServiceDatabases } from '../../scripts/local-databases.ts';
import { repoPath } from '../../scripts/paths.ts';
import { distEntry } from '../../scripts/build.ts';
import { stack } from './graphql.ts';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** Whether a process with this pid still exists (signal 0 only asks). */
export const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The pids of a process's children (ps exits 1 when there are none). */
export const childPids = async (parent: number) =>
  (await promisify(execFile)('ps', ['-o', 'pid=', '--ppid', String(parent)]).catch(() => ({ stdout: '' }))).stdout.split('\n').map((pid) => Number(pid.trim())).filter((pid) => pid > 0);

export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** How it ended: its exit code, or the signal that killed it. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * A real service process (`entry` run through tsx, as `npm start` runs it), on free public and
 * metrics ports, ready when its /readyz answers. Killed after the test file if still running.
 */
export async function startServiceProcess(entry: string, env: Record<string, string>): Promise<ServiceProcess> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: repoPath(),
    env: { ...process.env, LOG_LEVEL: 'warn', PORT: String(port), METRICS_PORT: String(metricsPort), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode} before it was ready`);
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return { url, child, exit };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${entry} did not get ready`);
}

/**
 * A database of a test's own for one subgraph process: a new PostgreSQL database when
 * DATABASE_URL is set, a PGlite folder otherwise; dropped after the test file.
 */
export async function ownDatabase(service: string): Promise<Record<string, string>> {
  const serverUrl = process.env.DATABASE_URL;
  const runId = `p${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  if (serverUrl) {
    const url = (await ensureServiceDatabases(serverUrl, runId, [service]))[service]!;
    cleanups.push(() => dropServiceDatabases(serverUrl, runId, [service]));
    return { DATABASE_URL: url };
  }
  const dataDir = await mkdtemp(join(tmpdir(), `${service}-process-`));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  return { DATA_DIR: dataDir };
}

export interface BuiltServiceProcess extends ServiceProcess {
  metricsUrl: string;
  /** Every line it wrote (stdout and stderr), for failure messages. */
  output: string[];
}

/**
 * `node <service>/dist/index.js`, as the image runs it, with only PATH from this environment and
 * ephemeral ports unless `env` says otherwise; ready when it logs the line (pino JSON) naming its
 * URL and metrics URL. Killed after the test file if still running.
 */
export function startBuiltService(service: string, env: Record<string, string>, timeoutMs = 120_000): Promise<BuiltServiceProcess> {
  const entry = distEntry(service);
  const child = spawn(process.execPath, ['--enable-source-maps', entry], {
    cwd: repoPath(),
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const output: string[] = [];
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start:\n${output.join('\n')}`)), timeoutMs);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        try {
          const logged = JSON.parse(line) as { url?: string; metrics?: string };
          if (logged.url && logged.metrics) {
            clearTimeout(timer);
            resolve({ url: logged.url, metricsUrl: logged.metrics, child, exit, output });
          }
        } catch {
          // not a log line
        }
      });
    }
    void exit.then(({ code, signal }) => reject(new Error(`${entry} exited with ${code ?? signal}:\n${output.join('\n')}`)));
  });
}

/**
 * What an orders process of a test's own needs to join the test stack: inventory and products to
 * call, its events on the stack's channels. Its database and anything else come in `extra`.
 */
export function ordersEnvInStack(extra: Record<string, string>): Record<string, string> {
  return {
    SEED: 'none',
    INTERNAL_TOKEN_SECRET: stack().secrets.internalToken,
    INVENTORY_URL: stack().subgraphs.inventory.url.replace(/\/graphql$/, ''),
    PRODUCTS_SUBGRAPH_URL: stack().subgraphs.products.url,
    ...(stack().redisUrl ? { REDIS_URL: stack().redisUrl } : {}),
    EVENTS_CHANNEL_PREFIX: stack().eventsChannelPrefix,
    ...extra,
  };
}
