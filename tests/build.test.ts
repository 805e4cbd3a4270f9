// The production build (`npm run build`) runs with plain Node: no TypeScript loader. A subgraph
// from dist/ (its schema.graphql copied beside it, its migrations found at ../prisma) and the
// gateway from dist/ (its file supergraph and persisted operations found from there) answer a
// query together; the built registry CLI answers too.
import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, distEntry } from '../scripts/build.ts';
import { repoPath } from '../scripts/paths.ts';

const running: ChildProcess[] = [];
afterAll(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** The environment without any loader a test runner may have put into NODE_OPTIONS. */
function plainEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _loader, DATABASE_URL: _db, ...rest } = process.env;
  return { ...rest, NODE_ENV: 'development', LOG_LEVEL: 'warn', ...extra };
}

async function startBuilt(name: string, extra: Record<string, string>): Promise<string> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  // `node <dist entry>`, as the workspace's `npm start` and a container run it.
  const child = spawn(process.execPath, ['--enable-source-maps', distEntry(name)], {
    cwd: repoPath(),
    env: plainEnv({ PORT: String(port), METRICS_PORT: String(metricsPort), ...extra }),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  running.push(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} (built) exited with ${child.exitCode} before it was ready`);
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return url;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} (built) was not ready within 60 s`);
}

async function query(url: string, text: string) {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: text }) });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string }[] } };
}

describe('production build', () => {
  beforeAll(async () => {
    await build();
  }, 60_000);

  it('runs a subgraph and the gateway from dist/ with plain node, answering a query across both', async () => {
    const products = await startBuilt('products', { DATA_DIR: 'memory://', SEED_PRODUCTS: '5', SEED: 'demo' });
    const direct = await query(products, '{ products(first: 2) { edges { node { name } } } }');
    expect(direct.body.errors).toBeUndefined();
    expect(direct.body.data.products.edges).toHaveLength(2);

    // The gateway on its file supergraph (../../supergraph.graphql from dist/), products routed to the built one.
    const gateway = await startBuilt('gateway', { PRODUCTS_SUBGRAPH_URL: `${products}/graphql` });
    const through = await query(gateway, '{ products(first: 2) { edges { node { name price { amountCents } } } } }');
    expect(through.status).toBe(200);
    expect(through.body.errors).toBeUndefined();
    expect(through.body.data.products.edges.map((e: any) => e.node.name)).toEqual(direct.body.data.products.edges.map((e: any) => e.node.name));
  }, 120_000);

  it("bundles stand-ins for the gateway's unused fetch packages instead of them (node-fetch, make-fetch-happen and what they load)", async () => {
    // The bundle is named after its content (index-<hash>.cjs, run through scripts/code-cache.ts).
    const [mapFile] = (await readdir(repoPath('gateway/dist'))).filter((name) => /^index-\w+\.cjs\.map$/.test(name));
    const map = JSON.parse(await readFile(repoPath('gateway/dist', mapFile!), 'utf8')) as { sources: string[] };
    const bundled = (name: string) => map.sources.some((source) => source.includes(`node_modules/${name}/`));
    for (const name of ['node-fetch', 'make-fetch-happen', 'whatwg-url', 'cacache']) expect(bundled(name), name).toBe(false);
    expect(map.sources.filter((source) => source.startsWith('../src/shims/')).sort()).toEqual(['../src/shims/make-fetch-happen.ts', '../src/shims/node-fetch.ts']);
    // What the first test's gateway ran on: @apollo/gateway's imports of them resolved to the stand-ins.
    expect(bundled('@apollo/gateway')).toBe(true);
  });

  it("reads Prisma's query compiler from a text file beside the bundle, not from Prisma's 4.5 MB module compiled at every start", async () => {
    const dist = repoPath('subgraphs/products/dist');
    const [bundle] = (await readdir(dist)).filter((name) => /^index-\w+\.cjs$/.test(name));
    const code = await readFile(join(dist, bundle!), 'utf8');
    const module = 'query_compiler_fast_bg.postgresql.wasm-base64';
    expect(code).not.toContain(`require("@prisma/client/runtime/${module}.mjs")`);
    expect(code).toContain(`readFileSync)(new URL("./${module}.txt",__bundleUrl),"latin1")`);
    // The same WebAssembly Prisma ships (the first test's products ran its queries with it).
    const shipped = /const wasm = "([^"]+)"/.exec(await readFile(repoPath('node_modules/@prisma/client/runtime', `${module}.mjs`), 'utf8'))![1];
    expect(await readFile(join(dist, `${module}.txt`), 'latin1')).toBe(shipped);
  });

  it('leaves a V8 code cache beside a service bundle for its next start, once the service stopped cleanly', async () => {
    await startBuilt('users', { DATA_DIR: 'memory://', SEED: 'none' });
    const users = running.at(-1)!;
    const exited = new Promise<number | null>((resolve) => users.once('exit', (code) => resolve(code)));
    users.kill('SIGTERM');
    expect(await exited).toBe(0);
    const dist = repoPath('subgraphs/users/dist');
    const [bundle] = (await readdir(dist)).filter((name) => /^index-\w+\.cjs$/.test(name));
    // Written by this start or an earlier one with the same flags (scripts/code-cache.ts).
    expect((await readdir(dist)).some((name) => name.startsWith(`${bundle}.`) && name.endsWith('.v8cache'))).toBe(true);
  }, 60_000);

  it('runs the registry CLI from dist/ (npm run registry), also after the registry service, in the same folder, was rebuilt alone', async () => {
    await build({ only: ['registry'], force: true });
    const output = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, [repoPath('scripts', 'registry-cli.mjs'), '--help'], { cwd: repoPath(), env: plainEnv({}) }, (_error, stdout) =>
        resolve({ code: child.exitCode, stdout }),
      );
    });
    expect(output.code).toBe(0);
    expect(output.stdout).toContain('Usage: npm run registry -- <command>');
  });
});
