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
    where.OR = [
      { name: { contains: filter.search, mode: 'insensitive' } },
      { description: { contains: filter.search, mode: 'insensitive' } },
    ];
  }
  return where;
}
