import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createEventBus, type EventBus } from './events.ts';
import { OutboxRelay, outboxPayload, type OutboxDatabase, type OutboxTransaction } from './outbox-relay.ts';
import { setUpTracing } from './tracing.ts';

/**
 * The kit's outbox relay against an outbox of plain rows (the SQL, SKIP LOCKED included, runs in
 * the integration tests: tests/reliability/review-outbox.test.ts, the checkout tests).
 */
interface Row {
  id: bigint;
  topic: string;
  payload: Record<string, unknown>;
  published: boolean;
}

class RowsOutbox implements OutboxDatabase {
  readonly rows: Row[] = [];
  add(topic: string, payload: Record<string, unknown>): void {
    this.rows.push({ id: BigInt(this.rows.length + 1), topic, payload, published: false });
  }
  private readonly tx: OutboxTransaction = {
    $queryRaw: async <T>(_sql: TemplateStringsArray, limit: number) => this.rows.filter((r) => !r.published).slice(0, limit) as T,
    $executeRaw: async (_sql: TemplateStringsArray, ids: bigint[]) => {
      for (const row of this.rows) if (ids.includes(row.id)) row.published = true;
      return ids.length;
    },
  };
  $transaction<R>(fn: (tx: OutboxTransaction) => Promise<R>): Promise<R> {
    return fn(this.tx);
  }
}

const silent = pino({ level: 'silent' });

/** A bus whose publishes fail while `down`, recording what it took. */
function flakyBus(): EventBus & { down: boolean; took: Array<{ topic: string; payload: any }> } {
  const bus = {
    kind: 'in-process' as const,
    down: false,
    took: [] as Array<{ topic: string; payload: any }>,
    async publish(topic: string, payload: unknown) {
      if (bus.down) throw new Error('bus down');
      bus.took.push({ topic, payload });
    },
    subscribe: async () => async () => {},
    close: async () => {},
  };
  return bus;
}

/** Wakes the relay and waits for that drain (close() awaits the running drain; nudge still works after). */
async function relayNow(relay: OutboxRelay): Promise<void> {
  relay.nudge();
  await relay.close();
}

describe('OutboxRelay', () => {
  it('publishes oldest first, marks a row published only after the bus took it, and sends what a failed publish left exactly once later', async () => {
    const db = new RowsOutbox();
    const bus = flakyBus();
    const relay = new OutboxRelay(db, bus, silent, 60_000);
    db.add('order.status-changed', { orderId: 'o1', status: 'PENDING' });
    db.add('review.added', { eventId: 'review-1', reviewId: 'review-1' });

    bus.down = true;
    await relayNow(relay);
    expect(db.rows.every((row) => !row.published)).toBe(true);

    bus.down = false;
    await relayNow(relay);
    await relayNow(relay);
    expect(db.rows.every((row) => row.published)).toBe(true);
    expect(bus.took).toEqual([
      // No eventId of its own: the row id, unique per outbox.
      { topic: 'order.status-changed', payload: { eventId: '1', orderId: 'o1', status: 'PENDING' } },
      // Its own eventId (the review id, what the gateway dedupes reviews by) is kept.
      { topic: 'review.added', payload: { eventId: 'review-1', reviewId: 'review-1' } },
    ]);
  });

  it('refuses a missing interval (setInterval would poll every millisecond)', () => {
    expect(() => new OutboxRelay(new RowsOutbox(), flakyBus(), silent, undefined as unknown as number)).toThrow(/interval/);
  });

  it('drains more than one batch per wake-up', async () => {
    const db = new RowsOutbox();
    const bus = flakyBus();
    for (let i = 0; i < 250; i++) db.add('t', { n: i });
    await relayNow(new OutboxRelay(db, bus, silent, 60_000));
    expect(bus.took.map((event) => event.payload.n)).toEqual([...Array(250).keys()]);
  });

  it("publishes with the trace of the request that wrote the row, not of the request that woke the relay", async () => {
    setUpTracing();
    const tracer = trace.getTracer('outbox-relay-test');
    const inSpan = <T>(name: string, work: () => T): T => context.with(trace.setSpan(ROOT_CONTEXT, tracer.startSpan(name)), work);
    const db = new RowsOutbox();
    const bus = createEventBus({ channelPrefix: `outbox-test-${Math.random()}:` });
    const heard: any[] = [];
    await bus.subscribe('t', (payload) => heard.push(payload));

    const writer = inSpan('writes the row', () => outboxPayload({ n: 1 }));
    const writerTraceparent = writer.traceparent;
    expect(writerTraceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    db.add('t', writer);
    // A row written outside any request: it must not join whichever request wakes the relay.
    db.add('t', outboxPayload({ n: 2 }));

    const relay = new OutboxRelay(db, bus, silent, 60_000);
    await inSpan('another request', () => relayNow(relay));
    expect(heard).toEqual([{ eventId: '1', n: 1, traceparent: writerTraceparent }, { eventId: '2', n: 2 }]);
    await bus.close();
  });
});
