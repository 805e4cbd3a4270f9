import { OutboxRelay, registerOutboxAgeGauge, type RuntimeDeps } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import type { ReviewsEnv } from './env.ts';

/** The reviews subgraph's long-lived part: the relay that publishes `review.added` from the outbox. */
export interface ReviewsRuntime {
  outbox: OutboxRelay;
  close(): Promise<void>;
}

export async function createReviewsRuntime(deps: RuntimeDeps<PrismaClient, ReviewsEnv>): Promise<ReviewsRuntime> {
  const outbox = new OutboxRelay(deps.db, deps.events, deps.log, deps.extra.OUTBOX_INTERVAL_MS);
  registerOutboxAgeGauge(deps.db, deps.metrics.registry, deps.log);
  // Events a crashed process, or a bus outage, left unpublished.
  outbox.nudge();
  return { outbox, close: () => outbox.close() };
}
