import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createSubgraphFetchMetrics } from './gateway-metrics.ts';
import { createSubgraphFetcher, SHARING_SCOPE_HEADER } from './subgraph-fetcher.ts';
import { DEFAULT_RESILIENCE } from './server.ts';

// A subgraph that answers after 100 ms, counting the requests that reached it and the headers they carried.
let server: Server;
let url = '';
const received: Array<Record<string, string | string[] | undefined>> = [];
let status = 200;
beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { data: { n: received.length } } : { errors: [{ message: 'bad', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] }));
    }, 100);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function fetcher(shareInFlight: boolean) {
  const registry = new Registry();
  const fetch = createSubgraphFetcher({ subgraph: 'products', timeoutMs: 5_000, breaker: DEFAULT_RESILIENCE.breaker, metrics: createSubgraphFetchMetrics(registry), log: pino({ level: 'silent' }), shareInFlight });
  const shared = async () => (await registry.getSingleMetric('subgraph_fetches_shared_total')!.get()).values.reduce((sum, v) => sum + v.value, 0);
  return { fetch, shared };
}
const send = (fetch: ReturnType<typeof fetcher>['fetch'], scope: string | undefined, body = '{"query":"{ n }"}') =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(scope === undefined ? {} : { [SHARING_SCOPE_HEADER]: scope }) }, body });

describe('in-flight subgraph fetch sharing', () => {
  it('sends identical fetches of one scope once; each caller parses its own copy', async () => {
    received.length = 0;
    const { fetch, shared } = fetcher(true);
    const answers = await Promise.all([send(fetch, 'anonymous'), send(fetch, 'anonymous'), send(fetch, 'anonymous')]);
    expect(received).toHaveLength(1);
    expect(received[0]![SHARING_SCOPE_HEADER]).toBeUndefined(); // internal: never leaves the gateway
    const bodies = await Promise.all(answers.map((a) => a.json()));
    expect(bodies).toEqual([{ data: { n: 1 } }, { data: { n: 1 } }, { data: { n: 1 } }]);
    expect(bodies[0]).not.toBe(bodies[1]);
    expect(await shared()).toBe(2);
  });

  it('never shares across identities, across bodies, without a scope (mutations) or when turned off', async () => {
    received.length = 0;
    const on = fetcher(true);
    await Promise.all([send(on.fetch, 'SHOPPER:u1'), send(on.fetch, 'SHOPPER:u2'), send(on.fetch, 'anonymous', '{"query":"{ m }"}'), send(on.fetch, 'anonymous')]);
    await Promise.all([send(on.fetch, undefined), send(on.fetch, undefined)]);
    const off = fetcher(false);
    await Promise.all([send(off.fetch, 'anonymous'), send(off.fetch, 'anonymous')]);
    expect(received).toHaveLength(8);
    expect(await on.shared()).toBe(0);
  });

  it('a fetch that started later is sent again (only fetches in flight are shared)', async () => {
    received.length = 0;
    const { fetch } = fetcher(true);
    await send(fetch, 'anonymous');
    await send(fetch, 'anonymous');
    expect(received).toHaveLength(2);
  });

  it("hands a refusal to every caller that shared the fetch, as each caller's own error", async () => {
    received.length = 0;
    status = 400;
    try {
      const { fetch } = fetcher(true);
      const outcomes = await Promise.allSettled([send(fetch, 'anonymous'), send(fetch, 'anonymous')]);
      expect(received).toHaveLength(1);
      const codes = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { extensions?: { code?: string } }).extensions?.code : 'answered'));
      expect(codes).toEqual(['SUBGRAPH_REQUEST_REFUSED', 'SUBGRAPH_REQUEST_REFUSED']);
      expect((outcomes[0] as PromiseRejectedResult).reason).not.toBe((outcomes[1] as PromiseRejectedResult).reason);
    } finally {
      status = 200;
    }
  });
});
