// `npm start` keeps the supergraph up when one service crashes (issue 10 §5): the launcher
// restarts it with backoff, the others never stop, and the gateway answers partially meanwhile.
// The launcher runs as `npm start` runs it (the command of package.json's start script, without
// npm in between so that its own exit status is seen), on ports of its own (PORT_OFFSET), a
// temporary DATA_DIR, and, with DATABASE_URL, databases of its own (a unique DATABASE_PREFIX).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { dropServiceDatabases } from '../../scripts/local-databases.ts';
import { repoPath } from '../../scripts/paths.ts';
import { DATABASE_SERVICES, EMBEDDED_DATABASES_PORT, GATEWAY_PORT, REGISTRY_PORT, SUBGRAPHS, SUBGRAPH_NAMES } from '../../scripts/services.ts';
import { persistedOperations } from '@supergraph/sdk/persisted-lists';
import { DEMO_ACCOUNTS } from '@supergraph/service-kit/seed-plan';
import { processAlive } from '../support/processes.ts';

/** The storefront the launcher serves itself (scripts/start.ts). */
const STOREFRONT_PORT = 3000;
const BASE_PORTS = [GATEWAY_PORT, REGISTRY_PORT, STOREFRONT_PORT, ...SUBGRAPHS.map((s) => s.port), EMBEDDED_DATABASES_PORT, ...DATABASE_SERVICES.map((_, i) => EMBEDDED_DATABASES_PORT + 1 + i)];
const METRICS_BASE_PORTS = [9400, 9410, ...SUBGRAPHS.map((s) => s.port + 5400)];

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * An offset that puts every port the launcher uses on a free one, below Linux's ephemeral range
 * (32768 and up): a port there can be taken by any outgoing connection while the services start.
 */
async function freePortOffset(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const offset = 10_000 + Math.floor(Math.random() * 13_000); // highest port: 9410 + 23000 < 32768
    const ports = [...BASE_PORTS, ...METRICS_BASE_PORTS].map((p) => p + offset);
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return offset;
  }
  throw new Error('no free port range for the launcher');
}


// A new alias each time: no response cache (with REDIS_URL) answers for the subgraphs.
let sent = 0;
const productPageQuery = (alias: string) => `{ ${alias}: products(first: 3) { edges { node { id name reviews { rating } } } } }`;

interface Answer {
  ok: boolean;
  reviewsAnswered: boolean;
  detail: string;
}

/** One query needing products and reviews: ok if answered with products (reviews may be missing, with SUBGRAPH_UNAVAILABLE). */
async function productPage(gateway: string): Promise<Answer> {
  const alias = `page${++sent}`;
  try {
    const response = await fetch(`${gateway}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: productPageQuery(alias) }) });
    const body = (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
    const edges = body.data?.[alias]?.edges as { node: { reviews: unknown } }[] | undefined;
    const codes = (body.errors ?? []).map((e) => e.extensions?.code);
    const ok = response.status === 200 && !!edges && edges.length > 0 && codes.every((code) => code === 'SUBGRAPH_UNAVAILABLE');
    const reviewsAnswered = ok && codes.length === 0 && edges!.every((e) => Array.isArray(e.node.reviews));
    return { ok, reviewsAnswered, detail: `${response.status} ${JSON.stringify(body).slice(0, 300)}` };
  } catch (error) {
    return { ok: false, reviewsAnswered: false, detail: (error as Error).message };
  }
}

describe('npm start: a crashed service is restarted and the rest keep answering', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('kill -9 of reviews: every request answered (partially while it is down), reviews back by itself, nothing else stopped, Ctrl-C exits 0 with every child gone', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'launcher-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const offset = await freePortOffset();
    const unique = `launcher_test_${process.pid}_${Date.now().toString(36)}`;
    if (process.env.DATABASE_URL) {
      cleanups.push(() => dropServiceDatabases(process.env.DATABASE_URL!, unique, [...SUBGRAPH_NAMES, 'registry']));
    }
    if (!process.env.DATABASE_URL) {
      // users' embedded database left by a PGlite on another PostgreSQL major version (16): moved aside, kept, replaced.
      await mkdir(join(dataDir, 'users'), { recursive: true });
      await writeFile(join(dataDir, 'users', 'PG_VERSION'), '16\n');
      await writeFile(join(dataDir, 'users', 'kept.txt'), 'the old cluster');
    }
    // The launcher's own templates folder (not the clone's shared one), holding another PGlite's template, which this one has no use for.
    const templatesDir = await mkdtemp(join(tmpdir(), 'launcher-templates-'));
    cleanups.push(() => rm(templatesDir, { recursive: true, force: true }));
    await mkdir(join(templatesDir, '.pglite-template-0.0.1'), { recursive: true });
    const output: string[] = [];
    const pids = new Map<string, number>();
    const [command, ...args] = (JSON.parse(await readFile(repoPath('package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(' ');
    expect(command).toBe('node');
    const launcher: ChildProcess = spawn(process.execPath, args, {
      cwd: repoPath(),
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATA_DIR: dataDir,
        EMBEDDED_TEMPLATES_DIR: templatesDir,
        SEED_PRODUCTS: '30',
        PORT_OFFSET: String(offset),
        DATABASE_PREFIX: unique,
        // Shared Redis: keys and channels of this launcher's own.
        REDIS_KEY_PREFIX: `${unique}:`,
        EVENTS_CHANNEL_PREFIX: `${unique}:`,
        RATE_LIMIT_PER_MINUTE: '100000',
        LOG_LEVEL: 'warn',
        START_TIMEOUT_MS: '150000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, as in a terminal: Ctrl-C goes to the launcher, not to the services.
      detached: true,
    });
    const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (launcher.exitCode === null) process.kill(-launcher.pid!, 'SIGKILL');
      for (const pid of pids.values()) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    });
    for (const stream of [launcher.stdout!, launcher.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        const started = /^\[launcher \] (\S+) started \(pid (\d+)\)/.exec(line);
        if (started) pids.set(started[1]!, Number(started[2]));
      });
    }
    const waitFor = async (what: string, test: () => boolean | Promise<boolean>, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (await test()) return;
        if (launcher.exitCode !== null) throw new Error(`launcher exited (${launcher.exitCode}) while waiting for ${what}:\n${output.slice(-30).join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`timed out waiting for ${what}:\n${output.slice(-30).join('\n')}`);
    };

    await waitFor('the supergraph', () => output.some((line) => line.includes('Supergraph ready in')), 170_000);
    const gateway = `http://127.0.0.1:${GATEWAY_PORT + offset}`;
    expect((await productPage(gateway)).reviewsAnswered).toBe(true);
    if (!process.env.DATABASE_URL) {
      expect(output.some((line) => line.includes(`${join(dataDir, 'users')} was made by embedded PostgreSQL 16`))).toBe(true);
      const aside = (await readdir(dataDir)).filter((name) => name.startsWith('users.postgres-16.'));
      expect(aside).toHaveLength(1);
      expect(await readFile(join(dataDir, aside[0]!, 'kept.txt'), 'utf8')).toBe('the old cluster');
      // The template was made in the folder given, this PGlite's only, and none in DATA_DIR.
      const templates = (await readdir(templatesDir)).filter((name) => name.startsWith('.pglite-template-'));
      expect(templates).toHaveLength(1);
      expect(templates[0]).not.toBe('.pglite-template-0.0.1');
      expect((await readdir(dataDir)).filter((name) => name.startsWith('.pglite-template-'))).toEqual([]);
      // users runs on its fresh database: a log-in with the seeded demo account works.
      const signIn = await fetch(`${gateway}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation($input: LogInInput!) { logIn(input: $input) { token } }', variables: { input: { email: DEMO_ACCOUNTS.shopper.email, password: DEMO_ACCOUNTS.shopper.password } } }),
      });
      expect(((await signIn.json()) as { data?: { logIn?: { token?: string } } }).data?.logIn?.token).toBeTruthy();
    }

    // The storefront: its URL printed beside the gateway's, the page served, /graphql passed to the gateway (a persisted id).
    const storefront = `http://localhost:${STOREFRONT_PORT + offset}/`;
    expect(output.some((line) => line.includes(`Storefront:  ${storefront}`))).toBe(true);
    const page = await fetch(storefront.replace('localhost', '127.0.0.1'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root"></div>');
    const categories = persistedOperations.find((o) => o.name === 'Categories')!;
    const viaStorefront = await fetch(`http://127.0.0.1:${STOREFRONT_PORT + offset}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operationName: 'Categories', variables: {}, extensions: { persistedQuery: { version: 1, sha256Hash: categories.id } } }),
    });
    expect(viaStorefront.status).toBe(200);
    expect(((await viaStorefront.json()) as { data?: { categories?: unknown[] } }).data?.categories?.length).toBeGreaterThan(0);
    const before = new Map(pids);
    const embedded = process.env.DATABASE_URL ? [] : ['databases'];
    expect([...before.keys()].sort()).toEqual(['gateway', 'registry', ...SUBGRAPH_NAMES, ...embedded].sort());

    // Requests keep coming while reviews is killed, down, restarted and the breaker recovers.
    const answers: Answer[] = [];
    let sending = true;
    const load = (async () => {
      while (sending) {
        answers.push(await productPage(gateway));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(before.get('reviews')!, 'SIGKILL');
    await waitFor('the launcher to restart reviews', () => pids.get('reviews') !== before.get('reviews'), 30_000);
    await waitFor('reviews to answer again through the gateway', async () => (await productPage(gateway)).reviewsAnswered, 90_000);
    sending = false;
    await load;

    expect(output.some((line) => /reviews exited \(SIGKILL\).*restarting in/.test(line))).toBe(true);
    const failed = answers.filter((a) => !a.ok);
    expect(failed.map((a) => a.detail)).toEqual([]);
    // Some answers were partial while reviews was down (the kill was seen), and none failed outright.
    expect(answers.some((a) => !a.reviewsAnswered)).toBe(true);
    for (const [name, pid] of before) if (name !== 'reviews') expect(processAlive(pid), `${name} still running`).toBe(true);
    expect(processAlive(pids.get('reviews')!)).toBe(true);

    if (!process.env.DATABASE_URL) {
      // The embedded databases' process killed: restarted on the same ports, and every service
      // reconnects by itself (none is restarted) with its data intact.
      const servicesBefore = new Map(pids);
      process.kill(servicesBefore.get('databases')!, 'SIGKILL');
      await waitFor('the launcher to restart the databases', () => pids.get('databases') !== servicesBefore.get('databases'), 30_000);
      await waitFor('answers with reviews again', async () => (await productPage(gateway)).reviewsAnswered, 90_000);
      const signIn = await fetch(`${gateway}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation($input: LogInInput!) { logIn(input: $input) { token } }', variables: { input: { email: DEMO_ACCOUNTS.shopper.email, password: DEMO_ACCOUNTS.shopper.password } } }),
      });
      expect(((await signIn.json()) as { data?: { logIn?: { token?: string } } }).data?.logIn?.token).toBeTruthy();
      for (const [name, pid] of servicesBefore) if (name !== 'databases') expect(pids.get(name), `${name} not restarted`).toBe(pid);
      expect(output.some((line) => /databases exited \(SIGKILL\).*restarting in/.test(line))).toBe(true);
    }

    // Ctrl-C: the launcher stops every service and exits 0.
    process.kill(-launcher.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    for (const [name, pid] of pids) expect(processAlive(pid), `${name} stopped`).toBe(false);
    expect(output).toContain('all services stopped');
  }, 300_000);
});
