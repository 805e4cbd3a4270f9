import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { createServiceApp, listen, type RunningServer } from './http.ts';
import { createServiceMetrics } from './metrics.ts';

const running: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(running.map((server) => server.close()));
});

async function serve(): Promise<string> {
  const api = express.Router();
  api.get('/things', (_req, res) => void res.json({ things: [] }));
  const app = createServiceApp({
    service: 'test',
    metrics: createServiceMetrics('test', { defaultMetrics: false }),
    ready: async () => true,
    bodyLimit: '10kb',
    graphql: (_req, res) => void res.json({ data: { ok: true } }),
    api: { path: '/v1', router: api, errorHandler: (_error, _req, res, _next) => void res.status(500).json({}) },
  });
  const server = await listen(app, 0, '127.0.0.1');
  running.push(server);
  return server.url;
}

describe('a path a service does not serve', () => {
  it('is a JSON 404 with the stable code NOT_FOUND, in the API’s shape under its path and GraphQL’s elsewhere, never echoing the path', async () => {
    const url = await serve();
    const elsewhere = await fetch(`${url}/no/such/<script>`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await elsewhere.text();
    expect(JSON.parse(body)).toEqual({ errors: [{ message: 'No such route: GET', extensions: { code: 'NOT_FOUND' } }] });
    expect(body).not.toContain('script');

    const underApi = await fetch(`${url}/v1/nope`, { method: 'PUT' });
    expect(underApi.status).toBe(404);
    expect(await underApi.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No such route: PUT' } });

    // /graphql is GET and POST; anything else is 405 naming them.
    for (const method of ['OPTIONS', 'DELETE', 'PUT', 'PATCH']) {
      const other = await fetch(`${url}/graphql`, { method });
      expect([other.status, other.headers.get('allow')], method).toEqual([405, 'GET, POST']);
      expect(((await other.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('METHOD_NOT_ALLOWED');
    }
    expect((await fetch(`${url}/graphql`, { method: 'HEAD' })).status).toBe(405);
    expect(await (await fetch(`${url}/graphql`, { method: 'POST' })).json()).toEqual({ data: { ok: true } });

    // What is served still is.
    expect(await (await fetch(`${url}/v1/things`)).json()).toEqual({ things: [] });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
