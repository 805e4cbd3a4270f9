import { type Category, type PrismaClient, type Product } from './generated/prisma/client.ts';
import type { CatalogFilter, CatalogPageRequest } from './catalog-page.ts';
import { asOneCategoryRow } from './facets.ts';
import { categoryCountsQuery, categoryPagesQuery, countQuery, facetsQuery, pageQuery, queryWords, wordMatchCountQuery, type QueryMatches } from './catalog-query.ts';

/** A catalog row and the value it was sorted by (for its cursor). */
export type CatalogRow = Product & { sortKey: number | Date | null };

export interface CatalogPage {
  products: CatalogRow[];
  hasNextPage: boolean;
}

/** One facet row of facetsQuery: which grouping set it belongs to and its count. */
export interface FacetRow {
  grouping: number;
  categoryId: string | null;
  priceBand: number | null;
  ratingFloor: number | null;
  inStock: boolean | null;
  count: number;
}

/** All SQL of the products subgraph. Batch readers take many keys and cost one statement. */
export class ProductStore {
  constructor(private readonly db: PrismaClient) {}

  productsByIds(ids: readonly string[]): Promise<Product[]> {
    return this.db.product.findMany({ where: { id: { in: [...ids] } } });
  }

  productsBySlugs(slugs: readonly string[]): Promise<Product[]> {
    return this.db.product.findMany({ where: { slug: { in: [...slugs] } } });
  }

  productsBySkus(skus: readonly string[]): Promise<Product[]> {
    return this.db.product.findMany({ where: { sku: { in: [...skus] } } });
  }

  categoriesByIds(ids: readonly string[]): Promise<Category[]> {
    return this.db.category.findMany({ where: { id: { in: [...ids] } } });
  }

  categoriesBySlugs(slugs: readonly string[]): Promise<Category[]> {
    return this.db.category.findMany({ where: { slug: { in: [...slugs] } } });
  }

  allCategories(): Promise<Category[]> {
    return this.db.category.findMany({ orderBy: { name: 'asc' } });
  }

  /**
   * A catalog statement over a full-text query's word matches or, when that finds nothing and the
   * words match no product at all, over its typo matches (QueryMatches). A search that matches
   * costs its one statement; a typo costs two more.
   */
  private async overMatches<T>(filter: CatalogFilter, run: (matches: QueryMatches) => Promise<T>, found: (result: T) => boolean): Promise<T> {
    const result = await run('words');
    if (!filter.query || found(result) || (await this.wordsMatchAnyProduct(filter.query))) return result;
    return run('typo');
  }

  /** Whether a query's words match some product, whatever the filters (nothing to correct when it has no words). */
  private async wordsMatchAnyProduct(query: string): Promise<boolean> {
    if (queryWords(query).length === 0) return true;
    const rows = await this.db.$queryRaw<Array<{ count: number }>>(wordMatchCountQuery(query));
    return rows[0]!.count > 0;
  }

  /** One page plus one look-ahead row, which says whether another page follows. */
  async catalogPage(request: CatalogPageRequest): Promise<CatalogPage> {
    const rows = await this.overMatches(request.filter, (matches) => this.db.$queryRaw<CatalogRow[]>(pageQuery(request, matches)), (found) => found.length > 0);
    return { products: rows.slice(0, request.first), hasNextPage: rows.length > request.first };
  }

  /**
   * The same page in each of many categories, in one statement (a LATERAL join runs the page
   * query once per category), so `categories { products(first: 5) }` costs one statement, not twelve.
   */
  async catalogPagesByCategory(categoryIds: readonly string[], request: CatalogPageRequest): Promise<Map<string, CatalogPage>> {
    const rows = await this.overMatches(
      request.filter,
      (matches) => this.db.$queryRaw<CatalogRow[]>(categoryPagesQuery(categoryIds, request, matches)),
      (found) => found.length > 0,
    );
    const pages = new Map<string, CatalogPage>(categoryIds.map((id) => [id, { products: [], hasNextPage: false }]));
    for (const row of rows) {
      const page = pages.get(row.categoryId)!;
      if (page.products.length < request.first) page.products.push(row);
      else page.hasNextPage = true;
    }
    return pages;
  }

  countCatalog(filter: CatalogFilter): Promise<number> {
    const count = (matches: QueryMatches) => this.db.$queryRaw<Array<{ count: number }>>(countQuery(filter, matches)).then((rows) => rows[0]!.count);
    return this.overMatches(filter, count, (found) => found > 0);
  }

  /** Counts for many categories under one filter, in one statement. */
  async countCatalogByCategory(categoryIds: readonly string[], filter: CatalogFilter): Promise<Map<string, number>> {
    const rows = await this.overMatches(
      filter,
      (matches) => this.db.$queryRaw<Array<{ categoryId: string; count: number }>>(categoryCountsQuery(categoryIds, filter, matches)),
      (found) => found.length > 0,
    );
    return new Map(categoryIds.map((id) => [id, rows.find((row) => row.categoryId === id)?.count ?? 0]));
  }

  facets(filter: CatalogFilter): Promise<FacetRow[]> {
    return this.overMatches(filter, (matches) => this.db.$queryRaw<FacetRow[]>(facetsQuery(filter, matches)), (found) => found.length > 0);
  }

  /** The facets rows of each category (within it) for one filter, in one statement. */
  async facetsByCategory(categoryIds: readonly string[], filter: CatalogFilter): Promise<Map<string, FacetRow[]>> {
    const rows = await this.overMatches(
      filter,
      (matches) => this.db.$queryRaw<FacetRow[]>(facetsQuery(filter, matches, categoryIds)),
      (found) => found.length > 0,
    );
    const byCategory = new Map<string, FacetRow[]>(categoryIds.map((id) => [id, []]));
    for (const row of rows) byCategory.get(row.categoryId!)?.push(asOneCategoryRow(row));
    return byCategory;
  }

  /**
   * Seeding: one INSERT … SELECT FROM unnest(arrays) per chunk. Postgres binds one array a
   * column, so the chunk size is not capped by bind parameters, and it is several times faster
   * than createMany, whose client-side cost dominates at 100,000 rows.
   */
  insertProducts(rows: readonly Product[]): Promise<number> {
    return this.db.$executeRaw`
      INSERT INTO "products" ("id", "sku", "slug", "name", "description", "price_cents", "currency", "weight_grams", "category_id",
                              "created_at", "in_stock", "rating_average", "review_count")
      SELECT * FROM unnest(
        ${rows.map((r) => r.id)}::text[],
        ${rows.map((r) => r.sku)}::text[],
        ${rows.map((r) => r.slug)}::text[],
        ${rows.map((r) => r.name)}::text[],
        ${rows.map((r) => r.description)}::text[],
        ${rows.map((r) => r.priceCents)}::integer[],
        ${rows.map((r) => r.currency)}::char(3)[],
        ${rows.map((r) => r.weightGrams)}::integer[],
        ${rows.map((r) => r.categoryId)}::text[],
        ${rows.map((r) => r.createdAt.toISOString())}::timestamp(3)[],
        ${rows.map((r) => r.inStock)}::boolean[],
        ${rows.map((r) => r.ratingAverage)}::float8[],
        ${rows.map((r) => r.reviewCount)}::integer[]
      )`;
  }

  /** Fresh planner statistics and visibility map after a bulk load, so the first catalog queries use the indexes. */
  async refreshStatistics(): Promise<void> {
    // VACUUM too: it sets the visibility map, without which a category's counts and facets cannot
    // be index-only scans (ADR 0016) until autovacuum comes by.
    await this.db.$executeRaw`VACUUM ANALYZE "products"`;
  }
}
