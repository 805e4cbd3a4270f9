import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { RedisProxy } from '../../../tests/support/redis-proxy.ts';
import { createEventBus, type EventBus } from './events.ts';

/**
 * The Redis event bus while Redis goes away and comes back (issue 11 §9, ADR 0014): a TCP proxy
 * in front of the real Redis at REDIS_URL that the test closes (every connection cut, new ones
 * refused) and opens again on the same port.
 */
const redisUrl = process.env.REDIS_URL;


const until = async (condition: () => boolean | Promise<boolean>, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe.runIf(!!redisUrl)('the Redis event bus when Redis goes away', () => {
  const buses: EventBus[] = [];
  const proxy = redisUrl ? new RedisProxy(new URL(redisUrl)) : null;
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await proxy?.close();
  });

  it('delivers its own events in-process meanwhile, shows it in metrics and logs once, and resumes through Redis by itself', async () => {
    await proxy!.open();
    const prefix = `events-down-${Date.now()}-${Math.random().toString(36).slice(2)}:`;
    const lines: Array<{ level: number; msg: string }> = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
    const registry = new Registry();
    const bus = createEventBus({ redisUrl: `redis://127.0.0.1:${proxy!.port}`, channelPrefix: prefix, log, registry });
    // Another replica, straight on Redis: what reaches it went through Redis.
    const other = createEventBus({ redisUrl, channelPrefix: prefix });
    buses.push(bus, other);
    const metric = async (name: string) => Number(/ (\S+)$/.exec((await registry.getSingleMetricAsString(name)).split('\n').at(-1)!)?.[1]);

    const before: unknown[] = [];
    const heardByOther: unknown[] = [];
    await bus.subscribe('t', (payload) => before.push(payload));
    await other.subscribe('t', (payload) => heardByOther.push(payload));
    await bus.publish('t', 1);
    await bus.publish('t', 2);
    // Redis keeps one connection's messages in order: once 2 is here, an echo of 1 would be too.
    await until(() => before.includes(2) && heardByOther.includes(2));
    expect(before).toEqual([1, 2]);
    expect(await metric('event_bus_connected')).toBe(1);

    await proxy!.close();
    await until(async () => (await metric('event_bus_connected')) === 0);
    // A new subscription does not wait for Redis, and this process's own events reach it.
    const during: unknown[] = [];
    await bus.subscribe('u', (payload) => during.push(payload));
    await expect(bus.publish('u', 'local')).rejects.toThrow(); // rejected: an outbox retries it for the other replicas
    await expect(bus.publish('t', 3)).rejects.toThrow();
    expect(during).toEqual(['local']);
    expect(before).toEqual([1, 2, 3]);
    expect(await metric('event_bus_errors_total')).toBeGreaterThan(0);

    await proxy!.open(); // same port
    await until(async () => (await metric('event_bus_connected')) === 1);
    // Subscribed again, the subscription made while Redis was away included: another replica's events arrive.
    await until(async () => {
      await other.publish('u', 'remote');
      return during.includes('remote');
    });
    // And its own events come once, through Redis.
    await bus.publish('t', 4);
    await bus.publish('t', 5);
    await until(() => before.includes(5));
    expect(before).toEqual([1, 2, 3, 4, 5]);

    const transitions = lines.filter((line) => /redis event bus (unreachable|connected again)/.test(line.msg)).map((line) => line.msg.split(':')[0]);
    expect(transitions).toEqual(['redis event bus unreachable', 'redis event bus connected again']);
  }, 60_000);
});
