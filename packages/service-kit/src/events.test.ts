import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus, type EventBus } from './events.ts';

/** The in-process bus always; the Redis bus against the real server whenever REDIS_URL is set (CI). */
const kinds: Array<[string, string | undefined]> = [['in-process', undefined]];
if (process.env.REDIS_URL) kinds.push(['redis', process.env.REDIS_URL]);

const buses: EventBus[] = [];
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
});

describe.each(kinds)('%s event bus', (kind, redisUrl) => {
  const prefix = `events-test-${Date.now()}-${Math.random().toString(36).slice(2)}:`;
  const bus = (channelPrefix = prefix) => {
    const created = createEventBus({ redisUrl, channelPrefix });
    buses.push(created);
    return created;
  };

  it('delivers a published payload to a subscriber of the topic', async () => {
    const publisher = bus();
    // Redis delivers between connections, so publisher and subscriber are separate buses there.
    const subscriber = redisUrl ? bus() : publisher;
    expect(subscriber.kind).toBe(kind);
    const received: unknown[] = [];
    await subscriber.subscribe('order.status-changed', (payload) => received.push(payload));
    await publisher.publish('order.status-changed', { orderId: 'o1', status: 'CONFIRMED' });
    for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual([{ orderId: 'o1', status: 'CONFIRMED' }]);
  });

  it('stops delivering after unsubscribe, and hears nothing of other prefixes', async () => {
    const publisher = bus();
    const subscriber = redisUrl ? bus() : publisher;
    const received: unknown[] = [];
    const unsubscribe = await subscriber.subscribe('t', (payload) => received.push(payload));
    if (redisUrl) await bus(`${prefix}other:`).publish('t', 'another namespace'); // same Redis, other prefix
    await publisher.publish('t', 1);
    await publisher.publish('t', 2);
    for (let i = 0; i < 50 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await unsubscribe();
    await publisher.publish('t', 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual([1, 2]);
  });
});
