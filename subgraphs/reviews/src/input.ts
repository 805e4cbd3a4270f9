import { z } from 'zod';
import { badUserInput, parseInput } from '@supergraph/service-kit';

/** The public contract's limits for reviews, checked before any SQL or network call. */
export const MAX_REVIEWS_PER_PAGE = 100;
export const BODY_MAX = 5_000;

const addReviewSchema = z.object({
  productId: z.string().trim().min(1, 'productId is required').max(100, 'productId is at most 100 characters'),
  rating: z.number().int('rating must be a whole number').min(1, 'rating must be from 1 to 5').max(5, 'rating must be from 1 to 5'),
  body: z.string().trim().min(1, 'body must not be empty').max(BODY_MAX, `body is at most ${BODY_MAX} characters`),
});
export type AddReviewInput = z.infer<typeof addReviewSchema>;

export const parseAddReviewInput = (input: unknown): AddReviewInput => parseInput(addReviewSchema, input);

/** `first` of Product.reviews and User.reviews. */
export function parseFirst(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_REVIEWS_PER_PAGE) {
    throw badUserInput(`\`first\` must be between 1 and ${MAX_REVIEWS_PER_PAGE}`, { argument: 'first' });
  }
  return first;
}
