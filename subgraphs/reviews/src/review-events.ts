import { eventBusIterator, subscriptionEvent, type EventBus } from '@supergraph/service-kit';
import type { Review } from './generated/prisma/client.ts';

/**
 * What the reviews subgraph announces on the event bus when a review is written: the review
 * itself, so a subscriber needs no read to show it, and the product's rating after it
 * (`productRating`), counted in the same transaction, so products can keep its catalog copy
 * (ADR 0016). Written to the outbox with the review and relayed at least once; `eventId` is the
 * review's id (not the outbox row's): a review is added once, so a redelivery is recognisable
 * (the gateway drops it).
 */
export const REVIEW_ADDED_TOPIC = 'review.added';

// A type, not an interface: it is stored as a Prisma JSON value, which needs an index signature.
export type ReviewAddedEvent = {
  eventId: string;
  reviewId: string;
  productId: string;
  authorId: string;
  rating: number;
  body: string;
  createdAt: string;
  productRating: ProductRating;
};

/**
 * A product's rating as of one review: its count is also the version of the figures (reviews are
 * only ever added, so a higher count is a later state; a consumer keeps the highest it has seen).
 */
export type ProductRating = {
  reviewCount: number;
  ratingSum: number;
  averageRating: number | null;
};

export const reviewAddedEvent = (review: Review, productRating: ProductRating): ReviewAddedEvent => ({
  eventId: review.id,
  reviewId: review.id,
  productId: review.productId,
  authorId: review.authorId,
  rating: review.rating,
  body: review.body,
  createdAt: review.createdAt.toISOString(),
  productRating,
});

function isReviewAddedOf(payload: unknown, productId: string): payload is ReviewAddedEvent {
  const event = payload as Partial<ReviewAddedEvent> | null;
  return !!event && event.productId === productId && typeof event.eventId === 'string' && typeof event.reviewId === 'string' &&
    typeof event.authorId === 'string' && typeof event.rating === 'number' && typeof event.body === 'string' && typeof event.createdAt === 'string';
}

const FIELD = 'reviewAdded';

/** `reviewAdded(productId)`: every review of that product written from now on. Public: no viewer needed. */
export async function subscribeToReviewsOf(events: EventBus, productId: string): Promise<AsyncIterableIterator<unknown>> {
  return eventBusIterator(events, REVIEW_ADDED_TOPIC, (payload) => {
    if (!isReviewAddedOf(payload, productId)) return undefined;
    const review: Review = {
      id: payload.reviewId,
      productId: payload.productId,
      authorId: payload.authorId,
      rating: payload.rating,
      body: payload.body,
      createdAt: new Date(payload.createdAt),
    };
    return subscriptionEvent(FIELD, review, { id: payload.eventId });
  });
}
