import { PRICE_BAND_EDGES } from './catalog-query.ts';
import type { FacetRow } from './store.ts';

/** GROUPING(category_id, price_band, rating_floor, in_stock): a 0 bit is the set's own column. */
const CATEGORY_SET = 0b0111;
const PRICE_SET = 0b1011;
const RATING_SET = 0b1101;
const STOCK_SET = 0b1110;
const RATING_BANDS = [4, 3, 2, 1] as const;

/**
 * A row of the facets of several categories at once (facetsQuery with categoryIds), as the row of
 * its category's own statement: there every set but the category set aggregates the category too.
 */
export const asOneCategoryRow = (row: FacetRow): FacetRow => (row.grouping === CATEGORY_SET ? row : { ...row, grouping: row.grouping | 0b1000 });

export interface Facets {
  categories: Array<{ categoryId: string; count: number }>;
  priceBands: Array<{ minPriceCents: number; maxPriceCents: number | null; count: number }>;
  ratingBands: Array<{ minRating: number; count: number }>;
  stock: { inStock: number; outOfStock: number };
}

/** The facets statement's rows as the schema's facets: every price band, cumulative rating bands. */
export function facetsFromRows(rows: FacetRow[]): Facets {
  const of = (set: number) => rows.filter((row) => row.grouping === set);
  const priceCounts = new Map(of(PRICE_SET).map((row) => [row.priceBand, row.count]));
  const ratingRows = of(RATING_SET);
  const stockRows = of(STOCK_SET);
  return {
    categories: of(CATEGORY_SET)
      .map((row) => ({ categoryId: row.categoryId!, count: row.count }))
      .sort((a, b) => b.count - a.count || a.categoryId.localeCompare(b.categoryId)),
    // width_bucket: 0 below the first edge, i between edge i-1 and edge i, edges.length at or above the last.
    priceBands: Array.from({ length: PRICE_BAND_EDGES.length + 1 }, (_, band) => ({
      minPriceCents: band === 0 ? 0 : PRICE_BAND_EDGES[band - 1]!,
      maxPriceCents: band < PRICE_BAND_EDGES.length ? PRICE_BAND_EDGES[band]! - 1 : null,
      count: priceCounts.get(band) ?? 0,
    })),
    ratingBands: RATING_BANDS.map((minRating) => ({
      minRating,
      count: ratingRows.filter((row) => row.ratingFloor! >= minRating).reduce((sum, row) => sum + row.count, 0),
    })),
    stock: {
      inStock: stockRows.find((row) => row.inStock === true)?.count ?? 0,
      outOfStock: stockRows.find((row) => row.inStock === false)?.count ?? 0,
    },
  };
}
