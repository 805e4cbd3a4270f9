/**
 * Mean of integer ratings to two decimals, halves rounded up, from the exact sum: `sum * 100 / count`
 * is one correctly rounded division, so 41 stars over 40 reviews (1.025) gives 1.03, where
 * rounding a floating-point average would give 1.02. Shared: reviews answers `averageRating` with
 * it, and products' catalog copy (ADR 0016) must hold the very same number.
 */
export function roundedMeanRating(ratingSum: number, reviewCount: number): number | null {
  if (reviewCount === 0) return null;
  return Math.round((ratingSum * 100) / reviewCount) / 100;
}
