import { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '@supergraph/service-kit';

/**
 * The Redis connection gateway replicas share state through (APQ, rate limits). Commands fail at
 * once while Redis is unreachable (no offline queue), so a Redis outage costs the shared features,
 * never a request; ioredis keeps reconnecting in the background and recovers by itself.
 */
export interface GatewayRedis {
  client: Redis;
  /** Settles once the first connection attempt did (connected, failed, or 2 s passed). */
  firstAttempt: Promise<void>;
  /** Counts a failed Redis operation (the caller decides what to do without it). */
  failed(operation: string, error: unknown): void;
}

export function createGatewayRedis(url: string, log: Logger, registry: Registry): GatewayRedis {
  const connected = new Gauge({ name: 'redis_connected', help: '1 while the gateway is connected to Redis', registers: [registry] });
  const errors = new Counter({
    name: 'redis_errors_total',
    help: 'Redis operations that failed, by operation; the gateway carried on without them',
    labelNames: ['operation'],
    registers: [registry],
  });
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // Memory-pressure evictions of the Redis the cache lives in (TTL expiry is the normal end of an
  // entry and is not an eviction). Read from Redis at scrape time; absent while Redis is down.
  new Gauge({
    name: 'redis_evicted_keys',
    help: 'Keys Redis evicted for memory (INFO stats evicted_keys), response cache entries included',
    registers: [registry],
    async collect() {
      try {
        const stats = await client.info('stats');
        const evicted = /evicted_keys:(\d+)/.exec(stats)?.[1];
        if (evicted !== undefined) this.set(Number(evicted));
      } catch {
        // Redis down: nothing to report
      }
    },
  });
  client.on('ready', () => {
    connected.set(1);
    log.info('redis connected');
  });
  client.on('close', () => connected.set(0));
  let lastLogged = 0;
  client.on('error', (error) => {
    // One line every 10 s is enough while Redis stays down.
    if (Date.now() - lastLogged > 10_000) {
      lastLogged = Date.now();
      log.warn({ err: error }, 'redis unavailable; serving without shared cache and rate limits');
    }
  });
  const firstAttempt = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2_000);
    const settle = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', settle);
    client.once('error', settle);
  });
  return {
    client,
    firstAttempt,
    failed(operation, error) {
      errors.inc({ operation });
      log.debug({ err: error, operation }, 'redis operation failed');
    },
  };
}
