import { OutboxRelay, registerOutboxAgeGauge, type OutboxDatabase, type OutboxTransaction } from './outbox-relay.ts';
import type { RuntimeDeps } from './subgraph.ts';

/** A subgraph whose long-lived part is only the relay publishing its outbox (reviews, inventory). */
export interface OutboxRuntime {
  outbox: OutboxRelay;
  close(): Promise<void>;
}

export async function createOutboxRuntime(deps: RuntimeDeps<OutboxDatabase & Pick<OutboxTransaction, '$queryRaw'>, { OUTBOX_INTERVAL_MS: number }>): Promise<OutboxRuntime> {
  const outbox = new OutboxRelay(deps.db, deps.events, deps.log, deps.extra.OUTBOX_INTERVAL_MS);
  registerOutboxAgeGauge(deps.db, deps.metrics.registry, deps.log);
  // Events a crashed process, or a bus outage, left unpublished.
  outbox.nudge();
  return { outbox, close: () => outbox.close() };
}
