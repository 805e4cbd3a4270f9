import { outboxPayload } from '@supergraph/service-kit';
import { Prisma, type CheckoutStep, type Order, type OrderItem, type PrismaClient } from '../generated/prisma/client.ts';
import { ORDER_STATUS_TOPIC, type OrderStatusEvent } from '../outbox/order-events.ts';

export type OrderWithItems = Order & { items: OrderItem[] };

/** Only the saga's own columns change on a transition; status changes always go with an event. */
type StepChange = Pick<Prisma.OrderUpdateManyMutationInput, 'checkoutStep' | 'chargeId' | 'refundId'>;
type Finish = Pick<Prisma.OrderUpdateManyMutationInput, 'status' | 'rejectionReason' | 'chargeId' | 'refundId'>;

const TRANSACTION = { maxWait: 10_000, timeout: 15_000 };

/**
 * The checkout saga's SQL. Every transition is conditional on the step it leaves
 * (`WHERE checkout_step = from`), so a request and the recovery loop racing on the same order
 * cannot both apply it: the loser gets null and re-reads.
 */
export class CheckoutStore {
  constructor(private readonly db: PrismaClient) {}

  findByIdempotencyKey(userId: string, idempotencyKey: string): Promise<Order | null> {
    return this.db.order.findUnique({ where: { userId_idempotencyKey: { userId, idempotencyKey } } });
  }

  find(orderId: string): Promise<OrderWithItems | null> {
    return this.db.order.findUnique({ where: { id: orderId }, include: { items: { orderBy: { productId: 'asc' } } } });
  }

  /** Records a new PENDING order with its items and announces it; null when the key was taken meanwhile. */
  async recordOrder(order: Prisma.OrderCreateWithoutItemsInput, items: Prisma.OrderItemCreateManyOrderInput[]): Promise<Order | null> {
    try {
      return await this.db.$transaction(async (tx) => {
        const created = await tx.order.create({ data: { ...order, items: { createMany: { data: items } } } });
        await tx.outboxEvent.create({ data: { topic: ORDER_STATUS_TOPIC, payload: outboxPayload(statusEvent(created)) } });
        return created;
      }, TRANSACTION);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /** Moves the order on from step `from`; null when it was not at that step any more. */
  async advance(orderId: string, from: CheckoutStep, change: StepChange): Promise<Order | null> {
    return notAtStepIsNull(this.db.order.update({ where: { id: orderId, checkoutStep: from }, data: change }));
  }

  /** The last step: the final status, the payment token forgotten, and the event, in one transaction. */
  async finish(orderId: string, from: CheckoutStep, change: Finish): Promise<Order | null> {
    return notAtStepIsNull(
      this.db.$transaction(async (tx) => {
        const order = await tx.order.update({
          where: { id: orderId, checkoutStep: from },
          data: { ...change, checkoutStep: 'DONE', paymentToken: null },
        });
        await tx.outboxEvent.create({ data: { topic: ORDER_STATUS_TOPIC, payload: outboxPayload(statusEvent(order)) } });
        return order;
      }, TRANSACTION),
    );
  }

  /** Orders whose saga stopped part-way and nobody touched for a while: what recovery drives on. */
  async unfinishedOrderIds(untouchedSince: Date, limit: number): Promise<string[]> {
    const rows = await this.db.order.findMany({
      where: { checkoutStep: { not: 'DONE' }, updatedAt: { lt: untouchedSince } },
      select: { id: true },
      orderBy: { updatedAt: 'asc' },
      take: limit,
    });
    return rows.map((row) => row.id);
  }
}

/** Prisma's "record to update not found" (P2025) here means another driver moved the order first. */
async function notAtStepIsNull(update: Promise<Order>): Promise<Order | null> {
  try {
    return await update;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') return null;
    throw error;
  }
}

function statusEvent(order: Order): OrderStatusEvent & Prisma.InputJsonObject {
  return {
    orderId: order.id,
    userId: order.userId,
    status: order.status,
    rejectionReason: order.rejectionReason,
    occurredAt: new Date().toISOString(),
  };
}
