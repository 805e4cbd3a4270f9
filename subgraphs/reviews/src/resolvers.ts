import { randomUUID } from 'node:crypto';
import {
  badUserInput, newestFirstConnection, newestFirstPageKey, nonBlankArgument, notFound, parseNewestFirstPage, unauthenticated, type GraphQLResolverMap,
} from '@supergraph/service-kit';
import type { Review } from './generated/prisma/client.ts';
import type { ReviewsContext } from './context.ts';
import { MAX_REVIEWS_PER_PAGE, parseAddReviewInput, parseFirst } from './input.ts';
import { roundedMeanRating } from './rating-stats.ts';
import { subscribeToReviewsOf } from './review-events.ts';

interface EntityReference {
  id: string;
}
type PageArgs = { first: number; after?: string | null };
const CURSOR_KIND = 'review';

export const resolvers: GraphQLResolverMap<ReviewsContext> = {
  Mutation: {
    async addReview(_: unknown, args: { input: unknown }, ctx: ReviewsContext): Promise<Review> {
      if (!ctx.viewer) throw unauthenticated('Sign in to review a product');
      const input = parseAddReviewInput(args.input);
      // Products live in another subgraph's database: ask it, never its tables.
      const products = await ctx.products.fetchEntities('Product', [input.productId], 'id');
      if (!products.has(input.productId)) throw notFound(`No product with id ${input.productId}`);
      const review = await ctx.store.createReview({ id: randomUUID(), authorId: ctx.viewer.id, ...input });
      if (!review) throw badUserInput('You have already reviewed this product', { field: 'productId' });
      // The product's rating and the author's reviews changed: no gateway may serve them stale.
      await Promise.all([ctx.responseCache.purge('Product', [review.productId]), ctx.responseCache.purge('User', [review.authorId])]);
      // After the purge: a subscriber that reads the product's rating on this event gets the new one.
      // The event is already in the outbox (same transaction as the review): the relay publishes it
      // now, or, while the bus is down, once it is back.
      ctx.outbox.nudge();
      return review;
    },
  },
  Subscription: {
    reviewAdded: {
      async subscribe(_: unknown, args: { productId: string }, ctx: ReviewsContext) {
        const productId = nonBlankArgument(args.productId, 'productId');
        // A product that does not exist would have the client wait for ever, in silence. Only a
        // products subgraph that answers can say so: while it is down, live reviews still flow.
        const known = await ctx.products.fetchEntities('Product', [productId], 'id').catch(() => null);
        if (known && !known.has(productId)) throw notFound(`No product with id ${productId}`);
        return subscribeToReviewsOf(ctx.events, productId);
      },
    },
  },
  Review: {
    __resolveReference: (reference: EntityReference, ctx: ReviewsContext) => ctx.loaders.review.load(reference.id),
    createdAt: (review: Review) => review.createdAt.toISOString(),
    author: (review: Review) => ({ __typename: 'User', id: review.authorId }),
    product: (review: Review) => ({ __typename: 'Product', id: review.productId }),
  },
  Product: {
    // Products are owned elsewhere; here one is just its id, whose reviews may be empty.
    __resolveReference: (reference: EntityReference) => ({ id: reference.id }),
    reviews: (product: EntityReference, args: { first: number }, ctx: ReviewsContext) =>
      ctx.loaders.reviewsOfProduct.load(product.id, parseFirst(args.first)),
    async reviewsConnection(product: EntityReference, args: PageArgs, ctx: ReviewsContext) {
      const page = parseNewestFirstPage(CURSOR_KIND, args, MAX_REVIEWS_PER_PAGE);
      return newestFirstConnection(CURSOR_KIND, await ctx.loaders.reviewPageOfProduct.load(product.id, newestFirstPageKey(page)), page.first);
    },
    async averageRating(product: EntityReference, _: unknown, ctx: ReviewsContext) {
      const stats = await ctx.loaders.ratingStats.load(product.id);
      return stats ? roundedMeanRating(stats.ratingSum, stats.reviewCount) : null;
    },
    async reviewCount(product: EntityReference, _: unknown, ctx: ReviewsContext) {
      return (await ctx.loaders.ratingStats.load(product.id))?.reviewCount ?? 0;
    },
  },
  User: {
    __resolveReference: (reference: EntityReference) => ({ id: reference.id }),
    reviews: (user: EntityReference, args: { first: number }, ctx: ReviewsContext) =>
      ctx.loaders.reviewsByAuthor.load(user.id, parseFirst(args.first)),
    async reviewsConnection(user: EntityReference, args: PageArgs, ctx: ReviewsContext) {
      const page = parseNewestFirstPage(CURSOR_KIND, args, MAX_REVIEWS_PER_PAGE);
      return newestFirstConnection(CURSOR_KIND, await ctx.loaders.reviewPageByAuthor.load(user.id, newestFirstPageKey(page)), page.first);
    },
  },
};
