import { describe, expect, it } from 'vitest';
import { sql } from '../support/db.ts';
import { codes, gql, stack, type GraphQLResponse } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';

type Catalog = {
  products: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: Array<{ cursor: string; node: { id: string; name: string; price: { amountCents: number }; inStock: boolean; averageRating: number | null; reviewCount: number } }>;
  };
};

async function walkCatalog(pageSize: number, filter?: Record<string, unknown>) {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let page = 0; page < 1000; page++) {
    const response: GraphQLResponse<Catalog> = await gql<Catalog>(operation('Catalog'), { first: pageSize, after, filter });
    expect(response.errors).toBeUndefined();
    const products: Catalog['products'] = response.data!.products;
    totalCount = products.totalCount;
    ids.push(...products.edges.map((e) => e.node.id));
    expect(products.edges.length).toBeLessThanOrEqual(pageSize);
    if (products.edges.length > 0) expect(products.pageInfo.endCursor).toBe(products.edges.at(-1)!.cursor);
    if (!products.pageInfo.hasNextPage) break;
    after = products.pageInfo.endCursor;
  }
  return { ids, totalCount };
}

describe('Catalog through the gateway', () => {
  it('pages through every product exactly once, in a stable order', async () => {
    const { ids, totalCount } = await walkCatalog(37);
    expect(totalCount).toBe(stack().seedProducts);
    expect(ids.length).toBe(totalCount);
    expect(new Set(ids).size).toBe(ids.length);
    const stored = await sql('products', 'SELECT id FROM products ORDER BY id');
    expect(ids).toEqual(stored.map((r) => r.id));
  });

  it('filters by category and price range, with totalCount over all pages', async () => {
    const [category] = await sql('products', 'SELECT id FROM categories ORDER BY slug LIMIT 1');
    const filter = { categoryId: category!.id, minPriceCents: 1000, maxPriceCents: 30000 };
    const { ids, totalCount } = await walkCatalog(25, filter);
    const expected = await sql('products', 'SELECT id FROM products WHERE category_id = $1 AND price_cents BETWEEN 1000 AND 30000 ORDER BY id', [category!.id]);
    expect(expected.length).toBeGreaterThan(0);
    expect(ids).toEqual(expected.map((r) => r.id));
    expect(totalCount).toBe(expected.length);
  });

  it('searches name and description case-insensitively', async () => {
    const expected = await sql('products', `SELECT id FROM products WHERE name ILIKE '%lamp%' OR description ILIKE '%lamp%' ORDER BY id`);
    expect(expected.length).toBeGreaterThan(0);
    const upper = await walkCatalog(100, { search: 'LAMP' });
    const lower = await walkCatalog(100, { search: 'lamp' });
    expect(upper.ids).toEqual(expected.map((r) => r.id));
    expect(lower.ids).toEqual(upper.ids);
    const byDescription = await sql('products', `SELECT count(*)::int AS n FROM products WHERE description ILIKE '%walnut%'`);
    expect((await walkCatalog(100, { search: 'Walnut' })).totalCount).toBe(byDescription[0]!.n);
  });

  it('treats LIKE wildcards in a search as plain characters', async () => {
    for (const search of ['%', '_', 'lamp%']) {
      expect((await walkCatalog(100, { search })).totalCount).toBe(0);
    }
  });

  it('carries stock and review aggregates for every node', async () => {
    const response = await gql<Catalog>(operation('Catalog'), { first: 20 });
    const nodes = response.data!.products.edges.map((e) => e.node);
    const stock = await sql('inventory', 'SELECT product_id, available FROM stock_levels WHERE product_id = ANY($1)', [nodes.map((n) => n.id)]);
    const counts = await sql('reviews', 'SELECT product_id, count(*)::int AS n FROM reviews WHERE product_id = ANY($1) GROUP BY product_id', [nodes.map((n) => n.id)]);
    for (const node of nodes) {
      expect(node.inStock).toBe((stock.find((s) => s.product_id === node.id)?.available ?? 0) > 0);
      expect(node.reviewCount).toBe(counts.find((c) => c.product_id === node.id)?.n ?? 0);
    }
  });

  it.each([
    ['first below 1', { first: 0 }],
    ['first above the maximum page size', { first: 101 }],
    ['a malformed cursor', { first: 10, after: 'not-a-cursor!' }],
    ['a cursor of another kind', { first: 10, after: Buffer.from('user:1').toString('base64url') }],
    ['a reversed price range', { first: 10, filter: { minPriceCents: 500, maxPriceCents: 100 } }],
  ])('refuses %s with BAD_USER_INPUT and no stack trace', async (_, variables) => {
    const response = await gql(operation('Catalog'), variables);
    expect(response.status).toBe(200);
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(response.errors)).not.toMatch(/stacktrace|at .*\.ts:/);
  });

  it('refuses a variable of the wrong type with a 400 and BAD_USER_INPUT, not a 500', async () => {
    const response = await gql(operation('Catalog'), { first: 'ten' });
    expect(response.status).toBe(400);
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
  });

  it('lists the categories', async () => {
    const response = await gql(operation('Categories'));
    const stored = await sql('products', 'SELECT id, name, slug FROM categories ORDER BY name');
    expect(stored.length).toBeGreaterThanOrEqual(12);
    expect(response.data!.categories).toEqual(stored);
  });
});
