import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.ts';
import { EventFilter, eventIdentity } from './event-order.ts';

describe('EventFilter', () => {
  it('delivers an event once, however often it is redelivered', () => {
    const filter = new EventFilter();
    expect(filter.admit({ id: 'a' })).toBe('deliver');
    expect(filter.admit({ id: 'a' })).toBe('duplicate');
    expect(filter.admit({ id: 'b' })).toBe('deliver');
  });

  it('never lets a key go backwards: a late or equal sequence is stale', () => {
    const filter = new EventFilter();
    expect(filter.admit({ id: '1', key: 'Order:1', sequence: 0 })).toBe('deliver');
    expect(filter.admit({ id: '3', key: 'Order:1', sequence: 1 })).toBe('deliver');
    expect(filter.admit({ id: '2', key: 'Order:1', sequence: 0 })).toBe('stale');
    expect(filter.admit({ id: 'snapshot', key: 'Order:1', sequence: 1 })).toBe('stale');
    expect(filter.admit({ id: '4', key: 'Order:2', sequence: 0 })).toBe('deliver');
  });

  it('passes events without an identity, and bounds its memory', () => {
    const filter = new EventFilter(2, 2);
    expect(filter.admit(undefined)).toBe('deliver');
    for (const id of ['a', 'b', 'c']) filter.admit({ id });
    expect(filter.admit({ id: 'a' })).toBe('deliver'); // forgotten: the oldest of more than 2
  });

  it('reads the identity a subgraph puts in extensions.event, ignoring anything malformed', () => {
    expect(eventIdentity({ event: { id: '7', key: 'Order:1', sequence: 2 } })).toEqual({ id: '7', key: 'Order:1', sequence: 2 });
    expect(eventIdentity({ event: { id: 7 } })).toBeUndefined();
    expect(eventIdentity({ event: { id: 'x', sequence: 'high' } })).toEqual({ id: 'x' });
    expect(eventIdentity(undefined)).toBeUndefined();
  });
});

describe('BoundedQueue', () => {
  it('keeps the newest events when a slow consumer lets it fill, counting what it dropped', async () => {
    let dropped = 0;
    const queue = new BoundedQueue<number>(3, () => dropped++);
    for (let i = 1; i <= 10; i++) queue.push(i);
    expect(queue.size).toBe(3);
    expect(dropped).toBe(7);
    queue.finish();
    const seen: number[] = [];
    for await (const value of queue) seen.push(value);
    expect(seen).toEqual([8, 9, 10]);
  });

  it('ends a pending next() at once on return(), leaving nothing waiting', async () => {
    const queue = new BoundedQueue<number>(3);
    const pending = queue.next();
    await queue.return();
    expect(await pending).toEqual({ done: true, value: undefined });
    queue.push(1);
    expect(await queue.next()).toEqual({ done: true, value: undefined });
  });
});
