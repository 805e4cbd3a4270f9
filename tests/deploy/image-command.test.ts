// No Docker engine runs here, so this runs what the image runs: the Dockerfile's last stage
// (WORKDIR for SERVICE, its ENV, its exec-form CMD) read from the Dockerfile itself, on the built
// entry with plain node, NODE_ENV=production and explicit secrets. The products subgraph runs on
// real PostgreSQL when DATABASE_URL is set, on embedded PGlite otherwise.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { BUILD_TARGETS, build, inputsFile } from '../../scripts/build.ts';
import { repoPath } from '../../scripts/paths.ts';
import { ownDatabase } from '../support/processes.ts';
import { ignoredByDocker, imageRuntime, SERVICE_FOLDERS } from './dockerfile.ts';
import { lowFreePort } from './ports.ts';

const SECRET = 'a-production-internal-token-secret-0123456789';
const running: ChildProcess[] = [];
afterAll(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
  exit: Promise<number | null>;
}

/** Runs the image's command for `service` as the container would, with `env` on top of the image's ENV. */
async function runImageCommand(service: keyof typeof SERVICE_FOLDERS, env: Record<string, string>): Promise<Started> {
  const image = imageRuntime(SERVICE_FOLDERS[service]!);
  const [executable, ...args] = image.command;
  expect(executable).toBe('node');
  const [port, metricsPort] = [await lowFreePort(), await lowFreePort()];
  // Nothing of the test runner's environment (loaders in NODE_OPTIONS, its DATABASE_URL) leaks in.
  const child = spawn(process.execPath, args, {
    cwd: repoPath(image.workdir),
    env: { PATH: process.env.PATH, ...image.env, HOST: '127.0.0.1', PORT: String(port), METRICS_PORT: String(metricsPort), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, port, output: () => output, exit };
}

async function untilReady(started: Started): Promise<void> {
  for (;;) {
    if (started.child.exitCode !== null) throw new Error(`exited with ${started.child.exitCode} before it was ready:\n${started.output()}`);
    const ready = await fetch(`http://127.0.0.1:${started.port}/readyz`).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const refusesConnections = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

// Reads the database (an empty catalog: no demo data in production) and the subgraph's own SDL.
const PRODUCTS_QUERY = JSON.stringify({ query: '{ products(first: 2) { edges { node { id name } } } _service { sdl } }' });

describe('the image command (Dockerfile CMD on the built entry, NODE_ENV=production)', { timeout: 180_000 }, () => {
  let database: Record<string, string>;
  beforeAll(async () => {
    await build({ only: ['products'] });
    database = await ownDatabase('products');
  }, 120_000);

  it('is exec form, as a non-root user, in production mode', () => {
    for (const folder of Object.values(SERVICE_FOLDERS)) {
      const image = imageRuntime(folder);
      expect(image.command).toEqual(['node', '--enable-source-maps', 'dist/index.js']);
      expect(image.workdir).toBe(folder);
      expect(image.env.NODE_ENV).toBe('production');
      expect(image.user).toBeDefined();
      expect(image.user!.split(':')[0]).not.toMatch(/^(0|root)$/);
    }
  });

  it('gets every source a bundle is built from into the build context (Prisma clients are generated there)', async () => {
    expect(ignoredByDocker('subgraphs/products/src/generated/prisma/client.ts')).toBe(true);
    expect(ignoredByDocker('gateway/node_modules/x/index.js')).toBe(true);
    expect(ignoredByDocker('gateway/src/index.ts')).toBe(false);
    await build();
    const prismaOutput = /^[\w-]+(\/[\w-]+)?\/src\/generated\/prisma\//;
    for (const target of BUILD_TARGETS) {
      const { inputs } = JSON.parse(readFileSync(inputsFile(repoPath(target.outfile)), 'utf8')) as { inputs: string[] };
      const missing = inputs.filter((input) => ignoredByDocker(input) && !prismaOutput.test(input));
      expect(missing, target.name).toEqual([]);
    }
  });

  it('refuses to start with development secrets', async () => {
    const started = await runImageCommand('products', { ...database, SEED: 'none' });
    expect(await started.exit).not.toBe(0);
    expect(started.output()).toContain('NODE_ENV=production refuses development default secrets: set INTERNAL_TOKEN_SECRET');
    // What to set, not where in the bundle the check threw.
    expect(started.output()).not.toMatch(/"stack"|\bat \S+ \(/);
  });

  it('serves GraphQL, is ready, and drains a request in flight on SIGTERM, then exits 0', async () => {
    const started = await runImageCommand('products', { ...database, SEED: 'none', INTERNAL_TOKEN_SECRET: SECRET });
    await untilReady(started);
    const base = `http://127.0.0.1:${started.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const served = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: PRODUCTS_QUERY });
    expect(served.status).toBe(200);
    const body = (await served.json()) as { data?: { products: { edges: unknown[] }; _service: { sdl: string } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data!.products.edges).toEqual([]);
    expect(body.data!._service.sdl).toContain('type Product');

    // A request in flight: headers and half its body sent, the rest held back until after SIGTERM.
    const half = Math.floor(PRODUCTS_QUERY.length / 2);
    const inFlight = request(`${base}/graphql`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(PRODUCTS_QUERY) } });
    const answer = new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
      inFlight.once('response', (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, connection: response.headers.connection, body: text }));
      });
      inFlight.once('error', reject);
    });
    inFlight.write(PRODUCTS_QUERY.slice(0, half));
    // Its bytes reached the server before this second connection was even opened, so once this
    // one is answered the server has read the first request's headers: it is in flight.
    expect((await fetch(`${base}/healthz`, { headers: { connection: 'close' } })).status).toBe(200);

    started.child.kill('SIGTERM');
    // Draining: the listener is closed to new connections while the held request stays open.
    while (!(await refusesConnections(started.port))) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started.child.exitCode).toBeNull();

    inFlight.end(PRODUCTS_QUERY.slice(half));
    const drained = await answer;
    expect(drained.status).toBe(200);
    expect(JSON.parse(drained.body)).toEqual(body);
    expect(drained.connection).toBe('close');
    expect(await started.exit).toBe(0);
    expect(started.output()).toContain('SIGTERM received');
  });
});
