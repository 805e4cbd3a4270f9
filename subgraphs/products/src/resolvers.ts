import { badUserInput, money, notFound, type GraphQLResolverMap } from '@supergraph/service-kit';
import type { Category, Product } from './generated/prisma/client.ts';
import { encodeSortedCursor, parseCatalogArgs, type CatalogArgs, type CatalogPageRequest } from './catalog-page.ts';
import { facetsFromRows } from './facets.ts';
import type { ProductsContext } from './context.ts';
import type { CatalogPage, CatalogRow } from './store.ts';

interface ProductConnectionSource extends CatalogPage {
  request: CatalogPageRequest;
  /** Set for Category.products: its count is batched with the other categories' (same filter). */
  categoryId?: string;
}

const cursorOf = (request: CatalogPageRequest, row: CatalogRow) =>
  encodeSortedCursor(request.sort, { id: row.id, key: row.sortKey instanceof Date ? row.sortKey.toISOString() : (row.sortKey ?? undefined) });

/** Exactly one of the named arguments, or a BAD_USER_INPUT naming them. */
function oneOf<K extends string>(args: Partial<Record<K, string | null>>, names: readonly K[]): [K, string] {
  const given = names.filter((name) => args[name] != null);
  if (given.length !== 1) throw badUserInput(`Give exactly one of ${names.join(', ')}`, { argument: names.join('|') });
  return [given[0]!, args[given[0]!]!];
}

export const resolvers: GraphQLResolverMap<ProductsContext> = {
  Query: {
    async product(_: unknown, args: { id?: string | null; slug?: string | null; sku?: string | null }, ctx: ProductsContext) {
      const [by, value] = oneOf(args, ['id', 'slug', 'sku'] as const);
      const loader = by === 'id' ? ctx.loaders.product : by === 'slug' ? ctx.loaders.productBySlug : ctx.loaders.productBySku;
      const product = await loader.load(value);
      if (!product) throw notFound(`No product with ${by} ${value}`);
      return product;
    },
    async category(_: unknown, args: { id?: string | null; slug?: string | null }, ctx: ProductsContext) {
      const [by, value] = oneOf(args, ['id', 'slug'] as const);
      const category = await (by === 'id' ? ctx.loaders.category : ctx.loaders.categoryBySlug).load(value);
      if (!category) throw notFound(`No category with ${by} ${value}`);
      return category;
    },
    async products(_: unknown, args: CatalogArgs, ctx: ProductsContext): Promise<ProductConnectionSource> {
      const request = parseCatalogArgs(args);
      const page = await ctx.store.catalogPage(request);
      // Prime the loader so entity look-ups later in this request cost nothing.
      for (const product of page.products) ctx.loaders.product.prime(product.id, product);
      return { ...page, request };
    },
    categories: (_: unknown, __: unknown, ctx: ProductsContext) => ctx.store.allCategories(),
  },
  ProductConnection: {
    // Counted only when asked for: a storefront paging without totalCount saves a statement.
    totalCount: (source: ProductConnectionSource, _: unknown, ctx: ProductsContext) =>
      source.categoryId
        ? ctx.loaders.categoryCount.load(source.categoryId, { ...source.request.filter, categoryId: null })
        : ctx.store.countCatalog(source.request.filter),
    pageInfo: (source: ProductConnectionSource) => ({
      hasNextPage: source.hasNextPage,
      endCursor: source.products.length > 0 ? cursorOf(source.request, source.products[source.products.length - 1]!) : null,
    }),
    edges: (source: ProductConnectionSource) => source.products.map((node) => ({ cursor: cursorOf(source.request, node), node })),
    facets: async (source: ProductConnectionSource, _: unknown, ctx: ProductsContext) => facetsFromRows(await ctx.store.facets(source.request.filter)),
  },
  CategoryFacet: {
    category: (facet: { categoryId: string }, _: unknown, ctx: ProductsContext) => ctx.loaders.category.load(facet.categoryId),
  },
  Product: {
    __resolveReference: (reference: { id: string }, ctx: ProductsContext) => ctx.loaders.product.load(reference.id),
    price: (product: Product) => money(product.priceCents, product.currency),
    weight: (product: Product) => product.weightGrams,
    category: (product: Product, _: unknown, ctx: ProductsContext) => ctx.loaders.category.load(product.categoryId),
  },
  Category: {
    __resolveReference: (reference: { id: string }, ctx: ProductsContext): Promise<Category | null> => ctx.loaders.category.load(reference.id),
    async products(category: Category, args: CatalogArgs, ctx: ProductsContext): Promise<ProductConnectionSource> {
      const request = parseCatalogArgs(args, { categoryId: category.id });
      const page = await ctx.loaders.categoryPage.load(category.id, { ...request, filter: { ...request.filter, categoryId: null } });
      for (const product of page.products) ctx.loaders.product.prime(product.id, product);
      return { ...page, request, categoryId: category.id };
    },
  },
};
