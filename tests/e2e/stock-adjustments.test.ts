import { beforeAll, describe, expect, it } from 'vitest';
import { demoIds } from '@supergraph/service-kit';
import { sql } from '../support/db.ts';
import { codes, gql, graphql } from '../support/graphql.ts';
import { startCachingReplica } from '../support/gateways.ts';
import { adminToken, newUser } from '../support/users.ts';
import { within } from '../support/wait.ts';

/**
 * adjustStock (inventory): an admin adds a delivery or removes units, once per idempotency key,
 * never below zero; the catalog's in-stock copy follows (ADR 0016). Products 285-286.
 */
const [RESTOCKED, GUARDED] = [demoIds.product(285), demoIds.product(286)];
const ADJUST = /* GraphQL */ `
  mutation Adjust($input: AdjustStockInput!) {
    adjustStock(input: $input) { id name stock inStock }
  }`;
type Adjusted = { adjustStock: { id: string; name: string; stock: number; inStock: boolean } };
const run = Math.random().toString(36).slice(2, 8);
const key = (name: string) => `adjust-${run}-${name}`;

let admin: string;
const adjust = (input: Record<string, unknown>, as: { token?: string } = { token: admin }) => gql<Adjusted>(ADJUST, { input }, as.token);
const available = async (productId: string) => (await sql('inventory', 'SELECT available FROM stock_levels WHERE product_id = $1', [productId]))[0]!.available as number;
const copyInStock = async (productId: string) => (await sql('products', 'SELECT in_stock FROM products WHERE id = $1', [productId]))[0]!.in_stock as boolean;

beforeAll(async () => {
  admin = await adminToken();
});

describe('adjustStock', () => {
  it('restocks a sold-out product once per key, and the catalog lists it in stock again', async () => {
    // Sold out first: every unit removed (a stock take).
    const units = await available(RESTOCKED);
    if (units > 0) {
      const emptied = await adjust({ idempotencyKey: key('empty'), productId: RESTOCKED, delta: -units, reason: 'stock take' });
      expect(emptied.errors).toBeUndefined();
      expect(emptied.data!.adjustStock).toMatchObject({ id: RESTOCKED, stock: 0, inStock: false });
    }
    await within(20_000, async () => !(await copyInStock(RESTOCKED)));

    const delivery = { idempotencyKey: key('delivery'), productId: RESTOCKED, delta: 7, reason: 'delivery note 42' };
    const first = await adjust(delivery);
    expect(first.errors).toBeUndefined();
    expect(first.data!.adjustStock).toMatchObject({ id: RESTOCKED, stock: 7, inStock: true });
    expect(first.data!.adjustStock.name).toEqual(expect.any(String)); // the products subgraph's field, through the gateway
    // A retry (a timed-out request sent again) changes nothing more.
    const retry = await adjust(delivery);
    expect(retry.errors).toBeUndefined();
    expect(retry.data!.adjustStock.stock).toBe(7);
    // The same key for another delta is refused, and changes nothing.
    const reused = await adjust({ ...delivery, delta: 8 });
    expect(codes(reused)).toEqual(['BAD_USER_INPUT']);
    expect(reused.errors![0]!.extensions).toMatchObject({ field: 'idempotencyKey' });
    expect(await available(RESTOCKED)).toBe(7);

    const [row] = await sql('inventory', 'SELECT product_id, delta, reason, available_after, actor_id FROM stock_adjustments WHERE idempotency_key = $1', [delivery.idempotencyKey]);
    expect(row).toMatchObject({ product_id: RESTOCKED, delta: 7, reason: 'delivery note 42', available_after: 7 });
    expect(row!.actor_id).toEqual(expect.any(String));
    // The catalog's copy follows (stock.changed, or the feed): the product is listed in stock again.
    await within(20_000, async () => copyInStock(RESTOCKED));
  });

  it('never goes below zero: a removal of more than is there is refused, changes nothing, and leaves its key unused', async () => {
    const units = await available(GUARDED);
    const tooMany = await adjust({ idempotencyKey: key('too-many'), productId: GUARDED, delta: -(units + 1) });
    expect(codes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.errors![0]!.extensions).toMatchObject({ field: 'delta', available: units });
    expect(await available(GUARDED)).toBe(units);
    expect(await sql('inventory', 'SELECT 1 FROM stock_adjustments WHERE idempotency_key = $1', [key('too-many')])).toHaveLength(0);
    // The key was not spent on the refused removal.
    const fine = await adjust({ idempotencyKey: key('too-many'), productId: GUARDED, delta: 2 });
    expect(fine.errors).toBeUndefined();
    expect(fine.data!.adjustStock.stock).toBe(units + 2);
  });

  it('applies one adjustment once when its retries arrive together', async () => {
    const units = await available(GUARDED);
    const input = { idempotencyKey: key('together'), productId: GUARDED, delta: 3 };
    const answers = await Promise.all(Array.from({ length: 10 }, () => adjust(input)));
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.adjustStock.stock).toBe(units + 3);
    }
    expect(await available(GUARDED)).toBe(units + 3);
    expect(await sql('inventory', 'SELECT available_after FROM stock_adjustments WHERE idempotency_key = $1', [input.idempotencyKey])).toEqual([{ available_after: units + 3 }]);
  });

  it('is for admins only, and refuses bad input with its field, changing nothing', async () => {
    const units = await available(GUARDED);
    const input = { idempotencyKey: key('refused'), productId: GUARDED, delta: 5 };
    expect(codes(await adjust(input, {}))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await adjust(input, { token: (await newUser('adjust')).token }))).toEqual(['FORBIDDEN']);
    const unknown = await adjust({ ...input, productId: 'no-such-product' });
    expect(codes(unknown)).toEqual(['NOT_FOUND']);
    for (const [bad, field] of [[{ delta: 0 }, 'delta'], [{ delta: 1_000_001 }, 'delta'], [{ idempotencyKey: ' ' }, 'idempotencyKey'], [{ reason: 'x'.repeat(201) }, 'reason']] as const) {
      const refused = await adjust({ ...input, ...bad });
      expect(codes(refused), JSON.stringify(bad)).toEqual(['BAD_USER_INPUT']);
      expect(refused.errors![0]!.extensions).toMatchObject({ field });
    }
    expect(await available(GUARDED)).toBe(units);
    expect(await sql('inventory', 'SELECT 1 FROM stock_adjustments WHERE idempotency_key = $1', [key('refused')])).toHaveLength(0);
  });

  describe.runIf(!!process.env.REDIS_URL)('with the response cache', () => {
    it('purges the cached responses holding the product before it answers', async () => {
      const replica = await startCachingReplica();
      const read = async () => {
        const response = await fetch(replica.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ product(id: "${GUARDED}") { id stock } }` }) });
        return { stock: ((await response.json()) as { data: { product: { stock: number } } }).data.product.stock, fromCache: response.headers.get('age') !== null };
      };
      // In stock first, so the adjustment below crosses no zero: no stock.changed, whose catalog copy would purge too.
      expect((await adjust({ idempotencyKey: key('purge-setup'), productId: GUARDED, delta: 2 })).errors).toBeUndefined();
      // Once the catalog's copy has caught up (and purged, if it changed), a read is cached and stays so.
      const version = async (service: 'inventory' | 'products', sqlText: string) => (await sql(service, sqlText, [GUARDED]))[0]!.version as string;
      await within(20_000, async () =>
        (await version('inventory', 'SELECT version::text AS version FROM stock_levels WHERE product_id = $1')) ===
        (await version('products', 'SELECT in_stock_version::text AS version FROM products WHERE id = $1')));
      const before = await read();
      expect((await read()).fromCache).toBe(true);
      const adjusted = await graphql<Adjusted>(replica.url, ADJUST, { input: { idempotencyKey: key('purge'), productId: GUARDED, delta: 1 } }, { authorization: `Bearer ${admin}` });
      expect(adjusted.errors).toBeUndefined();
      // At once, not after the catalog's next feed read (every second here) or the entry's max-age: the mutation purged it.
      expect(await read()).toEqual({ stock: before.stock + 1, fromCache: false });
    });
  });
});
