import type { GraphQLResolveInfo, SelectionNode } from 'graphql';
import { badUserInput, money, nonBlankArgument, notFound, type GraphQLResolverMap } from '@supergraph/service-kit';
import type { Category, Product } from './generated/prisma/client.ts';
import { encodeSortedCursor, parseCatalogArgs, type CatalogArgs, type CatalogPageRequest } from './catalog-page.ts';
import { facetsFromRows, type Facets } from './facets.ts';
import type { ProductsContext } from './context.ts';
import type { CatalogPage, CatalogRow } from './store.ts';

interface ProductConnectionSource extends CatalogPage {
  request: CatalogPageRequest;
  /** When facets are selected too, totalCount is their sum: one statement for both. */
  facets?: () => Promise<Facets>;
  /** When totalCount is selected without facets: its count, started with the page. */
  count?: () => Promise<number>;
}

/** Whether the connection's selection asks for `field` (fragments count too). */
function selects(info: GraphQLResolveInfo, field: 'facets' | 'totalCount'): boolean {
  const visit = (selections: readonly SelectionNode[] | undefined): boolean =>
    (selections ?? []).some((selection) => {
      if (selection.kind === 'Field') return selection.name.value === field;
      if (selection.kind === 'InlineFragment') return visit(selection.selectionSet.selections);
      return visit(info.fragments[selection.name.value]?.selectionSet.selections);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet?.selections));
}

/**
 * A connection's facets or count, started now, beside its page, on a connection of its own: a
 * search's page and facets each take a statement of their own, and waiting for one before
 * starting the other added the two up. Its outcome is read by the field's resolver; a request that
 * fails before (the page's statement failing, say) must not leave it an unhandled rejection.
 */
function startedNow<T>(compute: () => Promise<T>): () => Promise<T> {
  compute().catch(() => {});
  return compute;
}

/** What a connection's fields beside its page need: started with the page, only if selected. */
function besidePage(info: GraphQLResolveInfo, facets: () => Promise<Facets>, count: () => Promise<number>): Pick<ProductConnectionSource, 'facets' | 'count'> {
  if (selects(info, 'facets')) return { facets: startedNow(facets) };
  return selects(info, 'totalCount') ? { count: startedNow(count) } : {};
}

/** The facets of one connection, computed at most once however many fields read them. */
function facetsOnce(ctx: ProductsContext, filter: CatalogPageRequest['filter']): () => Promise<Facets> {
  return once(() => ctx.store.facets(filter).then(facetsFromRows));
}

function once<T>(compute: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | null = null;
  return () => (result ??= compute());
}

const cursorOf = (request: CatalogPageRequest, row: CatalogRow) =>
  encodeSortedCursor(request.sort, { id: row.id, key: row.sortKey instanceof Date ? row.sortKey.toISOString() : (row.sortKey ?? undefined) });

/** Exactly one of the named arguments, not blank, or a BAD_USER_INPUT naming them. */
function oneOf<K extends string>(args: Partial<Record<K, string | null>>, names: readonly K[]): [K, string] {
  const given = names.filter((name) => args[name] != null);
  if (given.length !== 1) throw badUserInput(`Give exactly one of ${names.join(', ')}`, { argument: names.join('|') });
  const [name] = given as [K];
  return [name, nonBlankArgument(args[name]!, name)];
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
    async products(_: unknown, args: CatalogArgs, ctx: ProductsContext, info: GraphQLResolveInfo): Promise<ProductConnectionSource> {
      const request = parseCatalogArgs(args);
      const beside = besidePage(info, facetsOnce(ctx, request.filter), once(() => ctx.store.countCatalog(request.filter)));
      const page = await ctx.store.catalogPage(request);
      // Prime the loader so entity look-ups later in this request cost nothing.
      for (const product of page.products) ctx.loaders.product.prime(product.id, product);
      return { ...page, request, ...beside };
    },
    categories: (_: unknown, __: unknown, ctx: ProductsContext) => ctx.store.allCategories(),
  },
  ProductConnection: {
    // Counted only when asked for: a storefront paging without totalCount saves a statement.
    async totalCount(source: ProductConnectionSource) {
      if (source.facets) {
        const { stock } = await source.facets();
        return stock.inStock + stock.outOfStock; // every product is one or the other
      }
      return source.count!(); // selected, so started with the page (besidePage)
    },
    pageInfo: (source: ProductConnectionSource) => ({
      hasNextPage: source.hasNextPage,
      endCursor: source.products.length > 0 ? cursorOf(source.request, source.products[source.products.length - 1]!) : null,
    }),
    edges: (source: ProductConnectionSource) => source.products.map((node) => ({ cursor: cursorOf(source.request, node), node })),
    facets: (source: ProductConnectionSource) => source.facets!(), // selected, so started with the page (besidePage)
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
    async products(category: Category, args: CatalogArgs, ctx: ProductsContext, info: GraphQLResolveInfo): Promise<ProductConnectionSource> {
      const request = parseCatalogArgs(args, { categoryId: category.id });
      const filter = { ...request.filter, categoryId: null };
      // Every category's page, count and facets for the same arguments: one statement each (loaders.category*).
      const beside = besidePage(
        info,
        once(() => ctx.loaders.categoryFacets.load(category.id, filter).then(facetsFromRows)),
        once(() => ctx.loaders.categoryCount.load(category.id, filter)),
      );
      const page = await ctx.loaders.categoryPage.load(category.id, { ...request, filter });
      for (const product of page.products) ctx.loaders.product.prime(product.id, product);
      return { ...page, request, ...beside };
    },
  },
};
