import { randomUUID } from 'node:crypto';
import { badUserInput, notFound, unauthenticated, type EntityClient, type Logger, type Viewer } from '@supergraph/service-kit';
import type { Order } from '../generated/prisma/client.ts';
import { mayReadOrder } from '../order-access.ts';
import type { PaymentProvider } from '../payments/payment-provider.ts';
import { priceCart } from './catalog-client.ts';
import type { CheckoutStore, OrderWithItems } from './checkout-store.ts';
import type { InventoryClient } from './inventory-client.ts';
import { cartFingerprint, parsePlaceOrderInput, type CartLine } from './place-order-input.ts';

export interface CheckoutSagaDeps {
  store: CheckoutStore;
  products: EntityClient;
  inventory: InventoryClient;
  payments: PaymentProvider;
  log: Logger;
  /** Called after every committed status change, so the outbox relay publishes at once. */
  onStatusChanged: () => void;
  /** How long a repeated request waits for the first one to settle before answering PENDING. */
  settleWaitMs: number;
  /** Test hook (refused in production): die right after this step is stored, as a crash would. */
  crashAfter?: 'RESERVED' | undefined;
}

/**
 * The checkout saga (ADR 0005): record the order (PENDING, authoritative prices) -> reserve stock
 * -> charge -> CONFIRMED; failures compensate what was done. Each step's outcome is stored
 * before the next starts, and every step is idempotent per order id, so `advance` can resume any
 * order from wherever it stopped: after a crash, a timeout, or a concurrent duplicate request.
 */
export class CheckoutSaga {
  constructor(private readonly deps: CheckoutSagaDeps) {}

  async placeOrder(viewer: Viewer | null, rawInput: unknown): Promise<OrderWithItems> {
    if (!viewer) throw unauthenticated('Sign in to place an order');
    const input = parsePlaceOrderInput(rawInput);
    this.deps.payments.assertTokenAccepted(input.paymentToken);
    const fingerprint = cartFingerprint(input.items);

    const existing = await this.deps.store.findByIdempotencyKey(viewer.id, input.idempotencyKey);
    if (existing) return this.replay(existing, fingerprint);

    const prices = await priceCart(this.deps.products, input.items.map((item) => item.productId));
    const currency = prices.values().next().value!.currency;
    const items = input.items.map((item) => ({ productId: item.productId, quantity: item.quantity, unitPriceCents: prices.get(item.productId)!.amountCents, currency }));
    const recorded = await this.deps.store.recordOrder(
      {
        id: randomUUID(),
        userId: viewer.id,
        idempotencyKey: input.idempotencyKey,
        cartFingerprint: fingerprint,
        paymentToken: input.paymentToken,
        totalCents: items.reduce((sum, item) => sum + item.unitPriceCents * item.quantity, 0),
        currency,
      },
      items,
    );
    if (!recorded) {
      // A concurrent request with the same key recorded first: answer with its order.
      const winner = await this.deps.store.findByIdempotencyKey(viewer.id, input.idempotencyKey);
      return this.replay(winner!, fingerprint);
    }
    this.deps.onStatusChanged();
    return this.advance(recorded.id);
  }

  async cancelOrder(viewer: Viewer | null, orderId: string): Promise<OrderWithItems> {
    if (!viewer) throw unauthenticated('Sign in to cancel an order');
    const order = await this.deps.store.find(orderId);
    if (!order || !mayReadOrder(viewer, order)) throw notFound(`No order with id ${orderId}`);
    if (order.status === 'CANCELLED' || order.checkoutStep === 'CANCELLING') return this.advance(orderId);
    if (order.status !== 'CONFIRMED' || order.checkoutStep !== 'DONE') {
      throw badUserInput(`Only confirmed orders can be cancelled; this one is ${order.status}`, { status: order.status });
    }
    if (!(await this.deps.store.advance(orderId, 'DONE', { checkoutStep: 'CANCELLING' }))) {
      return this.cancelOrder(viewer, orderId); // changed meanwhile (a concurrent cancel): look again
    }
    return this.advance(orderId);
  }

  /**
   * Drives an order from its stored step to the end. A step that cannot complete now (inventory
   * or the payment provider unreachable or slow) leaves the order where it is, for recovery.
   */
  async advance(orderId: string): Promise<OrderWithItems> {
    let order = await this.deps.store.find(orderId);
    if (!order) throw notFound(`No order with id ${orderId}`);
    while (order.checkoutStep !== 'DONE') {
      let next: Order | null;
      try {
        next = await this.step(order);
      } catch (error) {
        this.deps.log.warn({ err: error, orderId, step: order.checkoutStep }, 'checkout step did not complete; recovery will retry');
        return order;
      }
      // null: another driver (a duplicate request, recovery) moved the order first; look again.
      order = next ? { ...next, items: order.items } : (await this.deps.store.find(orderId))!;
    }
    return order;
  }

  /** Performs the stored step's work and stores its outcome; returns the order as it now is. */
  private async step(order: OrderWithItems): Promise<Order | null> {
    const { store, inventory, payments } = this.deps;
    const lines: CartLine[] = order.items.map((item) => ({ productId: item.productId, quantity: item.quantity }));
    switch (order.checkoutStep) {
      case 'RECORDED': {
        const reservation = await inventory.reserve(order.id, lines);
        if (reservation.outcome === 'RESERVED') {
          const reserved = await store.advance(order.id, 'RECORDED', { checkoutStep: 'RESERVED' });
          if (this.deps.crashAfter === 'RESERVED') process.kill(process.pid, 'SIGKILL');
          return reserved;
        }
        // OUT_OF_STOCK reserved nothing; RELEASED means this order's stock was already given back.
        return this.finish(order.id, 'RECORDED', { status: 'REJECTED', rejectionReason: 'OUT_OF_STOCK' });
      }
      case 'RESERVED': {
        const charge = await payments.charge(
          { idempotencyKey: order.id, amountCents: order.totalCents, currency: order.currency.trim(), token: order.paymentToken ?? '' },
          new AbortController().signal,
        );
        if (charge.status === 'SUCCEEDED') return this.finish(order.id, 'RESERVED', { status: 'CONFIRMED', chargeId: charge.chargeId });
        return store.advance(order.id, 'RESERVED', { checkoutStep: 'PAYMENT_DECLINED' });
      }
      case 'PAYMENT_DECLINED': {
        await inventory.release(order.id, lines);
        return this.finish(order.id, 'PAYMENT_DECLINED', { status: 'REJECTED', rejectionReason: 'PAYMENT_DECLINED' });
      }
      case 'CANCELLING': {
        await inventory.release(order.id, lines);
        const refund = order.chargeId
          ? await payments.refund({ idempotencyKey: `refund:${order.id}`, chargeId: order.chargeId, amountCents: order.totalCents }, new AbortController().signal)
          : null;
        return this.finish(order.id, 'CANCELLING', { status: 'CANCELLED', refundId: refund?.refundId ?? null });
      }
      case 'DONE':
        return order;
    }
  }

  private async finish(orderId: string, from: OrderWithItems['checkoutStep'], change: Parameters<CheckoutStore['finish']>[2]) {
    const finished = await this.deps.store.finish(orderId, from, change);
    if (finished) this.deps.onStatusChanged();
    return finished;
  }

  /**
   * A repeated idempotency key: same cart -> the same order, never a second one; other cart ->
   * refused. The repeat first waits for the request that is driving the order to settle it; if
   * the order is still unfinished after `settleWaitMs` (that request timed out at the gateway, or
   * its process died), the repeat drives it on itself, as recovery would: every step is
   * idempotent per order id, so a client retrying after a timeout gets its order completed.
   */
  private async replay(order: Order, fingerprint: string): Promise<OrderWithItems> {
    if (order.cartFingerprint !== fingerprint) {
      throw badUserInput('This idempotency key was already used for a different cart', { field: 'idempotencyKey' });
    }
    const deadline = Date.now() + this.deps.settleWaitMs;
    for (;;) {
      const current = (await this.deps.store.find(order.id))!;
      if (current.checkoutStep === 'DONE') return current;
      if (Date.now() >= deadline) return this.advance(order.id);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
