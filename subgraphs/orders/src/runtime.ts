import { ConfigError, createEntityClient, OutboxRelay, registerOutboxAgeGauge, type RuntimeDeps } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import { CheckoutSaga } from './checkout/checkout-saga.ts';
import { CheckoutStore } from './checkout/checkout-store.ts';
import { createInventoryClient } from './checkout/inventory-client.ts';
import { registerPendingOrdersGauge } from './checkout/pending-orders-gauge.ts';
import { RecoveryLoop } from './checkout/recovery-loop.ts';
import type { OrdersEnv } from './env.ts';
import { withTimeout } from './payments/payment-provider.ts';
import { TestPaymentProvider } from './payments/test-payment-provider.ts';

/** The orders subgraph's long-lived parts: the saga and its clients, the outbox relay, recovery. */
export interface OrdersRuntime {
  saga: CheckoutSaga;
  recovery: RecoveryLoop;
  outbox: OutboxRelay;
  close(): Promise<void>;
}

export async function createOrdersRuntime(deps: RuntimeDeps<PrismaClient, OrdersEnv>): Promise<OrdersRuntime> {
  const { db, log, extra: env } = deps;
  if (deps.nodeEnv === 'production' && env.PAYMENT_PROVIDER === 'test') {
    throw new ConfigError('NODE_ENV=production refuses the test payment provider: configure a real one');
  }
  if (deps.nodeEnv === 'production' && env.SAGA_CRASH_AFTER) throw new ConfigError('SAGA_CRASH_AFTER is a test hook');

  const outbox = new OutboxRelay(db, deps.events, log, env.OUTBOX_INTERVAL_MS);
  registerOutboxAgeGauge(db, deps.metrics.registry, log);
  registerPendingOrdersGauge(db, deps.metrics.registry, log);
  const store = new CheckoutStore(db);
  const saga = new CheckoutSaga({
    store,
    products: createEntityClient({ url: env.PRODUCTS_SUBGRAPH_URL, internalTokenSecret: env.INTERNAL_TOKEN_SECRET, callerName: 'orders', target: 'products' }),
    inventory: createInventoryClient({ baseUrl: env.INVENTORY_URL, internalTokenSecret: env.INTERNAL_TOKEN_SECRET, timeoutMs: env.INVENTORY_TIMEOUT_MS }),
    payments: withTimeout(new TestPaymentProvider(db, { latencyMs: env.TEST_PAYMENT_LATENCY_MS }), env.PAYMENT_TIMEOUT_MS),
    log,
    onStatusChanged: () => outbox.nudge(),
    settleWaitMs: env.PLACE_ORDER_SETTLE_WAIT_MS,
    crashAfter: env.SAGA_CRASH_AFTER,
  });
  const recovery = new RecoveryLoop(saga, store, log, { intervalMs: env.RECOVERY_INTERVAL_MS, graceMs: env.RECOVERY_GRACE_MS });
  // Orders a crashed process left behind, and events it did not get to publish.
  void recovery.runOnce();
  outbox.nudge();
  return {
    saga,
    recovery,
    outbox,
    async close() {
      await recovery.close();
      await outbox.close();
    },
  };
}
