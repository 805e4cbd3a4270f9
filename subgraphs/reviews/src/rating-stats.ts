/** Per-product rating figures, as one grouped statement returns them. */
export interface RatingStats {
  productId: string;
  reviewCount: number;
  ratingSum: number;
}

// Shared with products, whose catalog copy must hold the very same number (ADR 0016).
export { roundedMeanRating } from '@supergraph/service-kit';
