import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createSubgraph, readCounter, type SubgraphService } from '@supergraph/service-kit';
import { ordersSubgraph } from '../../subgraphs/orders/src/subgraph.ts';
import { ordersEnvSchema } from '../../subgraphs/orders/src/env.ts';
import type { PrismaClient } from '../../subgraphs/orders/src/generated/prisma/client.ts';
import { dropServiceDatabases, ensureServiceDatabases } from '../../scripts/local-databases.ts';
import { stack } from '../support/graphql.ts';

/**
 * The two ages the OrdersStuckPending and OutboxLagging alerts read (k8s/monitoring), as a scrape
 * of /metrics sees them: 0 while nothing waits, the age of the oldest PENDING order and of the
 * oldest unpublished outbox row while they wait, 0 again once they are settled. An orders replica
 * of this file's own, on its own database, so no other file's orders or events count; its
 * recovery loop and outbox relay poll too rarely to settle the rows planted here. No products.
 */
const ORDER_AGE = 'orders_pending_oldest_age_seconds';
const OUTBOX_AGE = 'outbox_oldest_unpublished_age_seconds';
const PLANTED_AGO_S = 90;

describe('waiting-age gauges on /metrics', () => {
  let orders: SubgraphService<PrismaClient>;
  let metricsUrl: string;
  let databases: { serverUrl: string; prefix: string } | undefined;
  const scrape = async (url = metricsUrl) => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return response.text();
  };

  beforeAll(async () => {
    const serverUrl = process.env.DATABASE_URL;
    const prefix = `wam${Date.now().toString(36)}`;
    if (serverUrl) databases = { serverUrl, prefix };
    const subgraphs = stack().subgraphs;
    orders = await createSubgraph(ordersSubgraph, {
      nodeEnv: 'test',
      databaseUrl: serverUrl ? (await ensureServiceDatabases(serverUrl, prefix, ['orders'])).orders : undefined,
      dataDir: 'memory://',
      internalTokenSecret: stack().secrets.internalToken,
      seed: 'none',
      seedProducts: 1,
      log: pino({ level: 'silent' }),
      extra: ordersEnvSchema.parse({
        PRODUCTS_SUBGRAPH_URL: subgraphs.products.url,
        INVENTORY_URL: subgraphs.inventory.url.replace(/\/graphql$/, ''),
        INTERNAL_TOKEN_SECRET: stack().secrets.internalToken,
        RECOVERY_INTERVAL_MS: 600_000,
        RECOVERY_GRACE_MS: 600_000,
        OUTBOX_INTERVAL_MS: 600_000,
      }),
    });
    metricsUrl = `${(await orders.listen(0)).url}/metrics`;
  }, 120_000);

  afterAll(async () => {
    await orders?.close();
    if (databases) await dropServiceDatabases(databases.serverUrl, databases.prefix, ['orders']);
  });

  it('are 0 while no order is pending and no event waits', async () => {
    const metrics = await scrape();
    expect(metrics).toContain(`${ORDER_AGE}{service="orders"} 0\n`);
    expect(metrics).toContain(`${OUTBOX_AGE}{service="orders"} 0\n`);
  });

  it('show how long the oldest PENDING order and unpublished outbox row have waited, and 0 once settled', async () => {
    await orders.db.$executeRaw`
      INSERT INTO "orders" ("id", "user_id", "status", "idempotency_key", "total_cents", "currency", "created_at", "updated_at", "checkout_step", "cart_fingerprint")
      VALUES ('waiting-age-order', 'waiting-age-user', 'PENDING', 'waiting-age', 100, 'USD',
              (now() AT TIME ZONE 'UTC') - make_interval(secs => ${PLANTED_AGO_S}), now() AT TIME ZONE 'UTC', 'RECORDED', 'fingerprint')`;
    await orders.db.$executeRaw`
      INSERT INTO "outbox_events" ("topic", "payload", "created_at")
      VALUES ('waiting-age.test', '{}'::jsonb, (now() AT TIME ZONE 'UTC') - make_interval(secs => ${PLANTED_AGO_S}))`;

    const waiting = await scrape();
    const orderAge = readCounter(waiting, ORDER_AGE);
    const outboxAge = readCounter(waiting, OUTBOX_AGE);
    // As old as planted (less a millisecond column rounding); far less than a day (a time-zone mix-up would be hours off).
    expect(orderAge).toBeGreaterThanOrEqual(PLANTED_AGO_S - 1);
    expect(orderAge).toBeLessThan(3_600);
    expect(outboxAge).toBeGreaterThanOrEqual(PLANTED_AGO_S - 1);
    expect(outboxAge).toBeLessThan(3_600);

    await orders.db.$executeRaw`UPDATE "orders" SET "status" = 'CONFIRMED', "checkout_step" = 'DONE' WHERE "id" = 'waiting-age-order'`;
    await orders.db.$executeRaw`UPDATE "outbox_events" SET "published_at" = now() AT TIME ZONE 'UTC' WHERE "topic" = 'waiting-age.test'`;
    const settled = await scrape();
    expect(readCounter(settled, ORDER_AGE)).toBe(0);
    expect(readCounter(settled, OUTBOX_AGE)).toBe(0);
  });

  it('are not counted as statements the service sends for requests', async () => {
    const before = readCounter(await scrape(), 'db_queries_total');
    await scrape();
    expect(readCounter(await scrape(), 'db_queries_total')).toBe(before);
  });

  it('include the reviews outbox, labelled with its service', async () => {
    const metrics = await scrape(stack().subgraphs.reviews.url.replace(/\/graphql$/, '/metrics'));
    expect(metrics).toMatch(new RegExp(`^${OUTBOX_AGE}\\{service="reviews"\\} \\d`, 'm'));
  });
});
