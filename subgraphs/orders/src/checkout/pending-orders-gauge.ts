import { registerAgeGauge, type Logger, type ServiceMetrics } from '@supergraph/service-kit';
import type { PrismaClient } from '../generated/prisma/client.ts';

/**
 * `orders_pending_oldest_age_seconds`: how long the oldest order still PENDING has been waiting
 * for its checkout saga to settle, 0 when none is pending. The saga settles an order in seconds
 * and the recovery loop finishes what a crash left behind, so a growing age means both are stuck
 * (the OrdersStuckPending alert). Read at scrape time through the ("status", "created_at") index.
 */
export function registerPendingOrdersGauge(db: PrismaClient, registry: ServiceMetrics['registry'], log: Logger): void {
  registerAgeGauge(registry, {
    name: 'orders_pending_oldest_age_seconds',
    help: 'Age of the oldest order still PENDING, in seconds (0 when none is)',
    log,
    read: async () => {
      // Stored timestamps are UTC; the leading comment keeps scrapes out of db_queries_total.
      const [oldest] = await db.$queryRaw<Array<{ age: number }>>`/* metrics scrape */
        SELECT extract(epoch FROM (now() AT TIME ZONE 'UTC') - "created_at")::float8 AS "age" FROM "orders"
        WHERE "status" = 'PENDING' ORDER BY "created_at" LIMIT 1`;
      return oldest?.age ?? 0;
    },
  });
}
