import type { Category, Prisma, PrismaClient, Product } from './generated/prisma/client.ts';
import type { CatalogFilter, CatalogPageRequest } from './catalog-page.ts';

/** All SQL of the products subgraph. Batch readers take many ids and cost one statement. */
export class ProductStore {
  constructor(private readonly db: PrismaClient) {}

  productsByIds(ids: readonly string[]): Promise<Product[]> {
    return this.db.product.findMany({ where: { id: { in: [...ids] } } });
  }

  categoriesByIds(ids: readonly string[]): Promise<Category[]> {
    return this.db.category.findMany({ where: { id: { in: [...ids] } } });
  }

  allCategories(): Promise<Category[]> {
    return this.db.category.findMany({ orderBy: { name: 'asc' } });
  }

  /** One page plus one look-ahead row, which says whether another page follows. */
  async catalogPage(request: CatalogPageRequest): Promise<{ products: Product[]; hasNextPage: boolean }> {
    const where: Prisma.ProductWhereInput = { ...filterWhere(request.filter) };
    if (request.afterId) where.id = { gt: request.afterId };
    const rows = await this.db.product.findMany({ where, orderBy: { id: 'asc' }, take: request.first + 1 });
    return { products: rows.slice(0, request.first), hasNextPage: rows.length > request.first };
  }

  /**
   * Seeding: one INSERT … SELECT FROM unnest(arrays) per chunk. Postgres binds one array a
   * column, so the chunk size is not capped by bind parameters, and it is several times faster
   * than createMany, whose client-side cost dominates at 100,000 rows.
   */
  insertProducts(rows: readonly Omit<Product, 'createdAt'>[]): Promise<number> {
    return this.db.$executeRaw`
      INSERT INTO "products" ("id", "sku", "name", "description", "price_cents", "currency", "weight_grams", "category_id")
      SELECT * FROM unnest(
        ${rows.map((r) => r.id)}::text[],
        ${rows.map((r) => r.sku)}::text[],
        ${rows.map((r) => r.name)}::text[],
        ${rows.map((r) => r.description)}::text[],
        ${rows.map((r) => r.priceCents)}::integer[],
        ${rows.map((r) => r.currency)}::char(3)[],
        ${rows.map((r) => r.weightGrams)}::integer[],
        ${rows.map((r) => r.categoryId)}::text[]
      )`;
  }

  /** Fresh planner statistics after a bulk load, so the first catalog queries use the indexes. */
  async refreshStatistics(): Promise<void> {
    await this.db.$executeRaw`ANALYZE "products"`;
  }

  countCatalog(filter: CatalogFilter): Promise<number> {
    return this.db.product.count({ where: filterWhere(filter) });
  }
}

function filterWhere(filter: CatalogFilter): Prisma.ProductWhereInput {
  const where: Prisma.ProductWhereInput = {};
  if (filter.categoryId) where.categoryId = filter.categoryId;
  if (filter.minPriceCents != null || filter.maxPriceCents != null) {
    where.priceCents = {
      ...(filter.minPriceCents != null ? { gte: filter.minPriceCents } : {}),
      ...(filter.maxPriceCents != null ? { lte: filter.maxPriceCents } : {}),
    };
  }
  if (filter.search) {
    const pattern = escapeLikePattern(filter.search);
    where.OR = [
      { name: { contains: pattern, mode: 'insensitive' } },
      { description: { contains: pattern, mode: 'insensitive' } },
    ];
  }
  return where;
}

/** Prisma passes `contains` into ILIKE as is: escape LIKE's wildcards so a search is literal. */
export const escapeLikePattern = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
