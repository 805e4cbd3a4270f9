import {
  money, newestFirstConnection, newestFirstPageKey, nonBlankArgument, notFound, parseNewestFirstPage, unauthenticated, type GraphQLResolverMap,
} from '@supergraph/service-kit';
import type { Order, OrderItem } from './generated/prisma/client.ts';
import type { OrdersContext } from './context.ts';
import { MAX_ORDERS_PAGE, assertMayReadOrdersOf, mayReadOrder, parseOrdersFirst } from './order-access.ts';

/** What the resolvers use of the context; the unit tests build just this. */
type ResolverContext = Pick<OrdersContext, 'viewer' | 'loaders'>;

// `satisfies` rather than a type annotation keeps each resolver's own signature, so tests can call them.
export const resolvers = {
  Query: {
    async order(_: unknown, args: { id: string }, ctx: ResolverContext): Promise<Order> {
      if (!ctx.viewer) throw unauthenticated('Sign in to see an order');
      const order = await ctx.loaders.order.load(nonBlankArgument(args.id, 'id'));
      // Someone else's order is answered exactly like a missing one.
      if (!order || !mayReadOrder(ctx.viewer, order)) throw notFound(`No order with id ${args.id}`);
      return order;
    },
  },
  Mutation: {
    placeOrder: (_: unknown, args: { input: unknown }, ctx: Pick<OrdersContext, 'viewer' | 'saga'>) => ctx.saga.placeOrder(ctx.viewer, args.input),
    cancelOrder: (_: unknown, args: { id: string }, ctx: Pick<OrdersContext, 'viewer' | 'saga'>) => ctx.saga.cancelOrder(ctx.viewer, nonBlankArgument(args.id, 'id')),
  },
  User: {
    async orders(user: { id: string }, args: { first: number }, ctx: ResolverContext): Promise<Order[]> {
      assertMayReadOrdersOf(ctx.viewer, user.id);
      const orders = await ctx.loaders.latestOrdersOfUser.load(user.id, parseOrdersFirst(args.first));
      // Prime the loader so entity look-ups of these orders later in this request cost nothing.
      for (const order of orders) ctx.loaders.order.prime(order.id, order);
      return orders;
    },
    async ordersConnection(user: { id: string }, args: { first: number; after?: string | null }, ctx: ResolverContext) {
      assertMayReadOrdersOf(ctx.viewer, user.id);
      const page = parseNewestFirstPage('order', args, MAX_ORDERS_PAGE);
      const orders = await ctx.loaders.orderPageOfUser.load(user.id, newestFirstPageKey(page));
      for (const order of orders) ctx.loaders.order.prime(order.id, order);
      return newestFirstConnection('order', orders, page.first);
    },
  },
  Order: {
    async __resolveReference(reference: { id: string }, ctx: ResolverContext): Promise<Order | null> {
      const order = await ctx.loaders.order.load(reference.id);
      return order && mayReadOrder(ctx.viewer, order) ? order : null;
    },
    createdAt: (order: Order) => order.createdAt.toISOString(),
    total: (order: Order) => money(order.totalCents, order.currency),
    // The saga returns orders with their items already loaded.
    items: (order: Order & { items?: OrderItem[] }, _: unknown, ctx: ResolverContext): Promise<OrderItem[]> =>
      order.items ? Promise.resolve(order.items) : ctx.loaders.itemsOfOrder.load(order.id),
    user: (order: Order) => ({ __typename: 'User' as const, id: order.userId }),
  },
  OrderItem: {
    unitPrice: (item: OrderItem) => money(item.unitPriceCents, item.currency),
    product: (item: OrderItem) => ({ __typename: 'Product' as const, id: item.productId }),
  },
} satisfies GraphQLResolverMap<OrdersContext>;
