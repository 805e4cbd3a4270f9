import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../scripts/build.ts';
import { repoPath } from '../../scripts/paths.ts';
import { childPids, freePort, startBuiltService, type BuiltServiceProcess } from '../support/processes.ts';
import { within } from '../support/wait.ts';

/**
 * The built gateway as GATEWAY_WORKERS=2 (ADR 0020): a primary and two workers on one port, in
 * front of a stub products subgraph the test controls (it can hold an answer back) and, in the
 * last test, a stub schema registry that counts its polls. Real processes, real signals.
 */
const QUERY = '{ categories { id } }';
const children: ChildProcess[] = [];
const servers: Server[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

interface StubAnswer {
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

async function listenStub(handler: (request: IncomingMessage, body: string) => Promise<StubAnswer>): Promise<string> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      void handler(request, body).then((answer) => response.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers }).end(answer.body));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The products subgraph, answering `categories` at once, or once released while `hold` is set. */
async function productsStub() {
  let held: { arrived: () => void; release: Promise<void> } | undefined;
  const url = await listenStub(async (_request, body) => {
    if (body.includes('categories') && held) {
      const { arrived, release } = held;
      held = undefined;
      arrived();
      await release;
    }
    return { body: JSON.stringify({ data: { categories: [{ id: 'c1' }] } }) };
  });
  return {
    url: `${url}/graphql`,
    /** The next categories fetch waits; resolves `arrived` when it is in flight, answers on `release()`. */
    holdNext() {
      let release!: () => void;
      let arrived!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const inFlight = new Promise<void>((resolve) => (arrived = resolve));
      held = { arrived, release: released };
      return { inFlight, release };
    },
  };
}

/** `node gateway/dist/index.js`, as the image runs it, with two workers; ready when the primary logs its URLs. */
async function startGateway(env: Record<string, string>): Promise<BuiltServiceProcess> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const gateway = await startBuiltService('gateway', { NODE_ENV: 'development', PORT: String(port), METRICS_PORT: String(metricsPort), GATEWAY_WORKERS: '2', ...env });
  children.push(gateway.child);
  return gateway;
}

/** One POST on a connection of its own: the primary deals connections to workers in turn. */
function query(url: string, text = QUERY): Promise<{ status: number; body: { data?: any; errors?: unknown[] } }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query: text });
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      let data = '';
      response.on('data', (chunk) => (data += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(data) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A metric's value per worker label, summed over its other labels. */
function byWorker(exposition: string, name: string): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const worker = /worker="([^"]+)"/.exec(line)?.[1] ?? 'none';
    totals[worker] = (totals[worker] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return totals;
}

const scrape = async (url: string) => (await fetch(url)).text();
const subgraphEnv = (url: string) => Object.fromEntries(['PRODUCTS', 'USERS', 'ORDERS', 'INVENTORY', 'REVIEWS'].map((name) => [`${name}_SUBGRAPH_URL`, url]));

describe('the gateway on two workers', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    await build({ only: ['gateway'] });
  }, 120_000);

  it('serves from both workers, shows both in one scrape, replaces a killed worker, and drains a slow request on SIGTERM, exit 0', async () => {
    const products = await productsStub();
    const gateway = await startGateway(subgraphEnv(products.url));

    for (let i = 0; i < 10; i++) expect(await query(gateway.url)).toMatchObject({ status: 200, body: { data: { categories: [{ id: 'c1' }] } } });
    // One scrape of the internal listener covers every worker (and the primary), each labelled.
    const internal = await scrape(gateway.metricsUrl);
    const served = byWorker(internal, 'graphql_requests_total');
    expect(Object.keys(served).sort()).toEqual(['0', '1']);
    expect(served['0']! + served['1']!).toBe(10);
    expect(served['0']).toBeGreaterThan(0);
    expect(served['1']).toBeGreaterThan(0);
    expect(byWorker(internal, 'process_cpu_seconds_total')).toHaveProperty('primary');
    expect(internal).toMatch(/service_workers_ready\{[^}]*worker="primary"[^}]*\} 2/);
    // So does the public /metrics (development), whichever worker answers it.
    const publicMetrics = `${new URL(gateway.url).origin}/metrics`;
    for (let i = 0; i < 2; i++) expect(byWorker(await scrape(publicMetrics), 'graphql_requests_total')).toEqual(served);

    // A worker killed outright: the other keeps answering, and the primary replaces it.
    const [victim] = await childPids(gateway.child.pid!);
    process.kill(victim!, 'SIGKILL');
    // Once the primary saw it go, requests are answered by whichever worker is up.
    await within(30_000, async () => /service_worker_restarts_total\{[^}]*\} 1/.test(await scrape(gateway.metricsUrl)));
    for (let i = 0; i < 4; i++) expect((await query(gateway.url)).status).toBe(200);
    await within(60_000, async () => /service_workers_ready\{[^}]*\} 2/.test(await scrape(gateway.metricsUrl)));
    expect(gateway.output.some((line) => line.includes('worker exited unexpectedly'))).toBe(true);
    const pids = await childPids(gateway.child.pid!);
    expect(pids).toHaveLength(2);
    expect(pids).not.toContain(victim);
    for (let i = 0; i < 6; i++) expect((await query(gateway.url)).status).toBe(200);
    const after = byWorker(await scrape(gateway.metricsUrl), 'graphql_requests_total');
    expect(Object.keys(after).sort()).toEqual(['0', '1']);

    // SIGTERM to the primary while a request waits on its subgraph: it finishes, then all exit 0.
    const held = products.holdNext();
    const slow = query(gateway.url);
    await held.inFlight;
    gateway.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500)); // the workers are draining
    held.release();
    expect(await slow).toMatchObject({ status: 200, body: { data: { categories: [{ id: 'c1' }] } } });
    expect(await gateway.exit).toEqual({ code: 0, signal: null });
    expect(await childPids(gateway.child.pid!)).toEqual([]);
  });

  it('polls the schema registry once for all workers, and every worker takes a new supergraph', async () => {
    const products = await productsStub();
    const supergraph = readFileSync(repoPath('supergraph.graphql'), 'utf8');
    let version = 1;
    const hits = { supergraph: 0, operations: 0 };
    const registry = await listenStub(async (request): Promise<StubAnswer> => {
      const path = new URL(request.url!, 'http://registry').pathname;
      if (request.headers.authorization !== `Bearer ${'r'.repeat(40)}`) return { status: 401, body: '{}' };
      if (path === '/v1/supergraph') {
        hits.supergraph += 1;
        const etag = `"v${version}"`;
        if (request.headers['if-none-match'] === etag) return { status: 304, body: '' };
        // Each version differs by a comment: another hash, the same graph.
        return { headers: { etag, 'x-supergraph-version': String(version), 'content-type': 'text/plain' }, body: `${supergraph}\n# version ${version}\n` };
      }
      hits.operations += 1;
      if (request.headers['if-none-match'] === '"ops1"') return { status: 304, body: '' };
      return { headers: { etag: '"ops1"' }, body: JSON.stringify({ lists: {} }) };
    });
    const gateway = await startGateway({ ...subgraphEnv(products.url), REGISTRY_URL: registry, REGISTRY_TOKEN: 'r'.repeat(40), REGISTRY_POLL_INTERVAL_MS: '2000' });
    expect((await query(gateway.url)).status).toBe(200);

    const versions = async () => {
      const lines = (await scrape(gateway.metricsUrl)).split('\n').filter((line) => line.startsWith('supergraph_version_info{'));
      return Object.fromEntries(lines.map((line) => [/worker="([^"]+)"/.exec(line)![1], /version="([^"]+)"/.exec(line)![1]]));
    };
    expect(await versions()).toEqual({ '0': '1', '1': '1' });
    version = 2;
    await within(60_000, async () => JSON.stringify(await versions()) === JSON.stringify({ '0': '2', '1': '2' }));

    // The workers poll the primary's mirror (every 500 ms); only the primary's polls (every 2 s)
    // reach the registry: while the workers poll 16 more times, the registry sees far fewer.
    const sum = (totals: Record<string, number>) => Object.values(totals).reduce((a, b) => a + b, 0);
    const metrics = await scrape(gateway.metricsUrl);
    expect(Object.keys(byWorker(metrics, 'registry_polls_total')).sort()).toEqual(['0', '1']);
    expect(Object.keys(byWorker(metrics, 'registry_upstream_polls_total'))).toEqual(['primary']);
    const hitsBefore = hits.supergraph + hits.operations;
    const pollsBefore = sum(byWorker(metrics, 'registry_polls_total'));
    let pollsAfter = pollsBefore;
    await within(60_000, async () => (pollsAfter = sum(byWorker(await scrape(gateway.metricsUrl), 'registry_polls_total'))) >= pollsBefore + 16);
    const hitsAfter = hits.supergraph + hits.operations;
    expect(hitsAfter - hitsBefore).toBeLessThan(pollsAfter - pollsBefore);
    const upstream = sum(byWorker(await scrape(gateway.metricsUrl), 'registry_upstream_polls_total'));
    expect(hits.supergraph + hits.operations).toBeLessThanOrEqual(upstream + 2); // every registry hit is a primary poll (one may be on its way)

    gateway.child.kill('SIGTERM');
    expect(await gateway.exit).toEqual({ code: 0, signal: null });
  });
});
