import { groupLoaderWithArg, parseNewestFirstPageKey, rowLoader } from '@supergraph/service-kit';
import type { ReviewStore } from './store.ts';

/**
 * Per-request loaders: a page of products costs one statement for their rating figures and one
 * per distinct `first` for their review lists, however many products it holds.
 */
export function createLoaders(store: ReviewStore) {
  return {
    review: rowLoader((ids) => store.reviewsByIds(ids), (row) => row.id),
    reviewsOfProduct: groupLoaderWithArg((ids, first: number) => store.latestReviewsOfProducts(ids, first), (row) => row.productId),
    reviewsByAuthor: groupLoaderWithArg((ids, first: number) => store.latestReviewsByAuthors(ids, first), (row) => row.authorId),
    // Cursor pages: keyed by the page request (newestFirstPageKey), one more row than asked for (is there a next page?).
    reviewPageOfProduct: groupLoaderWithArg((ids, key: string) => {
      const page = parseNewestFirstPageKey(key);
      return store.latestReviewsOfProducts(ids, page.first + 1, page.after);
    }, (row) => row.productId),
    reviewPageByAuthor: groupLoaderWithArg((ids, key: string) => {
      const page = parseNewestFirstPageKey(key);
      return store.latestReviewsByAuthors(ids, page.first + 1, page.after);
    }, (row) => row.authorId),
    // averageRating and reviewCount share it: asking for both costs one statement, not two.
    ratingStats: rowLoader((ids) => store.ratingStatsOfProducts(ids), (row) => row.productId),
  };
}
export type ReviewLoaders = ReturnType<typeof createLoaders>;
