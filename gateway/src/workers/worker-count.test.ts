import { describe, expect, it } from 'vitest';
import { gatewayEnvSchema, gatewayWorkers } from '../config.ts';

describe('GATEWAY_WORKERS', () => {
  const workers = (env: Record<string, string>) => gatewayWorkers(gatewayEnvSchema.parse(env), 8);

  it('defaults to every core with Redis, one process without (per-process APQ, rate limits, sign-in budgets)', () => {
    expect(workers({ REDIS_URL: 'redis://127.0.0.1:6379' })).toBe(8);
    expect(workers({})).toBe(1);
  });

  it('is taken as set, and refuses what is not a positive whole number', () => {
    expect(workers({ GATEWAY_WORKERS: '3' })).toBe(3);
    expect(workers({ GATEWAY_WORKERS: '2', REDIS_URL: 'redis://127.0.0.1:6379' })).toBe(2);
    for (const bad of ['0', '-1', '1.5', 'many']) expect(gatewayEnvSchema.safeParse({ GATEWAY_WORKERS: bad }).success).toBe(false);
  });
});
