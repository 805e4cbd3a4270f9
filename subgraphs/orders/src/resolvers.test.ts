import { describe, it, expect } from 'vitest';
import { GraphQLError } from 'graphql';
import type { Viewer } from '@supergraph/service-kit';
import type { Order, OrderItem } from './generated/prisma/client.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';
import { subscriptionResolvers } from './subscriptions.ts';
import type { OrderReads } from './store.ts';

const order = (id: string, userId: string, minute: number): Order => ({
  id,
  userId,
  status: 'CONFIRMED',
  rejectionReason: null,
  idempotencyKey: `key-${id}`,
  totalCents: 2500,
  currency: 'USD',
  createdAt: new Date(Date.UTC(2026, 0, 1, 12, minute)),
  updatedAt: new Date(Date.UTC(2026, 0, 1, 12, minute)),
  checkoutStep: 'DONE',
  cartFingerprint: `cart-${id}`,
  paymentToken: null,
  chargeId: `ch_${id}`,
  refundId: null,
});
const ORDERS = [order('o1', 'alice', 1), order('o2', 'alice', 2), order('o3', 'bob', 3)];
const ITEMS: OrderItem[] = [
  { orderId: 'o1', productId: 'p1', quantity: 2, unitPriceCents: 1000, currency: 'USD' },
  { orderId: 'o1', productId: 'p2', quantity: 1, unitPriceCents: 500, currency: 'USD' },
];

/** A stand-in store over the rows above that records every call, as one call is one statement. */
function fakeStore() {
  const calls: string[] = [];
  const store: OrderReads = {
    async ordersByIds(ids) {
      calls.push(`ordersByIds ${ids.join(',')}`);
      return ORDERS.filter((o) => ids.includes(o.id));
    },
    async latestOrdersByUserIds(userIds, first) {
      calls.push(`latestOrdersByUserIds ${userIds.join(',')} first=${first}`);
      return userIds.flatMap((userId) =>
        ORDERS.filter((o) => o.userId === userId)
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
          .slice(0, first),
      );
    },
    async itemsByOrderIds(ids) {
      calls.push(`itemsByOrderIds ${ids.join(',')}`);
      return ITEMS.filter((item) => ids.includes(item.orderId));
    },
  };
  return { store, calls };
}

const contextFor = (viewer: Viewer | null) => {
  const { store, calls } = fakeStore();
  return { ctx: { viewer, loaders: createLoaders(store) }, calls };
};
const alice: Viewer = { id: 'alice', role: 'USER' };
const admin: Viewer = { id: 'root', role: 'ADMIN' };

describe('User.orders', () => {
  it('lists the user’s own orders newest first', async () => {
    const { ctx } = contextFor(alice);
    const orders = await resolvers.User.orders({ id: 'alice' }, { first: 10 }, ctx);
    expect(orders.map((o) => o.id)).toEqual(['o2', 'o1']);
  });

  it('checks who asks before reading anything', async () => {
    const anonymous = contextFor(null);
    await expect(resolvers.User.orders({ id: 'alice' }, { first: 10 }, anonymous.ctx)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    const someoneElse = contextFor(alice);
    await expect(resolvers.User.orders({ id: 'bob' }, { first: 10 }, someoneElse.ctx)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    const tooMany = contextFor(alice);
    await expect(resolvers.User.orders({ id: 'alice' }, { first: 101 }, tooMany.ctx)).rejects.toBeInstanceOf(GraphQLError);
    expect([...anonymous.calls, ...someoneElse.calls, ...tooMany.calls]).toEqual([]);
  });

  it('reads the orders of many users in one statement and primes the order loader', async () => {
    const { ctx, calls } = contextFor(admin);
    const lists = await Promise.all(['alice', 'bob'].map((id) => resolvers.User.orders({ id }, { first: 1 }, ctx)));
    expect(lists.map((list) => list.map((o) => o.id))).toEqual([['o2'], ['o3']]);
    await resolvers.Order.__resolveReference({ id: 'o3' }, ctx);
    expect(calls).toEqual(['latestOrdersByUserIds alice,bob first=1']);
  });
});

describe('Order', () => {
  it('resolves references in one batch, hiding other users’ orders as if missing', async () => {
    const { ctx, calls } = contextFor(alice);
    const found = await Promise.all(['o1', 'o3', 'nope'].map((id) => resolvers.Order.__resolveReference({ id }, ctx)));
    expect(found.map((o) => o?.id ?? null)).toEqual(['o1', null, null]);
    expect(calls).toEqual(['ordersByIds o1,o3,nope']);
  });

  it('shows admins anyone’s order', async () => {
    const { ctx } = contextFor(admin);
    expect((await resolvers.Order.__resolveReference({ id: 'o3' }, ctx))?.userId).toBe('bob');
  });

  it('exposes money, time, items and references in the public shape', async () => {
    const { ctx, calls } = contextFor(alice);
    const o1 = ORDERS[0]!;
    expect(resolvers.Order.total(o1)).toEqual({ amountCents: 2500, currency: 'USD' });
    expect(resolvers.Order.createdAt(o1)).toBe('2026-01-01T12:01:00.000Z');
    expect(resolvers.Order.user(o1)).toEqual({ __typename: 'User', id: 'alice' });
    const [items1, items2] = await Promise.all([resolvers.Order.items(o1, {}, ctx), resolvers.Order.items(ORDERS[1]!, {}, ctx)]);
    expect(items1.map((item) => resolvers.OrderItem.unitPrice(item))).toEqual([
      { amountCents: 1000, currency: 'USD' },
      { amountCents: 500, currency: 'USD' },
    ]);
    expect(resolvers.OrderItem.product(items1[0]!)).toEqual({ __typename: 'Product', id: 'p1' });
    expect(items2).toEqual([]);
    expect(calls).toEqual(['itemsByOrderIds o1,o2']);
  });
});

describe('an order asked for by a blank id', () => {
  it('is the caller’s mistake (BAD_USER_INPUT naming `id`), not a missing order, and reads nothing', async () => {
    const { ctx, calls } = contextFor(alice);
    await expect(resolvers.Query.order(undefined, { id: ' ' }, ctx)).rejects.toMatchObject({ message: 'id must not be empty', extensions: { code: 'BAD_USER_INPUT', argument: 'id' } });
    const cancelled: string[] = [];
    const saga = { cancelOrder: async (_viewer: Viewer | null, id: string) => void cancelled.push(id) } as never;
    expect(() => resolvers.Mutation.cancelOrder(undefined, { id: '' }, { viewer: alice, saga })).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', argument: 'id' } }));
    // Following one by a blank id is refused before anything listens or reads (no event bus given here).
    const follow = subscriptionResolvers.Subscription.orderStatusChanged.subscribe(undefined, { orderId: '' }, { viewer: alice, loaders: ctx.loaders } as never);
    await expect(follow).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'orderId' } });
    expect([...calls, ...cancelled]).toEqual([]);
    // An id that is not blank is looked up as before: someone else's is NOT_FOUND.
    await expect(resolvers.Query.order(undefined, { id: 'o3' }, ctx)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});
