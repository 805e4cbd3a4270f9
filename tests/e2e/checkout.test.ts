import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { demoIds } from '@supergraph/service-kit';
import { sql } from '../support/db.ts';
import { codes, graphql, stack } from '../support/graphql.ts';
import { startGatewayReplica } from '../support/gateways.ts';
import { placeOrderRetrying } from '../support/orders.ts';
import { operation } from '../support/operations.ts';
import { adminToken, newUser } from '../support/users.ts';

// Demo products 250..279 belong to this file; other files leave them alone.
const product = (index: number) => demoIds.product(250 + index);
const setStock = (productId: string, units: number) => sql('inventory', 'UPDATE stock_levels SET available = $2 WHERE product_id = $1', [productId, units]);
const stockOf = async (productId: string) => (await sql('inventory', 'SELECT available FROM stock_levels WHERE product_id = $1', [productId]))[0]!.available as number;

/**
 * Each test talks to a gateway replica of its own, so its circuit breakers start closed: one
 * test's failures (a subgraph slow on a busy machine) cannot fail the next (issue 10).
 */
let gatewayUrl = '';
beforeEach(async () => {
  gatewayUrl = (await startGatewayReplica({ rateLimit: { pointsPerMinute: 1_000_000, whenRedisDown: 'open' } })).url;
});
const gql = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
  graphql(gatewayUrl, query, variables, token ? { authorization: `Bearer ${token}` } : {});
const place = (token: string, idempotencyKey: string, items: Array<{ productId: string; quantity: number }>, paymentToken = 'tok_visa') =>
  gql(operation('PlaceOrder'), { input: { idempotencyKey, items, paymentToken } }, token);

/** Every status-change event published during this file, when the stack runs on Redis. */
const redisEvents: Array<{ orderId: string; status: string; eventId: string }> = [];
let subscriber: Redis | null = null;
beforeAll(async () => {
  const { redisUrl, eventsChannelPrefix } = stack();
  if (!redisUrl) return;
  subscriber = new Redis(redisUrl);
  subscriber.on('message', (_channel: string, message: string) => redisEvents.push(JSON.parse(message)));
  await subscriber.subscribe(`${eventsChannelPrefix}order.status-changed`);
});
afterAll(() => subscriber?.disconnect());

async function eventually<T>(read: () => Promise<T>, until: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (until(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('checkout under a flash sale', () => {
  it('sells exactly the stock to 200 concurrent requests from 50 users, with repeated idempotency keys', async () => {
    const productId = product(0);
    await setStock(productId, 50);
    const users = await Promise.all(Array.from({ length: 50 }, (_, i) => newUser(`flash${i}`)));
    // Four calls a user; the fourth repeats the first one's key (150 distinct keys, 200 calls).
    const calls = users.flatMap((user, u) => [0, 1, 2, 3].map((j) => ({ user, key: `flash-${u}-${j % 3}` })));
    // A busy orders subgraph may refuse some at first (SERVICE_OVERLOADED): clients retry with the same key.
    const responses = await Promise.all(
      calls.map(({ user, key }) => placeOrderRetrying(gatewayUrl, user.token, { idempotencyKey: key, items: [{ productId, quantity: 1 }] }).then((r) => r.answer)),
    );

    for (const response of responses) expect((response.errors ?? []).filter((e) => e.extensions?.code !== 'SERVICE_OVERLOADED')).toEqual([]);
    const orders = responses.map((r) => r.data!.placeOrder as { id: string; status: string; rejectionReason: string | null });
    const byKey = new Map<string, Set<string>>();
    calls.forEach((call, i) => byKey.set(`${call.user.id}/${call.key}`, (byKey.get(`${call.user.id}/${call.key}`) ?? new Set()).add(orders[i]!.id)));
    expect(byKey.size).toBe(150);
    for (const ids of byKey.values()) expect(ids.size).toBe(1); // each key maps to exactly one order

    const stored = await sql('orders', `SELECT o.id, o.status, o.rejection_reason, i.quantity FROM orders o JOIN order_items i ON i.order_id = o.id WHERE i.product_id = $1`, [productId]);
    expect(stored.length).toBe(150);
    const confirmed = stored.filter((o) => o.status === 'CONFIRMED');
    expect(confirmed.reduce((sum, o) => sum + o.quantity, 0)).toBe(50);
    expect(stored.filter((o) => o.status === 'REJECTED').every((o) => o.rejection_reason === 'OUT_OF_STOCK')).toBe(true);
    expect(stored.filter((o) => o.status !== 'CONFIRMED' && o.status !== 'REJECTED')).toEqual([]);

    expect(await stockOf(productId)).toBe(0);
    expect((await sql('inventory', 'SELECT min(available)::int AS min FROM stock_levels'))[0]!.min).toBeGreaterThanOrEqual(0);
    const reserved = await sql('inventory', `SELECT coalesce(sum(quantity), 0)::int AS units FROM reservations WHERE product_id = $1 AND status = 'RESERVED'`, [productId]);
    expect(reserved[0]!.units).toBe(50);

    // The test provider holds exactly one charge per CONFIRMED order, keyed by the order, and none for rejected ones.
    const charges = await sql('orders', `SELECT idempotency_key, status FROM test_payment_charges WHERE idempotency_key = ANY($1)`, [stored.map((o) => o.id)]);
    expect(charges.map((c) => c.idempotency_key).sort()).toEqual(confirmed.map((o) => o.id).sort());
    expect(charges.every((c) => c.status === 'SUCCEEDED')).toBe(true);

    // Every status change went through the outbox and was published at least once.
    const unpublished = await eventually(
      () => sql('orders', `SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL`),
      (rows) => rows[0]!.n === 0,
    );
    expect(unpublished[0]!.n).toBe(0);
    if (subscriber) {
      const confirmedIds = new Set(confirmed.map((o) => o.id));
      await eventually(async () => redisEvents.filter((e) => e.status === 'CONFIRMED' && confirmedIds.has(e.orderId)).length, (n) => n >= 50);
      const confirmedEvents = new Set(redisEvents.filter((e) => e.status === 'CONFIRMED').map((e) => e.orderId));
      for (const id of confirmedIds) expect(confirmedEvents.has(id)).toBe(true);
    }
  });
});

describe('placeOrder', () => {
  it('takes prices from the catalog, not the client, and reports the new stock', async () => {
    const [a, b] = [product(1), product(2)];
    await setStock(a, 20);
    await setStock(b, 20);
    const user = await newUser('prices');
    const response = await place(user.token, 'prices-1', [{ productId: a, quantity: 2 }, { productId: b, quantity: 3 }]);
    expect(response.errors).toBeUndefined();
    const order = response.data!.placeOrder;
    const prices = await sql('products', 'SELECT id, price_cents FROM products WHERE id = ANY($1)', [[a, b]]);
    const priceOf = (id: string) => prices.find((p) => p.id === id)!.price_cents as number;
    expect(order.status).toBe('CONFIRMED');
    expect(order.total).toEqual({ amountCents: priceOf(a) * 2 + priceOf(b) * 3, currency: 'USD' });
    expect(order.items).toEqual([
      { quantity: 2, unitPrice: { amountCents: priceOf(a), currency: 'USD' }, product: { id: a, name: expect.any(String), stock: 18 } },
      { quantity: 3, unitPrice: { amountCents: priceOf(b), currency: 'USD' }, product: { id: b, name: expect.any(String), stock: 17 } },
    ]);
  });

  it('reserves nothing when one item of a multi-item order is short', async () => {
    const [plenty, short] = [product(3), product(4)];
    await setStock(plenty, 10);
    await setStock(short, 1);
    const user = await newUser('short');
    const response = await place(user.token, 'short-1', [{ productId: plenty, quantity: 2 }, { productId: short, quantity: 3 }]);
    expect(response.data!.placeOrder).toMatchObject({ status: 'REJECTED', rejectionReason: 'OUT_OF_STOCK' });
    expect(await stockOf(plenty)).toBe(10);
    expect(await stockOf(short)).toBe(1);
    expect(await sql('inventory', 'SELECT * FROM reservations WHERE order_id = $1', [response.data!.placeOrder.id])).toEqual([]);
    expect(await sql('orders', 'SELECT * FROM test_payment_charges WHERE idempotency_key = $1', [response.data!.placeOrder.id])).toEqual([]);
  });

  it('releases the reservation when the payment is declined', async () => {
    const productId = product(5);
    await setStock(productId, 5);
    const user = await newUser('declined');
    const response = await place(user.token, 'declined-1', [{ productId, quantity: 2 }], 'tok_declined');
    const order = response.data!.placeOrder;
    expect(order).toMatchObject({ status: 'REJECTED', rejectionReason: 'PAYMENT_DECLINED' });
    expect(await stockOf(productId)).toBe(5);
    expect(await sql('inventory', 'SELECT status FROM reservations WHERE order_id = $1', [order.id])).toEqual([{ status: 'RELEASED' }]);
    expect(await sql('orders', 'SELECT status FROM test_payment_charges WHERE idempotency_key = $1', [order.id])).toEqual([{ status: 'DECLINED' }]);
  });

  it('returns the same order for a repeated key, and refuses the key with another cart', async () => {
    const productId = product(6);
    await setStock(productId, 10);
    const user = await newUser('repeat');
    const first = await place(user.token, 'repeat-1', [{ productId, quantity: 1 }]);
    const again = await place(user.token, 'repeat-1', [{ productId, quantity: 1 }]);
    expect(again.data!.placeOrder.id).toBe(first.data!.placeOrder.id);
    expect(await stockOf(productId)).toBe(9);
    const otherCart = await place(user.token, 'repeat-1', [{ productId, quantity: 2 }]);
    expect(codes(otherCart)).toEqual(['BAD_USER_INPUT']);
    // The same key of another user is another order.
    const someoneElse = await newUser('repeat-other');
    const theirs = await place(someoneElse.token, 'repeat-1', [{ productId, quantity: 1 }]);
    expect(theirs.data!.placeOrder.id).not.toBe(first.data!.placeOrder.id);
  });

  it.each([
    ['quantity 0', [{ productId: product(7), quantity: 0 }], 'tok_visa'],
    ['quantity 101', [{ productId: product(7), quantity: 101 }], 'tok_visa'],
    ['51 lines', Array.from({ length: 51 }, (_, i) => ({ productId: demoIds.product(i), quantity: 1 })), 'tok_visa'],
    ['a duplicate product line', [{ productId: product(7), quantity: 1 }, { productId: product(7), quantity: 1 }], 'tok_visa'],
    ['an unknown product', [{ productId: product(7), quantity: 1 }, { productId: 'no-such-product', quantity: 1 }], 'tok_visa'],
    ['an unknown payment token', [{ productId: product(7), quantity: 1 }], 'tok_mastercard'],
  ])('refuses %s with BAD_USER_INPUT before anything is recorded or reserved', async (_, items, paymentToken) => {
    await setStock(product(7), 10);
    const user = await newUser('invalid');
    const response = await place(user.token, 'invalid-1', items, paymentToken);
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(await sql('orders', 'SELECT id FROM orders WHERE user_id = $1', [user.id])).toEqual([]);
    expect(await stockOf(product(7))).toBe(10);
  });

  it('requires a signed-in user', async () => {
    const response = await gql(operation('PlaceOrder'), { input: { idempotencyKey: 'anon', items: [{ productId: product(7), quantity: 1 }], paymentToken: 'tok_visa' } });
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('reading and cancelling orders', () => {
  it('shows an order to its owner and admins only; others cannot tell it exists', async () => {
    const productId = product(8);
    await setStock(productId, 10);
    const owner = await newUser('owner');
    const order = (await place(owner.token, 'read-1', [{ productId, quantity: 1 }])).data!.placeOrder;

    const mine = await gql(operation('Order'), { id: order.id }, owner.token);
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.order).toMatchObject({ id: order.id, status: 'CONFIRMED', user: { id: owner.id, name: 'Test owner' } });
    const me = await gql(operation('Me'), {}, owner.token);
    expect(me.data!.me.orders).toEqual([expect.objectContaining({ id: order.id, status: 'CONFIRMED', items: [expect.objectContaining({ quantity: 1, product: { id: productId, name: expect.any(String) } })] })]);

    const stranger = await newUser('stranger');
    const theirs = await gql(operation('Order'), { id: order.id }, stranger.token);
    const missing = await gql(operation('Order'), { id: 'no-such-order' }, stranger.token);
    expect(codes(theirs)).toEqual(['NOT_FOUND']);
    expect(theirs.errors![0]!.message.replace(order.id, 'X')).toBe(missing.errors![0]!.message.replace('no-such-order', 'X'));
    expect(codes(await gql(operation('Order'), { id: order.id }))).toEqual(['UNAUTHENTICATED']);
    expect((await gql(operation('Order'), { id: order.id }, await adminToken())).data!.order.id).toBe(order.id);
    expect(codes(await gql(operation('CancelOrder'), { id: order.id }, stranger.token))).toEqual(['NOT_FOUND']);
  });

  it('cancels a confirmed order: stock back, charge refunded; cancelling twice changes nothing more', async () => {
    const productId = product(9);
    await setStock(productId, 10);
    const user = await newUser('cancel');
    const order = (await place(user.token, 'cancel-1', [{ productId, quantity: 4 }])).data!.placeOrder;
    expect(await stockOf(productId)).toBe(6);

    const cancelled = await gql(operation('CancelOrder'), { id: order.id }, user.token);
    expect(cancelled.data!.cancelOrder).toEqual({ id: order.id, status: 'CANCELLED' });
    expect(await stockOf(productId)).toBe(10);
    const [charge] = await sql('orders', 'SELECT refunded_at FROM test_payment_charges WHERE idempotency_key = $1', [order.id]);
    expect(charge!.refunded_at).not.toBeNull();

    const again = await gql(operation('CancelOrder'), { id: order.id }, user.token);
    expect(again.data!.cancelOrder).toEqual({ id: order.id, status: 'CANCELLED' });
    expect(await stockOf(productId)).toBe(10);
    expect(await sql('orders', 'SELECT refunded_at FROM test_payment_charges WHERE idempotency_key = $1', [order.id])).toEqual([charge]);
  });

  it('refuses to cancel an order that was not confirmed', async () => {
    const productId = product(10);
    await setStock(productId, 0);
    const user = await newUser('cancel-rejected');
    const order = (await place(user.token, 'cancel-rejected-1', [{ productId, quantity: 1 }])).data!.placeOrder;
    expect(order.status).toBe('REJECTED');
    expect(codes(await gql(operation('CancelOrder'), { id: order.id }, user.token))).toEqual(['BAD_USER_INPUT']);
  });
});
