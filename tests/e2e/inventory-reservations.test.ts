import { describe, expect, it } from 'vitest';
import { demoIds, signIdentityToken, IDENTITY_HEADER } from '@supergraph/service-kit';
import { sql } from '../support/db.ts';
import { stack } from '../support/graphql.ts';

/**
 * The stock reservations the orders saga relies on, over real HTTP against the running inventory
 * subgraph. Only demo products 200..219 are touched here, so other files' stock stays as seeded.
 */
interface Item {
  productId: string;
  quantity: number;
}
interface Answer {
  status: number;
  body: any;
}

const product = (index: number) => {
  if (index < 200 || index > 219) throw new Error(`product ${index} belongs to other tests`);
  return demoIds.product(index);
};
const run = Math.random().toString(36).slice(2, 8);
let orderCount = 0;
const newOrderId = (label: string) => `${label}-${run}-${++orderCount}`;

const inventoryBase = () => stack().subgraphs.inventory.url.replace(/\/graphql$/, '');
const serviceToken = () => signIdentityToken({ id: 'orders', role: 'SERVICE' }, stack().secrets.internalToken, 'inventory');

async function post(path: string, body: unknown, identity?: string | null): Promise<Answer> {
  const token = identity === undefined ? await serviceToken() : identity;
  const response = await fetch(`${inventoryBase()}/internal${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { [IDENTITY_HEADER]: token } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
const reserve = (orderId: string, items: Item[]) => post('/reservations', { orderId, items });
const release = (orderId: string, items: Item[]) => post('/reservations/release', { orderId, items });

async function setStock(productId: string, available: number) {
  await sql('inventory', 'UPDATE stock_levels SET available = $2 WHERE product_id = $1', [productId, available]);
}
async function stockOf(productId: string): Promise<number | null> {
  const [row] = await sql('inventory', 'SELECT available FROM stock_levels WHERE product_id = $1', [productId]);
  return row ? row.available : null;
}
async function reservationRows(orderIdPrefix: string) {
  return sql<{ order_id: string; product_id: string; quantity: number; status: string }>(
    'inventory',
    `SELECT order_id, product_id, quantity, status::text AS status FROM reservations WHERE order_id LIKE $1 || '%' ORDER BY order_id, product_id`,
    [orderIdPrefix],
  );
}

describe('reserving stock', () => {
  it('sells the last 30 units to exactly 30 of 120 concurrent buyers', async () => {
    const productId = product(200);
    await setStock(productId, 30);
    const prefix = newOrderId('flash');
    const answers = await Promise.all(Array.from({ length: 120 }, (_, i) => reserve(`${prefix}-${i}`, [{ productId, quantity: 1 }])));

    expect(answers.map((a) => a.status).filter((status) => status !== 200)).toEqual([]);
    const reserved = answers.filter((a) => a.body.outcome === 'RESERVED');
    const outOfStock = answers.filter((a) => a.body.outcome === 'OUT_OF_STOCK');
    expect(reserved).toHaveLength(30);
    expect(outOfStock).toHaveLength(90);
    for (const answer of outOfStock) expect(answer.body).toEqual({ outcome: 'OUT_OF_STOCK', shortProductIds: [productId] });
    expect(await stockOf(productId)).toBe(0);
    const rows = await reservationRows(prefix);
    expect(rows).toHaveLength(30);
    expect(rows.every((row) => row.status === 'RESERVED' && row.quantity === 1 && row.product_id === productId)).toBe(true);
  });

  it('takes stock once for 20 concurrent calls with the same order id, and once for later retries', async () => {
    const productId = product(201);
    await setStock(productId, 10);
    const orderId = newOrderId('retried');
    const items = [{ productId, quantity: 2 }];
    const answers = await Promise.all(Array.from({ length: 20 }, () => reserve(orderId, items)));

    expect(answers).toEqual(Array.from({ length: 20 }, () => ({ status: 200, body: { outcome: 'RESERVED' } })));
    expect(await stockOf(productId)).toBe(8);
    expect(await reserve(orderId, items)).toEqual({ status: 200, body: { outcome: 'RESERVED' } });
    expect(await stockOf(productId)).toBe(8);
    expect(await reservationRows(orderId)).toEqual([{ order_id: orderId, product_id: productId, quantity: 2, status: 'RESERVED' }]);
  });

  it('reserves nothing of a multi-item order when one item is short, and names every short item', async () => {
    const [first, short, last, unstocked] = [product(202), product(203), product(204), product(205)];
    await Promise.all([setStock(first, 5), setStock(short, 1), setStock(last, 5)]);
    // A product without a stock row has never been stocked: it is short too.
    const unstockedBefore = await stockOf(unstocked);
    await sql('inventory', 'DELETE FROM stock_levels WHERE product_id = $1', [unstocked]);
    try {
      const oneShort = newOrderId('short');
      const items = [{ productId: last, quantity: 2 }, { productId: short, quantity: 3 }, { productId: first, quantity: 2 }];
      expect(await reserve(oneShort, items)).toEqual({ status: 200, body: { outcome: 'OUT_OF_STOCK', shortProductIds: [short] } });

      const twoShort = newOrderId('short');
      const withUnstocked = [...items, { productId: unstocked, quantity: 1 }];
      const answer = await reserve(twoShort, withUnstocked);
      expect(answer.status).toBe(200);
      expect(answer.body.outcome).toBe('OUT_OF_STOCK');
      expect([...answer.body.shortProductIds].sort()).toEqual([short, unstocked].sort());

      expect([await stockOf(first), await stockOf(short), await stockOf(last)]).toEqual([5, 1, 5]);
      expect(await reservationRows(oneShort)).toEqual([]);
      expect(await reservationRows(twoShort)).toEqual([]);
    } finally {
      await sql('inventory', 'INSERT INTO stock_levels (product_id, available) VALUES ($1, $2) ON CONFLICT DO NOTHING', [unstocked, unstockedBefore ?? 0]);
    }
  });

  it('never deadlocks or oversells multi-item orders listing their items in different orders', async () => {
    const productIds = [product(209), product(210), product(211)];
    await Promise.all(productIds.map((id) => setStock(id, 40)));
    const prefix = newOrderId('multi');
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        // Every rotation of the three items, so that locking in request order would deadlock.
        const rotated = [...productIds.slice(i % 3), ...productIds.slice(0, i % 3)];
        return reserve(`${prefix}-${i}`, rotated.map((productId) => ({ productId, quantity: 1 })));
      }),
    );

    expect(answers.map((a) => a.status).filter((status) => status !== 200)).toEqual([]);
    expect(answers.filter((a) => a.body.outcome === 'RESERVED')).toHaveLength(40);
    expect(answers.filter((a) => a.body.outcome === 'OUT_OF_STOCK')).toHaveLength(20);
    expect(await Promise.all(productIds.map(stockOf))).toEqual([0, 0, 0]);
    expect(await reservationRows(prefix)).toHaveLength(40 * 3);
  });
});

describe('releasing stock', () => {
  it('gives the reserved units back once; a second release and a later reserve change nothing', async () => {
    const [a, b] = [product(206), product(207)];
    await Promise.all([setStock(a, 10), setStock(b, 10)]);
    const orderId = newOrderId('released');
    const items = [{ productId: a, quantity: 3 }, { productId: b, quantity: 1 }];
    expect(await reserve(orderId, items)).toEqual({ status: 200, body: { outcome: 'RESERVED' } });
    expect([await stockOf(a), await stockOf(b)]).toEqual([7, 9]);

    expect(await release(orderId, items)).toEqual({ status: 200, body: { releasedUnits: 4 } });
    expect([await stockOf(a), await stockOf(b)]).toEqual([10, 10]);
    expect(await release(orderId, items)).toEqual({ status: 200, body: { releasedUnits: 0 } });
    expect(await reserve(orderId, items)).toEqual({ status: 200, body: { outcome: 'RELEASED' } });
    expect([await stockOf(a), await stockOf(b)]).toEqual([10, 10]);
    expect((await reservationRows(orderId)).map((row) => row.status)).toEqual(['RELEASED', 'RELEASED']);
  });

  it('leaves a tombstone when nothing was reserved, so a late reserve answers RELEASED and takes nothing', async () => {
    const productId = product(208);
    await setStock(productId, 10);
    const orderId = newOrderId('tombstone');
    const items = [{ productId, quantity: 4 }];
    expect(await release(orderId, items)).toEqual({ status: 200, body: { releasedUnits: 0 } });
    expect(await reservationRows(orderId)).toEqual([{ order_id: orderId, product_id: productId, quantity: 4, status: 'RELEASED' }]);

    expect(await reserve(orderId, items)).toEqual({ status: 200, body: { outcome: 'RELEASED' } });
    expect(await stockOf(productId)).toBe(10);
  });

  it('ends with everything given back when each reserve races its own release', async () => {
    const [a, b] = [product(212), product(213)];
    await Promise.all([setStock(a, 100), setStock(b, 100)]);
    const prefix = newOrderId('race');
    const items = [{ productId: a, quantity: 1 }, { productId: b, quantity: 2 }];
    // The saga's timeout case: a reserve still in flight while the compensation runs.
    const pairs = await Promise.all(
      Array.from({ length: 40 }, (_, i) => Promise.all([reserve(`${prefix}-${i}`, items), release(`${prefix}-${i}`, items)])),
    );

    expect(pairs.flat().map((a) => a.status).filter((status) => status !== 200)).toEqual([]);
    for (const [reserved, released] of pairs) {
      // A reserve that got in first is released in full; one that came after finds the tombstone.
      if (reserved.body.outcome === 'RESERVED') expect(released.body).toEqual({ releasedUnits: 3 });
      else expect([reserved.body, released.body]).toEqual([{ outcome: 'RELEASED' }, { releasedUnits: 0 }]);
    }
    expect([await stockOf(a), await stockOf(b)]).toEqual([100, 100]);
    const rows = await reservationRows(prefix);
    expect(rows).toHaveLength(40 * 2);
    expect(rows.filter((row) => row.status !== 'RELEASED')).toEqual([]);
  });
});

describe('guarding the internal routes', () => {
  const productId = product(214);
  const items = [{ productId, quantity: 1 }];

  it.each([
    ['no identity', async () => null],
    ['a USER identity', () => signIdentityToken({ id: 'shopper', role: 'USER' }, stack().secrets.internalToken, 'inventory')],
    ['an ADMIN identity', () => signIdentityToken({ id: 'admin', role: 'ADMIN' }, stack().secrets.internalToken, 'inventory')],
    ['a SERVICE identity signed with another key', () => signIdentityToken({ id: 'orders', role: 'SERVICE' }, 'not-the-internal-token-secret-0123456789', 'inventory')],
    ['a SERVICE identity minted for another service', () => signIdentityToken({ id: 'orders', role: 'SERVICE' }, stack().secrets.internalToken, 'products')],
  ])('refuses a request with %s (403) and changes nothing', async (_, identity) => {
    await setStock(productId, 5);
    const orderId = newOrderId('forbidden');
    const token = await identity();
    for (const path of ['/reservations', '/reservations/release']) {
      const answer = await post(path, { orderId, items }, token ?? null);
      expect(answer).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: expect.any(String) } } });
    }
    expect(await stockOf(productId)).toBe(5);
    expect(await reservationRows(orderId)).toEqual([]);
  });

  it.each([
    ['no items', (orderId: string) => ({ orderId, items: [] })],
    ['no order id', () => ({ items })],
    ['an order id over 100 characters', (orderId: string) => ({ orderId: orderId.padEnd(101, 'x'), items })],
    ['a quantity of 0', (orderId: string) => ({ orderId, items: [{ productId, quantity: 0 }] })],
    ['a quantity of 101', (orderId: string) => ({ orderId, items: [{ productId, quantity: 101 }] })],
    ['a fractional quantity', (orderId: string) => ({ orderId, items: [{ productId, quantity: 0.5 }] })],
    ['a product named twice', (orderId: string) => ({ orderId, items: [...items, ...items] })],
    ['51 items', (orderId: string) => ({ orderId, items: Array.from({ length: 51 }, (_, i) => ({ productId: `${productId}-${i}`, quantity: 1 })) })],
  ])('answers a body with %s with 400 BAD_REQUEST and changes nothing', async (_, body) => {
    await setStock(productId, 5);
    const orderId = newOrderId('bad');
    for (const path of ['/reservations', '/reservations/release']) {
      const answer = await post(path, body(orderId));
      expect(answer).toEqual({ status: 400, body: { error: { code: 'BAD_REQUEST', message: expect.any(String) } } });
    }
    expect(await stockOf(productId)).toBe(5);
    expect(await reservationRows(orderId)).toEqual([]);
  });
});

describe('after all of the above', () => {
  // Runs last in this file: whatever interleavings ran, no stock level went below zero.
  it('leaves no stock level negative', async () => {
    const [row] = await sql('inventory', 'SELECT min(available)::int AS min FROM stock_levels');
    expect(row!.min).toBeGreaterThanOrEqual(0);
  });
});
