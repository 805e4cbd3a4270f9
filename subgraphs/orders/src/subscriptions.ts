import { eventBusIterator, nonBlankArgument, notFound, startWith, subscriptionEvent, unauthenticated, type GraphQLResolverMap } from '@supergraph/service-kit';
import type { Order } from './generated/prisma/client.ts';
import type { OrdersContext } from './context.ts';
import { mayReadOrder } from './order-access.ts';
import { ORDER_STATUS_TOPIC, type PublishedOrderStatusEvent } from './outbox/order-events.ts';

/**
 * How far along its life an order is: every status change moves it up (PENDING -> CONFIRMED or
 * REJECTED -> CANCELLED or SHIPPED), never down. It is the sequence of an order's events, so
 * a redelivered or late event (the outbox relays at least once, replicas race) is recognised
 * as stale by its rank alone, whatever order the bus delivers them in.
 */
export const STATUS_RANK: Record<string, number> = { PENDING: 0, CONFIRMED: 1, REJECTED: 1, CANCELLED: 2, SHIPPED: 2 };

const FIELD = 'orderStatusChanged';

function isStatusEventOf(payload: unknown, orderId: string): payload is PublishedOrderStatusEvent {
  const event = payload as Partial<PublishedOrderStatusEvent> | null;
  return !!event && event.orderId === orderId && typeof event.status === 'string' && typeof event.eventId === 'string' && event.status in STATUS_RANK;
}

type SubscribeContext = Pick<OrdersContext, 'viewer' | 'events' | 'loaders'>;

export const subscriptionResolvers = {
  Subscription: {
    [FIELD]: {
      /**
       * The order as it is now, then each newer status. The owner check happens here, once, on
       * the identity the gateway vouched for: someone else's order is NOT_FOUND, as for
       * `order(id:)`, and nothing is ever sent for it.
       */
      async subscribe(_: unknown, args: { orderId: string }, ctx: SubscribeContext): Promise<AsyncIterableIterator<unknown>> {
        if (!ctx.viewer) throw unauthenticated('Sign in to follow an order');
        nonBlankArgument(args.orderId, 'orderId');
        // Listen first, then read: a change committed in between is in `changes`, not lost.
        const changes = await eventBusIterator(ctx.events, ORDER_STATUS_TOPIC, (payload) => (isStatusEventOf(payload, args.orderId) ? payload : undefined));
        let order: Order | null;
        try {
          order = await ctx.loaders.order.load(args.orderId);
        } catch (error) {
          await changes.return!();
          throw error;
        }
        if (!order || !mayReadOrder(ctx.viewer, order)) {
          await changes.return!();
          throw notFound(`No order with id ${args.orderId}`);
        }
        const snapshot = order;
        let lastRank = STATUS_RANK[snapshot.status] ?? 0;
        const newer: AsyncIterableIterator<unknown> = {
          [Symbol.asyncIterator]: () => newer,
          async next() {
            for (;;) {
              const step = await changes.next();
              if (step.done) return step;
              const event = step.value;
              const rank = STATUS_RANK[event.status]!;
              if (rank <= lastRank) continue; // already told, or stale
              lastRank = rank;
              const value = { ...snapshot, status: event.status, rejectionReason: event.rejectionReason } as Order;
              return { done: false, value: subscriptionEvent(FIELD, value, { id: event.eventId, key: `Order:${snapshot.id}`, sequence: rank }) };
            }
          },
          return: () => changes.return!(),
          throw: (error: unknown) => changes.throw!(error),
        };
        const current = subscriptionEvent(FIELD, snapshot, { id: `Order:${snapshot.id}:${snapshot.status}`, key: `Order:${snapshot.id}`, sequence: lastRank });
        return startWith<unknown>(current, newer);
      },
    },
  },
} satisfies GraphQLResolverMap<OrdersContext>;
