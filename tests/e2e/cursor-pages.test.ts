import { describe, expect, it } from 'vitest';
import { demoIds, readCounter } from '@supergraph/service-kit';
import { sql } from '../support/db.ts';
import { codes, gql, stack } from '../support/graphql.ts';
import { placeOrderRetrying } from '../support/orders.ts';
import { newUser } from '../support/users.ts';

/**
 * Every list pages with cursors (issue 13): a product's reviews, a user's orders and reviews.
 * The old `first`-only fields stay answered (deprecated). Orders and reviews written here are of
 * products 100-149 (this feature's range).
 */
type Page = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ cursor: string; node: { id: string } }> };

async function walk(fetchPage: (after: string | null) => Promise<Page>): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let n = 0; n < 200; n++) {
    const page: Page = await fetchPage(after);
    ids.push(...page.edges.map((e) => e.node.id));
    if (page.edges.length > 0) expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return ids;
}

const PAGE_FIELDS = 'pageInfo { hasNextPage endCursor } edges { cursor node { id } }';

describe('Product.reviewsConnection', () => {
  const productId = demoIds.product(3);
  it('pages through a product\'s reviews newest first, each once, as the deprecated reviews(first:) lists them', async () => {
    const ids = await walk(async (after) => {
      const response = await gql<{ product: { reviewsConnection: Page } }>(
        `query ($id: ID!, $after: String) { product(id: $id) { reviewsConnection(first: 2, after: $after) { ${PAGE_FIELDS} } } }`, { id: productId, after });
      expect(response.errors).toBeUndefined();
      return response.data!.product.reviewsConnection;
    });
    const stored = await sql('reviews', 'SELECT id FROM reviews WHERE product_id = $1 ORDER BY created_at DESC, id DESC', [productId]);
    expect(stored.length).toBeGreaterThan(2);
    expect(ids).toEqual(stored.map((r) => r.id));
    const legacy = await gql<{ product: { reviews: Array<{ id: string }> } }>(`query ($id: ID!) { product(id: $id) { reviews(first: 100) { id } } }`, { id: productId });
    expect(legacy.data!.product.reviews.map((r) => r.id)).toEqual(ids);
  });

  it('refuses a cursor it did not make, or a page size out of range, as BAD_USER_INPUT', async () => {
    const query = `query ($after: String, $first: Int!) { product(id: "${productId}") { reviewsConnection(first: $first, after: $after) { edges { node { id } } } } }`;
    expect(codes(await gql(query, { first: 2, after: 'bm9wZQ' }))).toEqual(['BAD_USER_INPUT']);
    const orderCursor = Buffer.from('order:2026-01-01T00:00:00.000Z|x').toString('base64url');
    expect(codes(await gql(query, { first: 2, after: orderCursor }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(query, { first: 101 }))).toEqual(['BAD_USER_INPUT']);
  });

  it('costs the reviews subgraph the same statements at 5 and 50 products', async () => {
    const metricsUrl = stack().subgraphs.reviews.url.replace(/\/graphql$/, '/metrics');
    const statements = async (first: number) => {
      const counts: number[] = [];
      for (let run = 0; run < 3; run++) {
        const before = readCounter(await (await fetch(metricsUrl)).text(), 'db_queries_total');
        const response = await gql(`query ($first: Int!) { products(first: $first) { edges { node { id reviewsConnection(first: 2) { ${PAGE_FIELDS} } } } } }`, { first });
        expect(response.errors).toBeUndefined();
        counts.push(readCounter(await (await fetch(metricsUrl)).text(), 'db_queries_total') - before);
      }
      return Math.min(...counts);
    };
    const small = await statements(5);
    expect(await statements(50)).toBe(small);
    expect(small).toBe(1);
  });
});

describe("a user's orders and reviews", () => {
  it('page with cursors, each once, newest first, and the deprecated fields still answer', async () => {
    const user = await newUser('cursor-pages');
    const [stocked] = await sql('inventory', `SELECT product_id FROM stock_levels WHERE product_id = ANY($1) AND available >= 10 ORDER BY product_id LIMIT 1`,
      [Array.from({ length: 20 }, (_, i) => demoIds.product(120 + i))]);
    for (let n = 0; n < 5; n++) {
      const { answer } = await placeOrderRetrying(stack().gatewayUrl, user.token, { idempotencyKey: `cursor-pages-${user.id}-${n}`, items: [{ productId: stocked!.product_id, quantity: 1 }] });
      expect(answer.errors).toBeUndefined();
    }
    for (let n = 0; n < 3; n++) {
      const review = await gql(`mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }`,
        { input: { productId: demoIds.product(140 + n), rating: 1 + n, body: `Cursor pages review ${n}` } }, user.token);
      expect(review.errors).toBeUndefined();
    }

    const orderIds = await walk(async (after) => {
      const response = await gql<{ me: { ordersConnection: Page } }>(`query ($after: String) { me { ordersConnection(first: 2, after: $after) { ${PAGE_FIELDS} } } }`, { after }, user.token);
      expect(response.errors).toBeUndefined();
      return response.data!.me.ordersConnection;
    });
    const reviewIds = await walk(async (after) => {
      const response = await gql<{ me: { reviewsConnection: Page } }>(`query ($after: String) { me { reviewsConnection(first: 2, after: $after) { ${PAGE_FIELDS} } } }`, { after }, user.token);
      expect(response.errors).toBeUndefined();
      return response.data!.me.reviewsConnection;
    });
    const storedOrders = await sql('orders', 'SELECT id FROM orders WHERE user_id = $1 ORDER BY created_at DESC, id DESC', [user.id]);
    const storedReviews = await sql('reviews', 'SELECT id FROM reviews WHERE author_id = $1 ORDER BY created_at DESC, id DESC', [user.id]);
    expect(storedOrders).toHaveLength(5);
    expect(orderIds).toEqual(storedOrders.map((r) => r.id));
    expect(reviewIds).toEqual(storedReviews.map((r) => r.id));

    const legacy = await gql<{ me: { orders: Array<{ id: string }>; reviews: Array<{ id: string }> } }>('{ me { orders(first: 10) { id } reviews { id } } }', {}, user.token);
    expect(legacy.errors).toBeUndefined();
    expect(legacy.data!.me.orders.map((o) => o.id)).toEqual(orderIds);
    expect(legacy.data!.me.reviews.map((r) => r.id)).toEqual(reviewIds);
  });
});
