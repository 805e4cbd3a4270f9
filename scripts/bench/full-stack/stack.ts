// The supergraph as `npm start` runs it, for `npm run bench:full-stack`: scripts/start.ts itself
// in a child process (each service its own process, running its built JavaScript), moved off the
// developer's ports by PORT_OFFSET, on `<prefix>_*` databases of its own and Redis keys under a
// prefix of its own, both removed by `stop()`. The launcher prints each child's pid; we read them
// so that each process's CPU can be sampled from /proc.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { defaultMetricsPort } from '@supergraph/service-kit/ports';
import { dropServiceDatabases } from '../../local-databases.ts';
import { repoPath } from '../../paths.ts';
import { GATEWAY_PORT, REGISTRY_PORT, SUBGRAPHS, SUBGRAPH_NAMES } from '../../services.ts';

export interface StackOptions {
  databaseUrl: string;
  /** Unset: no Redis (so no response cache, and the gateway in one process unless `env` says otherwise). */
  redisUrl: string | undefined;
  /** Database and Redis key prefix, unique to this run. */
  prefix: string;
  portOffset: number;
  seedProducts: number;
  dataDir: string;
  logLevel: string;
  startTimeoutMs: number;
  /** More settings for every service (GATEWAY_WORKERS, say). */
  env?: Record<string, string>;
}

export interface Service {
  name: string;
  pid: number;
  /** Where its Prometheus metrics are. */
  metricsUrl: string;
}

export interface RunningStack {
  /** Resolves once the launcher says the supergraph is ready; rejects (having stopped it) if it never is. */
  ready: Promise<void>;
  gatewayUrl: string;
  /** The launcher's output; each service's log is in `<dataDir>/logs`. */
  logFile: string;
  /** The launcher's children by name (gateway, registry, products, …), pids as last printed. */
  services(): Service[];
  launcherPid: number;
  /** Stops every service, drops the databases and the Redis keys (the data folder is the caller's). */
  stop(): Promise<void>;
}

const STARTED = /^\[launcher \] (\S+) started \(pid (\d+)\)/;

/** Starts the launcher and returns at once, so that a Ctrl-C while it starts can still stop it and drop its databases. */
export function startFullStack(options: StackOptions): RunningStack {
  const port = (base: number) => base + options.portOffset;
  const metricsUrl = (base: number) => `http://127.0.0.1:${defaultMetricsPort(base) + options.portOffset}/metrics`;
  const basePorts = new Map<string, number>([['gateway', GATEWAY_PORT], ['registry', REGISTRY_PORT], ...SUBGRAPHS.map((s) => [s.name, s.port] as [string, number])]);
  const logFile = join(options.dataDir, 'launcher.log');
  const log = createWriteStream(logFile);
  const { REDIS_URL: _theCallersRedis, ...callersEnv } = process.env;
  const child = spawn(process.execPath, [repoPath('scripts/start.mjs')], {
    cwd: repoPath(),
    env: {
      ...callersEnv,
      DATABASE_URL: options.databaseUrl,
      DATABASE_PREFIX: options.prefix,
      DATA_DIR: options.dataDir,
      SEED_PRODUCTS: String(options.seedProducts),
      PORT_OFFSET: String(options.portOffset),
      START_TIMEOUT_MS: String(options.startTimeoutMs),
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      // Gateway and subgraphs agree on it (subgraph purges address the gateway's response cache).
      REDIS_KEY_PREFIX: `${options.prefix}:`,
      // Every request comes from one address here: the per-client limit would be the first bottleneck.
      RATE_LIMIT_PER_MINUTE: '100000000',
      LOG_LEVEL: options.logLevel,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, as a terminal's `npm start`: our Ctrl-C reaches us, and we stop it with one SIGINT.
    detached: true,
  });
  const pids = new Map<string, number>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const tail: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        log.write(`${line}\n`);
        tail.push(line);
        if (tail.length > 30) tail.shift();
        const started = STARTED.exec(line);
        if (started) pids.set(started[1]!, Number(started[2]));
        if (line.includes('Supergraph ready in')) resolve();
      });
    }
    void exited.then((code) => reject(new Error(`the launcher (scripts/start.ts) exited (code ${code}) before the supergraph was ready; last lines:\n${tail.join('\n')}\n(whole output: ${logFile})`)));
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    }
    log.end();
    await dropServiceDatabases(options.databaseUrl, options.prefix, [...SUBGRAPH_NAMES, 'registry']);
    if (options.redisUrl) await deleteRedisKeys(options.redisUrl, `${options.prefix}:`);
  };
  return {
    ready: ready.catch(async (error: Error) => {
      await stop().catch(() => {});
      throw error;
    }),
    gatewayUrl: `http://127.0.0.1:${port(GATEWAY_PORT)}/graphql`,
    launcherPid: child.pid!,
    logFile,
    services: () => [...pids].map(([name, pid]) => ({ name, pid, metricsUrl: metricsUrl(basePorts.get(name) ?? GATEWAY_PORT) })),
    stop,
  };
}

/** Removes this run's keys (response cache, APQ, rate limits) so the shared Redis keeps nothing of it. */
async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
