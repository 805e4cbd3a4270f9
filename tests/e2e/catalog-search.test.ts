import { beforeAll, describe, expect, it } from 'vitest';
import { demoIds, readCounter } from '@supergraph/service-kit';
import { sql } from '../support/db.ts';
import { codes, gql, stack } from '../support/graphql.ts';

/**
 * The catalog's search, facets, sorts and look-ups (issue 13, ADR 0016), through the gateway.
 * Products 100-149 are this file's: two of them get hand-made names for the relevance checks.
 */
type Edge = { cursor: string; node: { id: string } };
type Connection = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Edge[] };

const PRODUCTS = /* GraphQL */ `
  query Search($first: Int!, $after: String, $filter: ProductFilter, $sort: ProductSort) {
    products(first: $first, after: $after, filter: $filter, sort: $sort) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } }
    }
  }`;

async function page(variables: Record<string, unknown>): Promise<Connection> {
  const response = await gql<{ products: Connection }>(PRODUCTS, variables);
  expect(response.errors).toBeUndefined();
  return response.data!.products;
}

async function walk(pageSize: number, filter: Record<string, unknown>, sort?: string) {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let n = 0; n < 1000; n++) {
    const products: Connection = await page({ first: pageSize, after, filter, sort });
    totalCount = products.totalCount;
    ids.push(...products.edges.map((e) => e.node.id));
    if (!products.pageInfo.hasNextPage) break;
    after = products.pageInfo.endCursor;
  }
  return { ids, totalCount };
}

const NAMED = { name: demoIds.product(100), description: demoIds.product(101) };
/** A word match (in its description only) and a name one letter away from it, in different categories. */
const NEAR = { wordMatch: demoIds.product(102), typoOnly: demoIds.product(103) };

beforeAll(async () => {
  // A product with the word in its name and one with it only in its description (words no seeded product has).
  await sql('products', `UPDATE products SET name = 'Quokka Glow Orb', description = 'An orb that glows softly.' WHERE id = $1`, [NAMED.name]);
  await sql('products', `UPDATE products SET name = 'Plain Orb Holder', description = 'Holds a quokka glow orb upright.' WHERE id = $1`, [NAMED.description]);
  const [first, second] = await sql('products', 'SELECT id FROM categories ORDER BY id LIMIT 2');
  await sql('products', `UPDATE products SET name = 'Plain Crate', description = 'Fits a numbattery.', category_id = $2 WHERE id = $1`, [NEAR.wordMatch, first!.id]);
  await sql('products', `UPDATE products SET name = 'Numbat Lamp', description = 'A lamp.', category_id = $2 WHERE id = $1`, [NEAR.typoOnly, second!.id]);
});

describe('catalog search with relevance', () => {
  it('ranks a name match above a description match', async () => {
    const { ids } = await walk(10, { query: 'quokka' });
    expect(ids).toEqual([NAMED.name, NAMED.description]);
  });

  it('matches word prefixes as the shopper types, and stems', async () => {
    expect((await walk(10, { query: 'quok' })).ids).toEqual([NAMED.name, NAMED.description]);
    expect((await walk(10, { query: 'quokkas glowing' })).ids).toEqual([NAMED.name, NAMED.description]);
  });

  it('still finds a product whose name is typed with a typo', async () => {
    // A letter left out and one doubled: neither is a word or a prefix of one, so only trigrams can match.
    for (const query of ['quoka', 'quokkka glow']) {
      const { ids } = await walk(10, { query });
      expect(ids[0]).toBe(NAMED.name);
    }
  });

  it('falls back to names like the query only when its words match no product at all, whatever the filters', async () => {
    // "numbatt" is a prefix of a word of one description; "Numbat Lamp" is only trigram-similar.
    expect((await walk(10, { query: 'numbatt' })).ids).toEqual([NEAR.wordMatch]);
    const [other] = await sql('products', 'SELECT category_id AS id FROM products WHERE id = $1', [NEAR.typoOnly]);
    // Filtered to the typo's category, the word match is filtered out: nothing, not the typo match.
    const filtered = await gql<{ products: Connection & { facets: { stock: { inStock: number; outOfStock: number } } } }>(
      `query ($filter: ProductFilter) { products(first: 5, filter: $filter) { totalCount edges { node { id } } facets { stock { inStock outOfStock } } } }`,
      { filter: { query: 'numbatt', categoryId: other!.id } },
    );
    expect(filtered.errors).toBeUndefined();
    expect(filtered.data!.products.edges).toEqual([]);
    expect(filtered.data!.products.totalCount).toBe(0);
    // With no word match anywhere, the typo match is found: page, count and facets alike.
    const typo = await gql<{ products: Connection & { facets: { stock: { inStock: number; outOfStock: number } } } }>(
      `query ($filter: ProductFilter) { products(first: 5, filter: $filter) { totalCount edges { node { id } } facets { stock { inStock outOfStock } } } }`,
      { filter: { query: 'numbatz', categoryId: other!.id } },
    );
    expect(typo.data!.products.edges.map((edge) => edge.node.id)).toEqual([NEAR.typoOnly]);
    expect(typo.data!.products.totalCount).toBe(1);
    const { inStock, outOfStock } = typo.data!.products.facets.stock;
    expect(inStock + outOfStock).toBe(1);
  });

  it('finds nothing for a query without words, rather than everything', async () => {
    expect((await page({ first: 5, filter: { query: '%&!' } })).totalCount).toBe(0);
  });
});

describe('facets', () => {
  const FACETS = /* GraphQL */ `
    query Facets($filter: ProductFilter) {
      products(first: 1, filter: $filter) {
        totalCount
        facets {
          categories { category { id name } count }
          priceBands { minPriceCents maxPriceCents count }
          ratingBands { minRating count }
          stock { inStock outOfStock }
        }
      }
    }`;
  type Facets = {
    categories: Array<{ category: { id: string; name: string }; count: number }>;
    priceBands: Array<{ minPriceCents: number; maxPriceCents: number | null; count: number }>;
    ratingBands: Array<{ minRating: number; count: number }>;
    stock: { inStock: number; outOfStock: number };
  };

  it.each([{ query: 'smart' }, { query: 'quoka glow' }, { minPriceCents: 5000, maxPriceCents: 30000 }, {}])('count what the filtered list counts (%j)', async (filter) => {
    const response = await gql<{ products: { totalCount: number; facets: Facets } }>(FACETS, { filter });
    expect(response.errors).toBeUndefined();
    const { totalCount, facets } = response.data!.products;
    expect(totalCount).toBeGreaterThan(0);
    const countWith = async (extra: Record<string, unknown>) => (await page({ first: 1, filter: { ...filter, ...extra } })).totalCount;

    expect(facets.categories.reduce((sum, c) => sum + c.count, 0)).toBe(totalCount);
    for (const facet of facets.categories) expect(await countWith({ categoryId: facet.category.id })).toBe(facet.count);

    expect(facets.priceBands.reduce((sum, band) => sum + band.count, 0)).toBe(totalCount);
    for (const band of facets.priceBands) {
      const min = Math.max(band.minPriceCents, (filter as { minPriceCents?: number }).minPriceCents ?? 0);
      const max = Math.min(band.maxPriceCents ?? Number.MAX_SAFE_INTEGER, (filter as { maxPriceCents?: number }).maxPriceCents ?? Number.MAX_SAFE_INTEGER);
      const expected = min > max ? 0 : await countWith({ minPriceCents: min, maxPriceCents: max === Number.MAX_SAFE_INTEGER ? null : max });
      expect(band.count).toBe(expected);
    }
    expect(facets.ratingBands.map((band) => band.minRating)).toEqual([4, 3, 2, 1]);
    for (const band of facets.ratingBands) expect(await countWith({ minRating: band.minRating })).toBe(band.count);

    expect(facets.stock.inStock + facets.stock.outOfStock).toBe(totalCount);
    expect(await countWith({ inStock: true })).toBe(facets.stock.inStock);
    expect(await countWith({ inStock: false })).toBe(facets.stock.outOfStock);
  });

  it('reflect inventory and reviews: the catalog copies agree with the other subgraphs seed', async () => {
    // Over this file's own products (100-149): other files change stock directly in inventory's
    // database, behind the change feed's back (no version, no event); catalog-copies.test.ts tests
    // how real changes reach the copies (ADR 0016).
    const own = Array.from({ length: 50 }, (_, i) => demoIds.product(100 + i));
    const [stock] = await sql('inventory', `SELECT count(*) FILTER (WHERE available = 0)::int AS out, count(*)::int AS n FROM stock_levels WHERE product_id = ANY($1::text[])`, [own]);
    const [catalog] = await sql('products', `SELECT count(*) FILTER (WHERE NOT in_stock)::int AS out, count(*)::int AS n FROM products WHERE id = ANY($1::text[])`, [own]);
    expect(stock!.n).toBe(50);
    expect(catalog).toEqual(stock);
    const [reviews] = await sql('reviews', `SELECT round(avg(rating), 2)::float8 AS avg, count(*)::int AS n FROM reviews WHERE product_id = $1`, [demoIds.product(7)]);
    const [copy] = await sql('products', `SELECT rating_average AS avg, review_count AS n FROM products WHERE id = $1`, [demoIds.product(7)]);
    expect(copy).toEqual(reviews);
  });
});

describe('sorting with stable cursors', () => {
  const ORDERS: Record<string, string> = {
    PRICE_ASC: 'price_cents ASC, id ASC',
    PRICE_DESC: 'price_cents DESC, id DESC',
    RATING: 'rating_average DESC, id DESC',
    NEWEST: 'created_at DESC, id DESC',
  };

  it.each(Object.entries(ORDERS))('%s pages through every product once, in the sort order', async (sort, orderBy) => {
    const { ids, totalCount } = await walk(23, {}, sort);
    expect(totalCount).toBe(stack().seedProducts);
    expect(new Set(ids).size).toBe(ids.length);
    const stored = await sql('products', `SELECT id FROM products ORDER BY ${orderBy}`);
    expect(ids).toEqual(stored.map((r) => r.id));
  });

  it('RATING within a category and a filter: ties on the rating neither skip nor repeat', async () => {
    const [category] = await sql('products', 'SELECT id FROM categories ORDER BY slug LIMIT 1');
    const { ids, totalCount } = await walk(4, { categoryId: category!.id, minRating: 3 }, 'RATING');
    const stored = await sql('products', 'SELECT id FROM products WHERE category_id = $1 AND rating_average >= 3 ORDER BY rating_average DESC, id DESC', [category!.id]);
    expect(stored.length).toBeGreaterThan(4);
    expect(ids).toEqual(stored.map((r) => r.id));
    expect(totalCount).toBe(stored.length);
  });

  it('RELEVANCE pages through every match once', async () => {
    const all = await walk(100, { query: 'smart' });
    const paged = await walk(3, { query: 'smart' }, 'RELEVANCE');
    expect(all.ids.length).toBeGreaterThan(6);
    expect(paged.ids).toEqual(all.ids);
    expect(new Set(paged.ids).size).toBe(paged.ids.length);
  });

  it('refuses a cursor of another sort, or a made-up one, as BAD_USER_INPUT', async () => {
    const priced = await page({ first: 2, sort: 'PRICE_ASC' });
    expect(codes(await gql(PRODUCTS, { first: 2, after: priced.pageInfo.endCursor, sort: 'NEWEST' }))).toEqual(['BAD_USER_INPUT']);
    const forged = Buffer.from('catalog:["PRICE_ASC","x","y"]').toString('base64url');
    expect(codes(await gql(PRODUCTS, { first: 2, after: forged, sort: 'PRICE_ASC' }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('product and category URLs', () => {
  it('finds a product by slug and by SKU, and says NOT_FOUND for an unknown one', async () => {
    const [row] = await sql('products', 'SELECT id, slug, sku FROM products WHERE id = $1', [demoIds.product(42)]);
    const bySlug = await gql<{ product: { id: string; sku: string } }>('query ($s: String!) { product(slug: $s) { id sku } }', { s: row!.slug });
    expect(bySlug.data!.product).toEqual({ id: row!.id, sku: row!.sku });
    const bySku = await gql<{ product: { id: string; slug: string } }>('query ($s: String!) { product(sku: $s) { id slug } }', { s: row!.sku });
    expect(bySku.data!.product).toEqual({ id: row!.id, slug: row!.slug });
    expect(codes(await gql('{ product(slug: "no-such-product") { id } }'))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(`{ product(id: "${row!.id}", sku: "${row!.sku}") { id } }`))).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses a blank id, slug or SKU as the client\'s mistake (an unset URL part), naming the argument', async () => {
    for (const [field, lookup] of [['product', 'slug'], ['product', 'sku'], ['product', 'id'], ['category', 'slug']] as const) {
      const response = await gql(`{ ${field}(${lookup}: " ") { id } }`);
      expect(response.errors?.map((e) => [e.extensions?.code, e.extensions?.argument])).toEqual([['BAD_USER_INPUT', lookup]]);
      expect(response.errors?.[0]?.message).toBe(`${lookup} must not be empty`);
    }
    // The same for the catalog's category filter: blank is not "every category".
    const blankCategory = await gql(PRODUCTS, { first: 2, filter: { categoryId: '' } });
    expect(blankCategory.errors?.map((e) => [e.extensions?.code, e.extensions?.argument, e.message])).toEqual([['BAD_USER_INPUT', 'filter', 'categoryId must not be empty']]);
  });

  it('pages a category found by slug, sorted, with its count', async () => {
    const [category] = await sql('products', 'SELECT id, slug FROM categories ORDER BY slug LIMIT 1');
    const query = `query ($slug: String!, $after: String) { category(slug: $slug) { id products(first: 6, after: $after, sort: PRICE_DESC) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } }`;
    const ids: string[] = [];
    let after: string | null = null;
    let totalCount = 0;
    for (;;) {
      const response = await gql<{ category: { id: string; products: Connection } }>(query, { slug: category!.slug, after });
      expect(response.errors).toBeUndefined();
      expect(response.data!.category.id).toBe(category!.id);
      const products: Connection = response.data!.category.products;
      totalCount = products.totalCount;
      ids.push(...products.edges.map((e) => e.node.id));
      if (!products.pageInfo.hasNextPage) break;
      after = products.pageInfo.endCursor;
    }
    const stored = await sql('products', 'SELECT id FROM products WHERE category_id = $1 ORDER BY price_cents DESC, id DESC', [category!.id]);
    expect(ids).toEqual(stored.map((r) => r.id));
    expect(totalCount).toBe(stored.length);
  });
});

describe('statements per request', () => {
  async function productsStatements(query: string, variables: Record<string, unknown>): Promise<number> {
    const metricsUrl = stack().subgraphs.products.url.replace(/\/graphql$/, '/metrics');
    const counts: number[] = [];
    for (let run = 0; run < 3; run++) {
      const before = readCounter(await (await fetch(metricsUrl)).text(), 'db_queries_total');
      const response = await gql(query, variables);
      expect(response.errors).toBeUndefined();
      counts.push(readCounter(await (await fetch(metricsUrl)).text(), 'db_queries_total') - before);
    }
    return Math.min(...counts);
  }

  it('are the same for a search with facets, sorted, at 5 and 100 items', async () => {
    const query = `query ($first: Int!) { products(first: $first, filter: { query: "smart" }, sort: PRICE_ASC) {
      totalCount edges { node { id slug price { amountCents } } } facets { categories { category { name } count } priceBands { count } stock { inStock } } } }`;
    const small = await productsStatements(query, { first: 5 });
    expect(await productsStatements(query, { first: 100 })).toBe(small);
    expect(small).toBe(3); // page, facets (totalCount is their sum), the facets' categories
  });

  it("are the same for every category's facets as for one, and each category's facets are its own", async () => {
    const facets = `facets { categories { count } priceBands { minPriceCents count } ratingBands { minRating count } stock { inStock outOfStock } }`;
    const query = `{ categories { id products(first: 2, filter: { minRating: 1 }) { totalCount ${facets} } } }`;
    expect(await productsStatements(query, {})).toBe(3); // categories, their pages, their facets (totalCount is their sum)
    const everyCategory = await gql<{ categories: Array<{ id: string; products: { totalCount: number; facets: unknown } }> }>(query);
    for (const category of everyCategory.data!.categories.slice(0, 4)) {
      const alone = await gql<{ products: { totalCount: number; facets: unknown } }>(
        `query ($id: ID!) { products(first: 2, filter: { categoryId: $id, minRating: 1 }) { totalCount ${facets} } }`,
        { id: category.id },
      );
      expect(category.products).toEqual(alone.data!.products);
    }
  });

  it('are the same for every category with its products at 2 and 50 items', async () => {
    const query = `query ($first: Int!) { categories { id products(first: $first, sort: RATING) { totalCount edges { node { id name } } } } }`;
    const small = await productsStatements(query, { first: 2 });
    expect(await productsStatements(query, { first: 50 })).toBe(small);
    expect(small).toBe(3); // categories, their pages, their counts
  });
});
