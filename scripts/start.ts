// `npm start`: the whole supergraph on this machine: five subgraphs (each with its own
// database, migrated and seeded), the schema registry, and the gateway running from the
// registry, each in its own process. Ctrl-C stops all.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { readFile } from 'node:fs/promises';
import { readSupergraphConfig } from '@supergraph/composition';
import { DEFAULT_SEED_PRODUCTS, DEMO_ACCOUNTS, parseEnv, registryTokenSchema } from '@supergraph/service-kit';
import { RegistryClient } from '../schema-registry/src/client.ts';
import { ensureServiceDatabases } from './local-databases.ts';
import { repoPath } from './paths.ts';
import { GATEWAY_PORT, REGISTRY_PORT, SUBGRAPHS, SUBGRAPH_NAMES } from './services.ts';

const env = parseEnv(
  z.object({
    DATABASE_URL: z.string().url().optional(),
    DATABASE_PREFIX: z.string().regex(/^[a-z][a-z0-9_]*$/).default('supergraph'),
    DATA_DIR: z.string().default(repoPath('.data')),
    SEED_PRODUCTS: z.coerce.number().int().min(1).default(DEFAULT_SEED_PRODUCTS),
    START_TIMEOUT_MS: z.coerce.number().int().default(180_000),
    // Shared with the registry and gateway processes (development defaults unless set).
    REGISTRY_ADMIN_TOKEN: registryTokenSchema('admin'),
    REGISTRY_PUBLISH_TOKEN: registryTokenSchema('publish'),
    REGISTRY_GATEWAY_TOKEN: registryTokenSchema('gateway'),
  }),
);

const started = Date.now();
const children = new Map<string, ChildProcess>();
let stopping = false;

function run(name: string, entry: string, extraEnv: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: repoPath(),
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => console.log(`[${name.padEnd(9)}] ${line}`));
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything`);
      void stopAll(1);
    }
  });
  children.set(name, child);
  return child;
}

async function waitUntilReady(name: string, port: number): Promise<void> {
  const deadline = Date.now() + env.START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (stopping) return;
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} was not ready on port ${port} after ${env.START_TIMEOUT_MS} ms`);
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const exits = [...children.values()].map(
    (child) =>
      new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  );
  await Promise.all(exits);
  console.log('all services stopped');
  process.exit(exitCode);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
// npm does not always pass a TERM on to this process; if our parent goes away, stop too,
// rather than leave six orphaned servers holding the ports.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void stopAll(0);
}, 1000).unref();

/**
 * The local subgraphs' schemas (supergraph.yaml) and the persisted operation lists
 * (gateway/persisted-operations) go to the registry, as a developer's CI would send them.
 * Unchanged schemas and lists make no new version, so a restart adds nothing to the history.
 */
async function publishLocalSchemas(): Promise<void> {
  // The admin token: here the working tree is the truth, routing URLs included (a routing-URL change is an admin's, ADR 0011).
  const client = new RegistryClient(`http://127.0.0.1:${REGISTRY_PORT}`, env.REGISTRY_ADMIN_TOKEN);
  const subgraphs = await readSupergraphConfig(repoPath('supergraph.yaml'));
  // deployFollows: the subgraphs this script starts serve these very files, and may still be starting (ADR 0013).
  const outcome = await client.publish(subgraphs.map((s) => ({ name: s.name, sdl: s.sdl, url: s.url })), { author: 'npm start', force: true, deployFollows: true });
  console.log(`[registry ] local subgraphs ${outcome.status}: supergraph version ${outcome.supergraphVersion}`);
  for (const list of ['storefront', 'partner-catalog']) {
    const manifest = JSON.parse(await readFile(repoPath('gateway', 'persisted-operations', `${list}.json`), 'utf8'));
    const registered = await client.registerOperations(list, manifest.operations, 'npm start');
    console.log(`[registry ] ${list} operation list ${registered.status}: version ${registered.version}`);
  }
}

try {
  const databaseUrls = env.DATABASE_URL
    ? await ensureServiceDatabases(env.DATABASE_URL, env.DATABASE_PREFIX, [...SUBGRAPH_NAMES, 'registry'])
    : ({} as Record<string, string>);
  console.log(env.DATABASE_URL ? `databases: PostgreSQL (${env.DATABASE_PREFIX}_*)` : `databases: embedded PGlite under ${env.DATA_DIR}`);

  const registryTokens = { REGISTRY_ADMIN_TOKEN: env.REGISTRY_ADMIN_TOKEN, REGISTRY_PUBLISH_TOKEN: env.REGISTRY_PUBLISH_TOKEN, REGISTRY_GATEWAY_TOKEN: env.REGISTRY_GATEWAY_TOKEN };
  run('registry', 'schema-registry/src/index.ts', {
    PORT: String(REGISTRY_PORT),
    DATA_DIR: `${env.DATA_DIR}/schema-registry`,
    ...registryTokens,
    ...(databaseUrls.registry ? { DATABASE_URL: databaseUrls.registry } : {}),
  });
  const registryReady = waitUntilReady('registry', REGISTRY_PORT).then(publishLocalSchemas);

  await Promise.all([
    registryReady,
    ...SUBGRAPHS.map(({ name, port }) => {
      run(name, `subgraphs/${name}/src/index.ts`, {
        PORT: String(port),
        DATA_DIR: `${env.DATA_DIR}/${name}`,
        SEED_PRODUCTS: String(env.SEED_PRODUCTS),
        PRODUCTS_SUBGRAPH_URL: 'http://127.0.0.1:4001/graphql',
        INVENTORY_URL: 'http://127.0.0.1:4004',
        ...(databaseUrls[name] ? { DATABASE_URL: databaseUrls[name] } : {}),
      });
      return waitUntilReady(name, port);
    }),
  ]);
  run('gateway', 'gateway/src/index.ts', {
    PORT: String(GATEWAY_PORT),
    REGISTRY_URL: `http://127.0.0.1:${REGISTRY_PORT}`,
    REGISTRY_TOKEN: env.REGISTRY_GATEWAY_TOKEN,
  });
  await waitUntilReady('gateway', GATEWAY_PORT);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
  Supergraph ready in ${seconds} s
  Gateway:     http://localhost:${GATEWAY_PORT}/graphql   (runs the registry's supergraph)
  Registry:    http://localhost:${REGISTRY_PORT}/v1        (npm run registry -- --help)
  Demo login:  ${DEMO_ACCOUNTS.shopper.email} / ${DEMO_ACCOUNTS.shopper.password}
  Admin login: ${DEMO_ACCOUNTS.admin.email} / ${DEMO_ACCOUNTS.admin.password}   (demo data only)
  Ctrl-C stops every service; data is kept${env.DATABASE_URL ? '' : ` in ${env.DATA_DIR}`}.
`);
} catch (error) {
  console.error(`start failed: ${(error as Error).message}`);
  await stopAll(1);
}
