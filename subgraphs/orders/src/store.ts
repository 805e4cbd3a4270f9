import type { NewestFirstPosition } from '@supergraph/service-kit';
import { Prisma, type Order, type OrderItem, type PrismaClient } from './generated/prisma/client.ts';

/** All SQL of the orders subgraph. Batch readers take many ids and cost one statement. */
export class OrderStore {
  constructor(private readonly db: PrismaClient) {}

  ordersByIds(ids: readonly string[]): Promise<Order[]> {
    return this.db.order.findMany({ where: { id: { in: [...ids] } } });
  }

  /**
   * The newest `first` orders of each user, newest first within a user, in one statement: a
   * window function numbers each user's orders, so the limit applies per user, not overall.
   * `after` starts each user's list after that (createdAt, id) pair: the cursor pages' keyset.
   */
  latestOrdersByUserIds(userIds: readonly string[], first: number, after: NewestFirstPosition | null = null): Promise<Order[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    const afterCondition = after
      ? Prisma.sql`AND ("created_at", "id") < (${after.createdAt.toISOString()}::timestamp(3), ${after.id})`
      : Prisma.empty;
    return this.db.$queryRaw<Order[]>`
      SELECT "id", "user_id" AS "userId", "status"::text AS "status", "rejection_reason"::text AS "rejectionReason",
             "idempotency_key" AS "idempotencyKey", "total_cents" AS "totalCents", "currency",
             "created_at" AS "createdAt", "updated_at" AS "updatedAt", "checkout_step"::text AS "checkoutStep",
             "cart_fingerprint" AS "cartFingerprint", "payment_token" AS "paymentToken", "charge_id" AS "chargeId", "refund_id" AS "refundId"
      FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY "user_id" ORDER BY "created_at" DESC, "id" DESC) AS "position"
        FROM "orders"
        WHERE "user_id" IN (${Prisma.join([...userIds])}) ${afterCondition}
      ) AS "ranked"
      WHERE "position" <= ${first}
      ORDER BY "user_id", "position"`;
  }

  /** Items of many orders; within an order by product id, so the list is stable between reads. */
  itemsByOrderIds(orderIds: readonly string[]): Promise<OrderItem[]> {
    return this.db.orderItem.findMany({ where: { orderId: { in: [...orderIds] } }, orderBy: [{ orderId: 'asc' }, { productId: 'asc' }] });
  }
}

/** What the loaders read; the resolvers' unit tests stand in for it without a database. */
export type OrderReads = Pick<OrderStore, 'ordersByIds' | 'latestOrdersByUserIds' | 'itemsByOrderIds'>;
