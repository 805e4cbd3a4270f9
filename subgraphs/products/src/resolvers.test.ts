import { describe, expect, it } from 'vitest';
import { parse, type FieldNode, type GraphQLResolveInfo, type OperationDefinitionNode } from 'graphql';
import { resolvers } from './resolvers.ts';
import type { ProductsContext } from './context.ts';

/** The info a resolver of the operation's first root field gets (what `selects` reads). */
function infoOf(document: string, path: string[] = []): GraphQLResolveInfo {
  const operation = parse(document).definitions[0] as OperationDefinitionNode;
  let field = operation.selectionSet.selections[0] as FieldNode;
  for (const name of path) field = field.selectionSet!.selections.find((s) => s.kind === 'Field' && s.name.value === name) as FieldNode;
  return { fieldNodes: [field], fragments: {} } as unknown as GraphQLResolveInfo;
}

/**
 * A store and loaders (for one resolver call) that record which statements were started before
 * the page's had ended: the page's statement ends one microtask after it starts.
 */
function recordingContext() {
  const startedDuringPage: string[] = [];
  let pageEnded = false;
  const statement = <T>(name: string, result: T) => async () => {
    if (!pageEnded) startedDuringPage.push(name);
    return result;
  };
  const page = async () => {
    await Promise.resolve();
    pageEnded = true;
    return { products: [], hasNextPage: false };
  };
  const ctx = {
    store: { catalogPage: page, facets: statement('facets', []), countCatalog: statement('count', 0) },
    loaders: {
      product: { prime: () => {} },
      categoryPage: { load: page },
      categoryFacets: { load: statement('facets', []) },
      categoryCount: { load: statement('count', 0) },
    },
  } as unknown as ProductsContext;
  return { ctx, startedDuringPage };
}

type Resolver = (source: unknown, args: unknown, ctx: ProductsContext, info: GraphQLResolveInfo) => Promise<Record<string, () => Promise<unknown>>>;
const productsResolver = (resolvers.Query as Record<string, Resolver>).products!;
const categoryProductsResolver = (resolvers.Category as Record<string, Resolver>).products!;
const connection = resolvers.ProductConnection as Record<string, (source: unknown) => Promise<unknown>>;

describe("a connection's facets and count start with its page, not after it", () => {
  it('Query.products: facets (totalCount their sum) beside the page', async () => {
    const { ctx, startedDuringPage } = recordingContext();
    const source = await productsResolver({}, { first: 2 }, ctx, infoOf('{ products(first: 2) { totalCount facets { stock { inStock } } } }'));
    expect(startedDuringPage).toEqual(['facets']);
    expect(await connection.totalCount!(source)).toBe(0);
  });

  it('Query.products: a count beside the page when totalCount is asked without facets', async () => {
    const { ctx, startedDuringPage } = recordingContext();
    const source = await productsResolver({}, { first: 2 }, ctx, infoOf('{ products(first: 2) { totalCount edges { cursor } } }'));
    expect(startedDuringPage).toEqual(['count']);
    expect(source).not.toHaveProperty('facets');
    expect(await connection.totalCount!(source)).toBe(0);
  });

  it('Category.products: facets and count through the per-category loaders, beside the page', async () => {
    const category = { id: 'c1' };
    const facets = recordingContext();
    await categoryProductsResolver(category, { first: 2 }, facets.ctx, infoOf('{ category(id: "c1") { products(first: 2) { facets { stock { inStock } } } } }', ['products']));
    expect(facets.startedDuringPage).toEqual(['facets']);
    const count = recordingContext();
    await categoryProductsResolver(category, { first: 2 }, count.ctx, infoOf('{ category(id: "c1") { products(first: 2) { totalCount } } }', ['products']));
    expect(count.startedDuringPage).toEqual(['count']);
  });

  it('starts neither when neither is asked', async () => {
    const { ctx, startedDuringPage } = recordingContext();
    const source = await productsResolver({}, { first: 2 }, ctx, infoOf('{ products(first: 2) { edges { cursor } } }'));
    expect(startedDuringPage).toEqual([]);
    expect(source).not.toHaveProperty('facets');
    expect(source).not.toHaveProperty('count');
  });
});
