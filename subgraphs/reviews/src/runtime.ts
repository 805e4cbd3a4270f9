import { createOutboxRuntime, type OutboxRuntime } from '@supergraph/service-kit';

/** The reviews subgraph's long-lived part: the relay that publishes `review.added` from the outbox. */
export type ReviewsRuntime = OutboxRuntime;
export const createReviewsRuntime = createOutboxRuntime;
