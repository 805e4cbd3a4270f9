import { createHash } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { readCounter } from '@supergraph/service-kit';
import type { GatewayOptions } from '../../gateway/src/server.ts';
import { graphql, stack } from '../support/graphql.ts';
import { startGatewayReplica } from '../support/gateways.ts';
import { newUser } from '../support/users.ts';

/**
 * Gateway replicas of this test's own, sharing one Redis (the stack's, under a prefix per test)
 * as production replicas would: automatic persisted queries and rate limits work across them,
 * and losing Redis costs those features, never a request.
 */
const cleanups: Array<() => void> = [];
afterAll(async () => {
  cleanups.forEach((cleanup) => cleanup());
});

let replicaSet = 0;
async function replicas(count: number, overrides: Partial<GatewayOptions> = {}) {
  const prefix = `${stack().eventsChannelPrefix}gw${replicaSet++}:`;
  return Promise.all(
    Array.from({ length: count }, () =>
      startGatewayReplica({
        redisUrl: stack().redisUrl,
        redisKeyPrefix: prefix,
        rateLimit: { pointsPerMinute: 1_000, whenRedisDown: 'open' },
        ...overrides,
      }),
    ),
  );
}

const QUERY = '{ categories { id slug } }';
const hash = createHash('sha256').update(QUERY).digest('hex');
const persisted = { persistedQuery: { version: 1, sha256Hash: hash } };

async function getPersisted(url: string) {
  const params = new URLSearchParams({ extensions: JSON.stringify(persisted) });
  // GET, so a CDN can cache it; Apollo's CSRF protection wants this header on GETs.
  const response = await fetch(`${url}?${params}`, { headers: { 'apollo-require-preflight': 'true' } });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> } };
}

describe('automatic persisted queries', () => {
  it('register a hash on one replica and serve it by hash alone, over GET, from another', async () => {
    const [a, b] = await replicas(2);
    expect((await getPersisted(a!.url)).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await fetch(a!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY, extensions: persisted }),
    });
    expect(registered.status).toBe(200);
    const sameReplica = await getPersisted(a!.url);
    expect(sameReplica.body.data.categories.length).toBeGreaterThan(0);
    if (stack().redisUrl) {
      const otherReplica = await getPersisted(b!.url);
      expect(otherReplica.status).toBe(200);
      expect(otherReplica.body.data).toEqual(sameReplica.body.data);
    }
  });
});

describe('rate limits', () => {
  it('share one budget per client IP across replicas, answering 429 with Retry-After', async () => {
    const group = await replicas(stack().redisUrl ? 2 : 1, { rateLimit: { pointsPerMinute: 5, whenRedisDown: 'open' } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await graphql(group[i % group.length]!.url, QUERY)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await fetch(group[group.length - 1]!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('RATE_LIMITED');
    // A signed-in user has a budget of their own, even from the same address.
    const user = await newUser('ratelimit');
    expect((await graphql(group[0]!.url, QUERY, {}, { authorization: `Bearer ${user.token}` })).status).toBe(200);
  });
});

describe('without Redis', () => {
  it('serves every request (rate limits open), counts the failures, and refuses only when configured closed', async () => {
    const [open] = await replicas(1, { redisUrl: 'redis://127.0.0.1:1', rateLimit: { pointsPerMinute: 2, whenRedisDown: 'open' } });
    for (let i = 0; i < 4; i++) expect((await graphql(open!.url, QUERY)).status).toBe(200);
    expect((await getPersisted(open!.url)).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const metrics = await (await fetch(open!.metricsUrl)).text();
    expect(readCounter(metrics, 'redis_errors_total')).toBeGreaterThanOrEqual(4);
    expect(metrics).toMatch(/^redis_connected\{[^}]*\} 0$/m);

    const [closed] = await replicas(1, { redisUrl: 'redis://127.0.0.1:1', rateLimit: { pointsPerMinute: 2, whenRedisDown: 'closed' } });
    const refused = await graphql(closed!.url, QUERY);
    expect(refused.status).toBe(503);
  });

  it.runIf(!!process.env.REDIS_URL)('recovers by itself when Redis comes back', async () => {
    // A TCP proxy in front of the real Redis, to take Redis away and bring it back.
    const target = new URL(stack().redisUrl!);
    const sockets = new Set<Socket>();
    const startProxy = (port = 0) =>
      new Promise<Server>((resolve) => {
        const server = createServer((client) => {
          const upstream = connect(Number(target.port || 6379), target.hostname);
          sockets.add(client).add(upstream);
          client.pipe(upstream).pipe(client);
          const close = () => {
            client.destroy();
            upstream.destroy();
          };
          client.on('error', close).on('close', close);
          upstream.on('error', close).on('close', close);
        });
        server.listen(port, '127.0.0.1', () => resolve(server));
      });
    let proxy = await startProxy();
    const port = (proxy.address() as { port: number }).port;
    cleanups.push(() => proxy.close());
    const [gateway] = await replicas(1, { redisUrl: `redis://127.0.0.1:${port}`, rateLimit: { pointsPerMinute: 3, whenRedisDown: 'open' } });
    await new Promise((resolve) => setTimeout(resolve, 300));

    proxy.close();
    sockets.forEach((s) => s.destroy());
    for (let i = 0; i < 5; i++) expect((await graphql(gateway!.url, QUERY)).status).toBe(200); // no limits, no failures

    proxy = await startProxy(port);
    let limited = false;
    for (let i = 0; i < 40 && !limited; i++) {
      limited = (await graphql(gateway!.url, QUERY)).status === 429;
      if (!limited) await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect(limited).toBe(true); // the shared limit works again: Redis is back in use
  });
});
