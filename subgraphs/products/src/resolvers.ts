import { money, notFound, type GraphQLResolverMap } from '@supergraph/service-kit';
import type { Category, Product } from './generated/prisma/client.ts';
import { encodeCursor, parseCatalogArgs, type CatalogFilter } from './catalog-page.ts';
import type { ProductsContext } from './context.ts';

interface ProductConnectionSource {
  products: Product[];
  hasNextPage: boolean;
  filter: CatalogFilter;
}

export const resolvers: GraphQLResolverMap<ProductsContext> = {
  Query: {
    async product(_: unknown, args: { id: string }, ctx: ProductsContext) {
      const product = await ctx.loaders.product.load(args.id);
      if (!product) throw notFound(`No product with id ${args.id}`);
      return product;
    },
    async products(_: unknown, args: { first: number; after?: string | null; filter?: unknown }, ctx: ProductsContext): Promise<ProductConnectionSource> {
      const request = parseCatalogArgs(args);
      const page = await ctx.store.catalogPage(request);
      // Prime the loader so entity look-ups later in this request cost nothing.
      for (const product of page.products) ctx.loaders.product.prime(product.id, product);
      return { ...page, filter: request.filter };
    },
    categories: (_: unknown, __: unknown, ctx: ProductsContext) => ctx.store.allCategories(),
  },
  ProductConnection: {
    // Counted only when asked for: a storefront paging without totalCount saves a statement.
    totalCount: (source: ProductConnectionSource, _: unknown, ctx: ProductsContext) => ctx.store.countCatalog(source.filter),
    pageInfo: (source: ProductConnectionSource) => ({
      hasNextPage: source.hasNextPage,
      endCursor: source.products.length > 0 ? encodeCursor(source.products[source.products.length - 1]!.id) : null,
    }),
    edges: (source: ProductConnectionSource) => source.products.map((node) => ({ cursor: encodeCursor(node.id), node })),
  },
  Product: {
    __resolveReference: (reference: { id: string }, ctx: ProductsContext) => ctx.loaders.product.load(reference.id),
    price: (product: Product) => money(product.priceCents, product.currency),
    weight: (product: Product) => product.weightGrams,
    category: (product: Product, _: unknown, ctx: ProductsContext) => ctx.loaders.category.load(product.categoryId),
  },
  Category: {
    __resolveReference: (reference: { id: string }, ctx: ProductsContext): Promise<Category | null> => ctx.loaders.category.load(reference.id),
  },
};
