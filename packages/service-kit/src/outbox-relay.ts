import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import type { EventBus } from './events.ts';
import type { Logger } from './logger.ts';
import { registerAgeGauge } from './metrics.ts';
import { currentTraceparent } from './tracing.ts';

const BATCH = 100;

/** What the relay needs of a Prisma transaction client: raw SQL only, so any subgraph's client fits. */
export interface OutboxTransaction {
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: any[]): PromiseLike<T>;
  $executeRaw(query: TemplateStringsArray, ...values: any[]): PromiseLike<number>;
}

/** A Prisma client whose database has the `outbox_events` table (same shape in every subgraph). */
export interface OutboxDatabase {
  $transaction<R>(fn: (tx: OutboxTransaction) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
}

/**
 * `outbox_oldest_unpublished_age_seconds` on the service's registry (its `service` label comes from
 * the registry's default labels): how long the oldest row has waited for the bus, 0 when none
 * waits. The OutboxLagging alert reads it. The oldest row is the lowest id (ids follow inserts),
 * which the ("published_at", "id") index the relay uses hands over without scanning. Each
 * subgraph with an outbox registers it beside its relay (one per service registry).
 */
export function registerOutboxAgeGauge(db: Pick<OutboxTransaction, '$queryRaw'>, registry: Registry, log: Logger): void {
  registerAgeGauge(registry, {
    name: 'outbox_oldest_unpublished_age_seconds',
    help: 'Age of the oldest outbox row not yet published to the event bus, in seconds (0 when none waits)',
    log,
    read: async () => {
      // Stored timestamps are UTC (Prisma's convention for columns without a time zone). The
      // leading comment keeps scrapes out of db_queries_total (SCRAPE_QUERY_MARK).
      const [oldest] = await db.$queryRaw<Array<{ age: number }>>`/* metrics scrape */
        SELECT extract(epoch FROM (now() AT TIME ZONE 'UTC') - "created_at")::float8 AS "age" FROM "outbox_events"
        WHERE "published_at" IS NULL ORDER BY "id" LIMIT 1`;
      return oldest?.age ?? 0;
    },
  });
}

/**
 * An outbox row's payload: the event plus the `traceparent` of the request that raised it. The
 * relay publishes later, outside that request, so the row has to carry the trace for the event
 * (and the gateway's per-event work) to join it.
 */
export function outboxPayload<T extends object>(event: T): T & { traceparent?: string } {
  const traceparent = currentTraceparent();
  return traceparent ? { ...event, traceparent } : event;
}

/**
 * Relays outbox rows to the event bus, oldest first, and marks them published only after the bus
 * took them: a crash or a Redis outage in between means the row is sent again later (at least
 * once), never that it is lost. `nudge()` after a commit keeps latency low; the interval catches
 * everything else (other replicas' rows, rows left by a crash, Redis coming back).
 *
 * The published event is the row's payload with `eventId` = the row id unless the payload names
 * its own (reviews use the review id, which the gateway dedupes by).
 */
export class OutboxRelay {
  private running: Promise<void> | null = null;
  private again = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: OutboxDatabase,
    private readonly events: EventBus,
    private readonly log: Logger,
    intervalMs: number,
  ) {
    // setInterval takes a missing or zero delay as 1 ms: a relay polling the database non-stop.
    if (!Number.isFinite(intervalMs) || intervalMs < 1) throw new Error(`outbox relay interval must be a positive number of ms, got ${intervalMs}`);
    this.timer = setInterval(() => this.nudge(), intervalMs);
    this.timer.unref();
  }

  nudge(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    // Outside whichever request nudged: rows carry their own trace, and a row without one must
    // not be attributed to the request that happened to wake the relay.
    this.running = context
      .with(ROOT_CONTEXT, () => this.drain())
      .catch((error) => this.log.warn({ err: error }, 'outbox relay failed; will retry'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.nudge();
        }
      });
  }

  /** Publishes until nothing is pending (or the bus fails). */
  private async drain(): Promise<void> {
    while ((await this.relayBatch()) === BATCH);
  }

  private relayBatch(): Promise<number> {
    return this.db.$transaction(
      async (tx) => {
        // SKIP LOCKED: replicas relaying at once split the rows instead of sending them twice.
        const rows = await tx.$queryRaw<Array<{ id: bigint; topic: string; payload: Record<string, unknown> }>>`
          SELECT "id", "topic", "payload" FROM "outbox_events"
          WHERE "published_at" IS NULL ORDER BY "id" LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
        for (const row of rows) await this.events.publish(row.topic, { eventId: row.id.toString(), ...row.payload });
        if (rows.length > 0) {
          await tx.$executeRaw`UPDATE "outbox_events" SET "published_at" = now() WHERE "id" = ANY(${rows.map((r) => r.id)}::bigint[])`;
        }
        return rows.length;
      },
      { maxWait: 10_000, timeout: 15_000 },
    );
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
