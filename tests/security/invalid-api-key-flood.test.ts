import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { operationId } from '../../gateway/src/persisted-operations/manifest.ts';
import { repoPath } from '../../scripts/paths.ts';
import { startGatewayReplica } from '../support/gateways.ts';
import { stack } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';
import { persistedLists } from '@supergraph/sdk/persisted-lists';

/**
 * Attack (issue 9, §4): from an IP already at its rate limit, send requests with random
 * `x-api-key` values. Each got 401 (never 429) and a rate-limit key of its own in Redis (702 keys
 * for 700 requests). An API key is now resolved to its partner before rate limiting: a known key
 * is limited per partner, an unknown one is charged to the caller's IP and creates no key.
 */
const LIMIT = 5;
let replicaSet = 0;
const redis = stack().redisUrl ? new Redis(stack().redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 1 }) : null;
afterAll(() => redis?.disconnect());

async function replica() {
  const prefix = `${stack().eventsChannelPrefix}flood${replicaSet++}:`;
  const gateway = await startGatewayReplica({
    redisUrl: stack().redisUrl,
    redisKeyPrefix: prefix,
    rateLimit: { pointsPerMinute: LIMIT, whenRedisDown: 'open' },
    trustedDocuments: { lists: persistedLists(), partnerKeys: new Map([[stack().secrets.partnerApiKey, 'partner-catalog']]) },
  });
  return { ...gateway, prefix };
}

const CATEGORIES = operationId(operation('Categories'));
async function send(url: string, apiKey?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
    body: JSON.stringify({ documentId: CATEGORIES }),
  });
  await response.body?.cancel();
  return response.status;
}
const randomKey = () => `forged-${randomBytes(16).toString('hex')}`;

async function rateLimitKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis!.scan(cursor, 'MATCH', `${prefix}ratelimit*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

describe('a flood of invalid API keys', () => {
  it('is throttled per IP: 429 once the IP is at its limit, not 401 per key', async () => {
    const gateway = await replica();
    const first = await Promise.all(Array.from({ length: LIMIT }, () => send(gateway.url)));
    expect(first).toEqual(Array(LIMIT).fill(200));
    const flood: number[] = [];
    for (let i = 0; i < 40; i++) flood.push(await send(gateway.url, randomKey()));
    expect(new Set(flood)).toEqual(new Set([429]));
  });

  it('charges unknown keys to the IP: after a few 401s the IP itself is at its limit', async () => {
    const gateway = await replica();
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) statuses.push(await send(gateway.url, randomKey()));
    expect(statuses).toEqual(Array(LIMIT).fill(401));
    expect(await send(gateway.url)).toBe(429);
  });

  it('limits a known key per partner, on a budget of its own', async () => {
    const gateway = await replica();
    for (let i = 0; i < LIMIT; i++) await send(gateway.url); // this IP is at its limit
    expect(await send(gateway.url)).toBe(429);
    const partner = [];
    for (let i = 0; i < LIMIT + 1; i++) partner.push(await send(gateway.url, stack().secrets.partnerApiKey));
    expect(partner).toEqual([...Array(LIMIT).fill(200), 429]);
  });

  it.runIf(!!redis)('creates no Redis key per invalid key value', async () => {
    const gateway = await replica();
    for (let i = 0; i < 50; i++) await send(gateway.url, randomKey());
    await send(gateway.url, stack().secrets.partnerApiKey);
    const keys = await rateLimitKeys(gateway.prefix);
    expect(keys.length).toBeLessThanOrEqual(2); // the IP's and the partner's
  });

  it('throttles invented bearer tokens the same way: charged to the IP, 429 once it is at its limit', async () => {
    const gateway = await replica();
    const withToken = async () => {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${randomKey()}` },
        body: JSON.stringify({ documentId: CATEGORIES }),
      });
      await response.body?.cancel();
      return response.status;
    };
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 10; i++) statuses.push(await withToken());
    expect(statuses).toEqual([...Array(LIMIT).fill(401), ...Array(10).fill(429)]);
    expect(await send(gateway.url)).toBe(429);
  });
});
