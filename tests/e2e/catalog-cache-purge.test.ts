import { describe, expect, it } from 'vitest';
import { demoIds } from '@supergraph/service-kit';
import { sql } from '../support/db.ts';
import { startCachingReplica } from '../support/gateways.ts';
import { within } from '../support/wait.ts';

/**
 * A cached catalog page is computed from the catalog's copies of stock and ratings (ADR 0016).
 * When products' copy changes, the pages holding that product are purged, even when the owner's
 * own purge came before the copy caught up (or there was none: a feed read). Products 283-284.
 */
const [KANGAROO, OTHER] = [demoIds.product(283), demoIds.product(284)];
const PAGE = /* GraphQL */ `
  query InStockKangaroos {
    products(first: 10, filter: { query: "kangaroo", inStock: true }) {
      totalCount
      edges { node { id } }
    }
  }`;

async function page(url: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: PAGE }) });
  const body = (await response.json()) as { data?: { products: { totalCount: number; edges: Array<{ node: { id: string } }> } }; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return { ids: body.data!.products.edges.map((e) => e.node.id), fromCache: response.headers.get('age') !== null, cacheControl: response.headers.get('cache-control') };
}

/** Written as inventory writes stock (a new version), with no event and no purge: only the change feed carries it. */
const setStock = (productId: string, units: number) =>
  sql('inventory', 'UPDATE stock_levels SET available = $2, version = version + 1, updated_at = now() WHERE product_id = $1', [productId, units]);
const copyInStock = async (productId: string) => (await sql('products', 'SELECT in_stock FROM products WHERE id = $1', [productId]))[0]!.in_stock as boolean;
/**
 * The copy has taken inventory's latest write (its version), so no feed read will purge the product
 * again: a purge while the page executes would rightly keep it from being stored (ADR 0008).
 */
const copyCaughtUp = async (productId: string) => {
  const [copy] = await sql('products', 'SELECT in_stock_version FROM products WHERE id = $1', [productId]);
  const [owner] = await sql('inventory', 'SELECT version FROM stock_levels WHERE product_id = $1', [productId]);
  return String(copy!.in_stock_version) === String(owner!.version);
};

describe.runIf(!!process.env.REDIS_URL)('catalog pages in the response cache', () => {
  it('are purged when the catalog copy of a product on them changes', async () => {
    const gateway = await startCachingReplica();
    for (const [i, id] of [KANGAROO, OTHER].entries()) {
      await sql('products', 'UPDATE products SET name = $2 WHERE id = $1', [id, `Kangaroo Purge ${i}`]);
      await setStock(id, 4);
    }
    await within(20_000, async () => (await copyCaughtUp(KANGAROO)) && (await copyCaughtUp(OTHER)));
    expect([await copyInStock(KANGAROO), await copyInStock(OTHER)]).toEqual([true, true]);

    // Cached: a public page, and the second read comes from the cache.
    const first = await page(gateway.url);
    expect(first.cacheControl).toMatch(/^public, max-age=\d+$/);
    expect(first.ids.sort()).toEqual([KANGAROO, OTHER].sort());
    expect((await page(gateway.url)).fromCache).toBe(true);

    // KANGAROO sells out in inventory; products' feed read brings the copy over (CATALOG_SYNC_INTERVAL_MS).
    await setStock(KANGAROO, 0);
    await within(20_000, async () => !(await copyInStock(KANGAROO)));
    const after = await page(gateway.url);
    expect(after.fromCache).toBe(false);
    expect(after.ids).toEqual([OTHER]);
  });
});
