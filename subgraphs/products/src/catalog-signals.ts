// The demo data set's stock and reviews are pure functions of the shared seed plan (the service
// kit's, which inventory and reviews seed from too), so the catalog's seeded copies equal theirs.
import { demoReviewRows, demoStockLevels, roundedMeanRating, type SeedPlan } from '@supergraph/service-kit';

/**
 * The facts the catalog keeps copies of (ADR 0016): whether a product can be ordered (inventory's)
 * and its rating (reviews'). The catalog filters, facets and sorts on them in one query.
 */
export interface CatalogSignals {
  inStock: boolean;
  ratingAverage: number;
  reviewCount: number;
}

/** Mean rating to two decimals, exactly as reviews' Product.averageRating rounds it; 0 without reviews. */
export const roundedAverage = (sum: number, count: number) => roundedMeanRating(sum, count) ?? 0;

/** The signals of every demo product, by index, equal to what the other subgraphs seed from the same plan. */
export function demoCatalogSignals(plan: SeedPlan): CatalogSignals[] {
  const sums = new Float64Array(plan.products);
  const counts = new Uint32Array(plan.products);
  for (const review of demoReviewRows(plan)) {
    const index = parseInt(review.productId.slice(-12), 16);
    sums[index]! += review.rating;
    counts[index]! += 1;
  }
  return demoStockLevels(plan.products).map((stock, index) => ({
    inStock: stock.available > 0,
    ratingAverage: roundedAverage(sums[index]!, counts[index]!),
    reviewCount: counts[index]!,
  }));
}

/** A URL-safe product slug; demo names carry their index, so demo slugs are unique. */
export const slugify = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
