import type { EventBus, Logger } from '@supergraph/service-kit';
import type { PrismaClient } from '../generated/prisma/client.ts';

const BATCH = 100;

/**
 * Relays outbox rows to the event bus, oldest first, and marks them published only after the bus
 * took them: a crash or a Redis outage in between means the row is sent again later (at least
 * once), never that it is lost. `nudge()` after a commit keeps latency low; the interval catches
 * everything else (other replicas' rows, rows left by a crash, Redis coming back).
 */
export class OutboxRelay {
  private running: Promise<void> | null = null;
  private again = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: PrismaClient,
    private readonly events: EventBus,
    private readonly log: Logger,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => this.nudge(), intervalMs);
    this.timer.unref();
  }

  nudge(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
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
        for (const row of rows) await this.events.publish(row.topic, { ...row.payload, eventId: row.id.toString() });
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
