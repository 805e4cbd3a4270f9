import { OutboxRelay, registerOutboxAgeGauge, type RuntimeDeps } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import type { InventoryEnv } from './env.ts';

/** The inventory subgraph's long-lived part: the relay that publishes `stock.changed` from the outbox. */
export interface InventoryRuntime {
  outbox: OutboxRelay;
  close(): Promise<void>;
}

export async function createInventoryRuntime(deps: RuntimeDeps<PrismaClient, InventoryEnv>): Promise<InventoryRuntime> {
  const outbox = new OutboxRelay(deps.db, deps.events, deps.log, deps.extra.OUTBOX_INTERVAL_MS);
  registerOutboxAgeGauge(deps.db, deps.metrics.registry, deps.log);
  // Events a crashed process, or a bus outage, left unpublished.
  outbox.nudge();
  return { outbox, close: () => outbox.close() };
}
