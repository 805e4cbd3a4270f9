import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startRegistryMirror, type RegistryMirror } from './registry-mirror.ts';

const TOKEN = 'g'.repeat(40);
const log = pino({ level: 'silent' });

/** A registry that serves one supergraph version and counts what reaches it. */
async function stubRegistry() {
  const state = { version: 1, down: false, hits: 0 };
  const server: Server = createServer((request, response) => {
    state.hits += 1;
    if (state.down) return void response.writeHead(500).end('down');
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return void response.writeHead(401).end();
    const path = new URL(request.url!, 'http://r').pathname;
    const etag = path === '/v1/supergraph' ? `"s${state.version}"` : '"ops"';
    if (request.headers['if-none-match'] === etag) return void response.writeHead(304, { etag }).end();
    if (path === '/v1/supergraph') response.writeHead(200, { etag, 'x-supergraph-version': String(state.version), 'content-type': 'text/plain' }).end(`sdl v${state.version}`);
    else response.writeHead(200, { etag, 'content-type': 'application/json' }).end('{"lists":{}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setUp() {
  const registry = await stubRegistry();
  closers.push(registry.close);
  const metrics = new Registry();
  // A long interval: the test polls by hand.
  const mirror = await startRegistryMirror({ url: registry.url, token: TOKEN, pollIntervalMs: 600_000, log, registry: metrics });
  closers.push(mirror.close);
  const get = (path: string, etag?: string, token = mirror.workerEnv.REGISTRY_TOKEN) =>
    fetch(`${mirror.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...(etag ? { 'if-none-match': etag } : {}) } });
  return { registry, mirror, metrics, get };
}

describe('the registry mirror in a gateway primary', () => {
  it('serves the registry’s documents with their ETags and versions, 304 when unchanged, only to its workers', async () => {
    const { registry, mirror, get } = await setUp();
    expect(mirror.workerEnv).toMatchObject({ REGISTRY_URL: mirror.url, REGISTRY_POLL_INTERVAL_MS: '500' });
    expect(mirror.workerEnv.REGISTRY_TOKEN).not.toBe(TOKEN);
    expect((await get('/v1/supergraph', undefined, TOKEN)).status).toBe(401); // the registry's own token is not the workers'
    expect((await get('/v1/partner-keys')).status).toBe(404);

    const first = await get('/v1/supergraph');
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"s1"');
    expect(first.headers.get('x-supergraph-version')).toBe('1');
    expect(await first.text()).toBe('sdl v1');
    expect(await (await get('/v1/operations')).json()).toEqual({ lists: {} });
    expect((await get('/v1/supergraph', '"s1"')).status).toBe(304);

    // However often workers ask, the registry saw the one initial poll of each document.
    for (let i = 0; i < 10; i++) await get('/v1/supergraph', '"s1"');
    expect(registry.state.hits).toBe(2);

    registry.state.version = 2;
    await mirror.poll();
    expect(registry.state.hits).toBe(4);
    const changed = await get('/v1/supergraph', '"s1"');
    expect(changed.status).toBe(200);
    expect(await changed.text()).toBe('sdl v2');
  });

  it('passes a failing registry on to polling workers (502), and still gives a starting worker the last good document', async () => {
    const { registry, mirror, metrics, get } = await setUp();
    registry.state.down = true;
    await mirror.poll();
    expect((await get('/v1/supergraph', '"s1"')).status).toBe(502);
    const starting = await get('/v1/supergraph');
    expect(starting.status).toBe(200);
    expect(await starting.text()).toBe('sdl v1');
    expect(await metrics.getSingleMetricAsString('registry_upstream_polls_total')).toMatch(/document="supergraph",result="error"\} 1/);

    registry.state.down = false;
    await mirror.poll();
    expect((await get('/v1/supergraph', '"s1"')).status).toBe(304);
  });

  it('answers 503 until the registry has answered once', async () => {
    const registry = await stubRegistry();
    closers.push(registry.close);
    registry.state.down = true;
    const mirror: RegistryMirror = await startRegistryMirror({ url: registry.url, token: TOKEN, pollIntervalMs: 600_000, log });
    closers.push(mirror.close);
    const get = (path: string) => fetch(`${mirror.url}${path}`, { headers: { authorization: `Bearer ${mirror.workerEnv.REGISTRY_TOKEN}` } });
    expect((await get('/v1/supergraph')).status).toBe(503);
    registry.state.down = false;
    await mirror.poll();
    expect((await get('/v1/supergraph')).status).toBe(200);
  });
});
