// `npm start`: the whole supergraph on this machine: five subgraphs (each with its own
// database, migrated and seeded), the schema registry, and the gateway running from the
// registry, each in its own process running its built JavaScript (what is stale is built first).
// This launcher runs built too (scripts/dist/start.js, through scripts/start.mjs): through a
// TypeScript loader it took 1.8 s to start its first process.
// Without DATABASE_URL, the embedded databases run in one more process, started first
// (scripts/embedded-databases.ts), and every service reaches its own over the wire.
//
// A service that crashes is restarted with backoff (0.5 s doubling to 10 s, reset once it has
// stayed up a while); the others keep running, and the gateway answers partially meanwhile.
// Ctrl-C (or SIGTERM) stops all: each child gets one SIGTERM and drains its requests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { get as httpGet } from 'node:http';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
// Narrow imports: every module loaded here delays the first service's start.
import { parseEnv, registryTokenSchema } from '@supergraph/service-kit/env';
import { defaultMetricsPort } from '@supergraph/service-kit/ports';
import { embeddedDatabaseUrl } from '@supergraph/service-kit/database';
import { DEFAULT_SEED_PRODUCTS, DEMO_ACCOUNTS } from '@supergraph/service-kit/seed-plan';
import { readSupergraphConfig } from '@supergraph/composition/config';
import { RegistryClient } from '../schema-registry/src/client.ts';
import { build, distEntry } from './build.ts';
import { GATEWAY_V8_FLAGS } from '../gateway/src/v8-flags.ts';
import { ensureServiceDatabases } from './local-databases.ts';
import { repoPath } from './paths.ts';
import { DATABASE_SERVICES, EMBEDDED_DATABASES_PORT, EMBEDDED_TEMPLATES_FOLDER, EMBEDDED_DATABASES_V8_FLAGS, GATEWAY_PORT, REGISTRY_PORT, SUBGRAPHS, SUBGRAPH_NAMES } from './services.ts';
import { persistedList } from '@supergraph/sdk/persisted-lists';
import { buildStorefront, storefrontIsStale } from '../frontend-sdk/examples/storefront/build.ts';
import { startStorefrontServer, type RunningStorefront } from '../frontend-sdk/examples/storefront/server.ts';

/** The web storefront (served by the launcher itself, with /graphql passed to the gateway). */
const STOREFRONT_PORT = 3000;

const env = parseEnv(
  z.object({
    DATABASE_URL: z.string().url().optional(),
    DATABASE_PREFIX: z.string().regex(/^[a-z][a-z0-9_]*$/).default('supergraph'),
    DATA_DIR: z.string().default(repoPath('.data')),
    // The empty embedded database every service's is copied from, shared by every DATA_DIR of this
    // clone (`npm install` makes it; scripts/embedded-data-folders.ts).
    EMBEDDED_TEMPLATES_DIR: z.string().default(repoPath(EMBEDDED_TEMPLATES_FOLDER)),
    SEED_PRODUCTS: z.coerce.number().int().min(1).default(DEFAULT_SEED_PRODUCTS),
    START_TIMEOUT_MS: z.coerce.number().int().min(1).default(180_000),
    // Added to every port (public and metrics): a second launcher (a test) beside a developer's.
    PORT_OFFSET: z.coerce.number().int().min(0).max(50_000).default(0),
    // At most this many services start at a time: on few cores, all at once makes the first
    // ones (the registry, which the gateway waits for) slower.
    START_CONCURRENCY: z.coerce.number().int().min(1).default(availableParallelism()),
    // Shared with the registry and gateway processes (development defaults unless set).
    REGISTRY_ADMIN_TOKEN: registryTokenSchema('admin'),
    REGISTRY_PUBLISH_TOKEN: registryTokenSchema('publish'),
    REGISTRY_GATEWAY_TOKEN: registryTokenSchema('gateway'),
  }),
);

/** Restart backoff: first delay, cap, and how long a run must last to count as stable again. */
const RESTART_FIRST_MS = 500;
const RESTART_MAX_MS = 10_000;
const STABLE_AFTER_MS = 30_000;
/** Services drain in-flight requests on SIGTERM (SHUTDOWN_TIMEOUT_MS, 25 s by default); then they are killed. */
const STOP_KILL_AFTER_MS = 30_000;
/** While starting, a service that exits this many times before it is ready fails the start. */
const START_ATTEMPTS = 3;

const started = Date.now();
const port = (base: number) => base + env.PORT_OFFSET;
const metricsPort = (base: number) => defaultMetricsPort(base) + env.PORT_OFFSET;
const logDir = join(env.DATA_DIR, 'logs');
mkdirSync(logDir, { recursive: true });
let stopping = false;

const say = (line: string) => console.log(`[launcher ] ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One service process, restarted when it dies unless the launcher is stopping. */
class Supervised {
  child: ChildProcess | undefined;
  readonly logFile: string;
  private readonly log: WriteStream;
  private delayMs = RESTART_FIRST_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  restarts = 0;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly childEnv: Record<string, string>,
    /** Its build target (scripts/build.ts). */
    private readonly entry: string,
  ) {
    this.logFile = join(logDir, `${name}.log`);
    this.log = createWriteStream(this.logFile, { flags: 'a' });
  }

  start(): void {
    this.restartTimer = undefined;
    this.startedAt = Date.now();
    // Its own process group: Ctrl-C reaches the launcher only, and each child gets exactly one
    // SIGTERM from it (a second signal would make a service skip its drain).
    const flags = this.name === 'gateway' ? GATEWAY_V8_FLAGS : this.name === DATABASES ? EMBEDDED_DATABASES_V8_FLAGS : [];
    const child = spawn(process.execPath, ['--enable-source-maps', ...flags, distEntry(this.entry)], {
      cwd: repoPath(),
      env: { ...process.env, ...this.childEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    say(`${this.name} started (pid ${child.pid})${this.restarts > 0 ? `, restart ${this.restarts}` : ''}`);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        console.log(`[${this.name.padEnd(9)}] ${line}`);
        this.log.write(`${line}\n`);
      });
    }
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (stopping) return;
      const upMs = Date.now() - this.startedAt;
      if (upMs >= STABLE_AFTER_MS) this.delayMs = RESTART_FIRST_MS;
      this.restarts += 1;
      say(`${this.name} exited (${signal ?? `code ${code}`}) after ${seconds(upMs)}; restarting in ${seconds(this.delayMs)} (restart ${this.restarts}); the other services keep running. Its log: ${this.logFile}`);
      this.restartTimer = setTimeout(() => this.start(), this.delayMs);
      this.delayMs = Math.min(this.delayMs * 2, RESTART_MAX_MS);
    });
  }

  /** SIGTERM, then SIGKILL if it has not drained in time; resolves when it is gone. */
  stop(): Promise<void> {
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_KILL_AFTER_MS);
      child.once('exit', () => {
        clearTimeout(kill);
        this.log.end();
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

const services = new Map<string, Supervised>();
/** The process serving the embedded databases (without DATABASE_URL). */
const DATABASES = 'databases';
let storefront: RunningStorefront | undefined;

/**
 * One poll of a service's /readyz. Plain node:http, not fetch: the launcher polls each service every
 * 100 ms while it starts, a couple of hundred polls in all, and fetch took twice the CPU per poll
 * (2.0 ms against 1.0, both ends counted) besides loading undici.
 */
function answersReady(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = httpGet({ host: '127.0.0.1', port, path: '/readyz', agent: false, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

async function waitUntilReady(service: Supervised): Promise<void> {
  const deadline = Date.now() + env.START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (stopping) return;
    // A service that keeps dying before it is ever ready (a port in use, a bad setting) will not be saved by waiting.
    if (service.restarts >= START_ATTEMPTS) {
      throw new Error(`${service.name} exited ${service.restarts} times before it was ready; its output is above (lines starting [${service.name}]) and in ${service.logFile}`);
    }
    const ready = await answersReady(service.port);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${service.name} was not ready on http://127.0.0.1:${service.port}/readyz after ${seconds(env.START_TIMEOUT_MS)}` +
      (service.restarts > 0 ? ` (it exited ${service.restarts} time(s) meanwhile)` : '') +
      `.\n  Its output is above (lines starting [${service.name}]) and in ${service.logFile}.` +
      `\n  If it was still starting (a busy machine), allow more time: START_TIMEOUT_MS=${env.START_TIMEOUT_MS * 3} npm start`,
  );
}

/** At most `slots` services initialising at once (embedded databases contend for the cores). */
function limiter(slots: number) {
  let free = slots;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (free > 0) free -= 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    }
  };
}

function startService(name: string, basePort: number, childEnv: Record<string, string>, entry = name): Promise<void> {
  // Stopped while it waited for a start slot: start nothing more.
  if (stopping) return Promise.resolve();
  const service = new Supervised(name, port(basePort), {
    ...childEnv,
    PORT: String(port(basePort)),
    // Explicit per child: a METRICS_PORT exported in the shell would make them all clash.
    METRICS_PORT: String(metricsPort(basePort)),
  }, entry);
  services.set(name, service);
  service.start();
  return waitUntilReady(service);
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping every service');
  // The databases last: the others finish their requests first.
  const last = services.get(DATABASES);
  await Promise.all([...[...services.values()].filter((s) => s !== last).map((s) => s.stop()), storefront?.close()]);
  await last?.stop();
  console.log('all services stopped');
  process.exit(exitCode);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
// The children run in their own process groups: should the launcher end some other way, take them along.
process.on('exit', () => {
  for (const { child } of services.values()) if (child?.pid && child.exitCode === null) child.kill('SIGKILL');
});
// npm does not always pass a TERM on to this process; if our parent goes away, stop too,
// rather than leave six orphaned servers holding the ports.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void stopAll(0);
}, 1000).unref();

/**
 * Every service's embedded database, in one process of their own: their URLs by service at once,
 * and when they are all open. The registry's opens first: the gateway waits for the registry.
 */
async function startEmbeddedDatabases(): Promise<{ urls: Record<string, string>; ready: Promise<void> }> {
  const databases = DATABASE_SERVICES.map(({ name, dataDir }, i) => ({ name, dataDir: join(env.DATA_DIR, dataDir), port: port(EMBEDDED_DATABASES_PORT + 1 + i) }));
  const registryFirst = [...databases].sort((a, b) => Number(b.name === 'registry') - Number(a.name === 'registry'));
  // It also gives a folder without a cluster a copy of the template, made first if missing (scripts/embedded-data-folders.ts).
  const ready = startService(DATABASES, EMBEDDED_DATABASES_PORT, { EMBEDDED_DATABASES: JSON.stringify(registryFirst), EMBEDDED_TEMPLATES_DIR: env.EMBEDDED_TEMPLATES_DIR }, 'embedded-databases');
  return { urls: Object.fromEntries(databases.map((d) => [d.name, embeddedDatabaseUrl(`127.0.0.1:${d.port}`)])), ready };
}

/**
 * The local subgraphs' schemas (supergraph.yaml) and the persisted operation lists
 * (gateway/persisted-operations) go to the registry, as a developer's CI would send them.
 * Unchanged schemas and lists make no new version, so a restart adds nothing to the history.
 */
async function publishLocalSchemas(): Promise<void> {
  // The admin token: here the working tree is the truth, routing URLs included (a routing-URL change is an admin's, ADR 0011).
  const client = new RegistryClient(`http://127.0.0.1:${port(REGISTRY_PORT)}`, env.REGISTRY_ADMIN_TOKEN);
  const subgraphs = await readSupergraphConfig(repoPath('supergraph.yaml'));
  // Routing URLs where this launcher's subgraphs really listen (PORT_OFFSET moves them).
  const routingUrl = (url: string) => {
    const parsed = new URL(url);
    if (parsed.port) parsed.port = String(Number(parsed.port) + env.PORT_OFFSET);
    return parsed.toString();
  };
  // deployFollows: the subgraphs this script starts serve these very files, and may still be starting (ADR 0013).
  const outcome = await client.publish(subgraphs.map((s) => ({ name: s.name, sdl: s.sdl, url: s.url && routingUrl(s.url) })), { author: 'npm start', force: true, deployFollows: true });
  console.log(`[registry ] local subgraphs ${outcome.status}: supergraph version ${outcome.supergraphVersion}`);
  for (const list of ['storefront', 'partner-catalog']) {
    const manifest = persistedList(list);
    // force: the working tree's lists are the truth here, an operation deleted from the SDK included.
    const registered = await client.registerOperations(list, manifest.operations, 'npm start', { force: true });
    console.log(`[registry ] ${list} operation list ${registered.status}: version ${registered.version}`);
  }
}

try {
  // `npm start` never runs JavaScript older than its sources: what changed since the last build is rebuilt.
  const built = await build();
  if (built.targets.length > 0) say(`built ${built.targets.join(', ')} in ${built.ms} ms`);
  if (await storefrontIsStale()) say(`built the storefront in ${(await buildStorefront({ quiet: true })).ms} ms`);
  storefront = await startStorefrontServer({ port: port(STOREFRONT_PORT), host: '0.0.0.0', gatewayUrl: `http://127.0.0.1:${port(GATEWAY_PORT)}/graphql` }).catch((error: Error) => {
    throw new Error(`the storefront could not listen on port ${port(STOREFRONT_PORT)}: ${error.message}`);
  });
  console.log(env.DATABASE_URL ? `databases: PostgreSQL (${env.DATABASE_PREFIX}_*)` : `databases: embedded PGlite under ${env.DATA_DIR}`);
  const { urls: databaseUrls, ready: databasesReady } = env.DATABASE_URL
    ? { urls: await ensureServiceDatabases(env.DATABASE_URL, env.DATABASE_PREFIX, [...SUBGRAPH_NAMES, 'registry']), ready: Promise.resolve() }
    : await startEmbeddedDatabases();
  // PGlite has one session: a pool of one, as when a service opens its own. The services start
  // while the databases open, each waiting for its own.
  const embeddedClientEnv: Record<string, string> = env.DATABASE_URL ? {} : { DATABASE_POOL_MAX: '1', DATABASE_WAIT_MS: String(env.START_TIMEOUT_MS) };
  const withDatabase = limiter(env.START_CONCURRENCY);

  const registryTokens = { REGISTRY_ADMIN_TOKEN: env.REGISTRY_ADMIN_TOKEN, REGISTRY_PUBLISH_TOKEN: env.REGISTRY_PUBLISH_TOKEN, REGISTRY_GATEWAY_TOKEN: env.REGISTRY_GATEWAY_TOKEN };
  // First in line: the gateway waits for the registry, nothing waits for the subgraphs.
  const registryReady = withDatabase(() =>
    startService('registry', REGISTRY_PORT, {
      ...registryTokens,
      DATABASE_URL: databaseUrls.registry!,
      ...embeddedClientEnv,
    }),
  ).then(publishLocalSchemas);

  // reviews and orders call products and inventory only when a request needs them, so no subgraph waits for another.
  const subgraphsReady = SUBGRAPHS.map(({ name, port: basePort }) =>
    withDatabase(() =>
      startService(name, basePort, {
        SEED_PRODUCTS: String(env.SEED_PRODUCTS),
        PRODUCTS_SUBGRAPH_URL: `http://127.0.0.1:${port(4001)}/graphql`,
        INVENTORY_URL: `http://127.0.0.1:${port(4004)}`,
        REVIEWS_URL: `http://127.0.0.1:${port(4005)}`,
        DATABASE_URL: databaseUrls[name]!,
        ...embeddedClientEnv,
      }),
    ),
  );
  const gatewayReady = registryReady.then(() =>
    startService('gateway', GATEWAY_PORT, {
      REGISTRY_URL: `http://127.0.0.1:${port(REGISTRY_PORT)}`,
      REGISTRY_TOKEN: env.REGISTRY_GATEWAY_TOKEN,
    }),
  );
  await Promise.all([databasesReady, registryReady, gatewayReady, ...subgraphsReady]);
  if (stopping) await new Promise(() => {});

  console.log(`
  Supergraph ready in ${seconds(Date.now() - started)}
  Storefront:  http://localhost:${port(STOREFRONT_PORT)}/          (the web shop; open it in a browser)
  Gateway:     http://localhost:${port(GATEWAY_PORT)}/graphql   (runs the registry's supergraph)
  Registry:    http://localhost:${port(REGISTRY_PORT)}/v1        (npm run registry -- --help)
  Demo login:  ${DEMO_ACCOUNTS.shopper.email} / ${DEMO_ACCOUNTS.shopper.password}
  Admin login: ${DEMO_ACCOUNTS.admin.email} / ${DEMO_ACCOUNTS.admin.password}   (demo data only)
  Logs:        ${logDir}
  A service that crashes is restarted; Ctrl-C stops every service; data is kept${env.DATABASE_URL ? '' : ` in ${env.DATA_DIR}`}.
`);
} catch (error) {
  console.error(`start failed: ${(error as Error).message}`);
  await stopAll(1);
}
