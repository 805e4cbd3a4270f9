import { describe, expect, it } from 'vitest';
import type { EventBus } from './events.ts';
import { eventBusIterator, startWith } from './subscriptions.ts';

/** An in-memory bus that shows how many handlers are subscribed. */
function countingBus() {
  const handlers = new Set<(payload: unknown) => void>();
  const bus: EventBus = {
    kind: 'in-process',
    publish: async (_topic, payload) => handlers.forEach((handler) => handler(payload)),
    subscribe: async (_topic, handler) => {
      handlers.add(handler);
      return async () => void handlers.delete(handler);
    },
    close: async () => handlers.clear(),
  };
  return { bus, handlers };
}

describe('eventBusIterator', () => {
  it('yields the accepted events in order', async () => {
    const { bus } = countingBus();
    const events = await eventBusIterator(bus, 't', (p) => ((p as { n: number }).n % 2 === 0 ? (p as { n: number }).n : undefined));
    for (const n of [1, 2, 3, 4]) await bus.publish('t', { n });
    expect([(await events.next()).value, (await events.next()).value]).toEqual([2, 4]);
  });

  it('unsubscribes as soon as the consumer leaves, even while it waits for an event (no listener left behind)', async () => {
    const { bus, handlers } = countingBus();
    const events = startWith('first', await eventBusIterator(bus, 't', (p) => p as string));
    expect(handlers.size).toBe(1);
    await events.next(); // 'first'
    const waiting = events.next();
    await events.return!();
    expect(handlers.size).toBe(0);
    expect(await waiting).toEqual({ done: true, value: undefined });
  });

  it('holds at most `capacity` events for a consumer that does not read', async () => {
    const { bus } = countingBus();
    const events = await eventBusIterator(bus, 't', (p) => p as number, 2);
    for (const n of [1, 2, 3]) await bus.publish('t', n);
    expect([(await events.next()).value, (await events.next()).value]).toEqual([2, 3]);
  });
});
