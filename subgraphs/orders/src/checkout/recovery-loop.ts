import type { Logger } from '@supergraph/service-kit';
import type { CheckoutSaga } from './checkout-saga.ts';
import type { CheckoutStore } from './checkout-store.ts';

/**
 * Drives every order whose saga stopped part-way (a crash, a timeout, an outage) to its end:
 * once at start-up and then periodically. Orders touched within `graceMs` are left alone, as a
 * live request is most likely still working on them; the saga's steps are idempotent anyway.
 */
export class RecoveryLoop {
  private readonly timer: NodeJS.Timeout;
  private running: Promise<number> | null = null;

  constructor(
    private readonly saga: CheckoutSaga,
    private readonly store: CheckoutStore,
    private readonly log: Logger,
    private readonly options: { intervalMs: number; graceMs: number },
  ) {
    this.timer = setInterval(() => void this.runOnce(), options.intervalMs);
    this.timer.unref();
  }

  /** Returns how many orders it drove. */
  runOnce(): Promise<number> {
    this.running ??= this.recover().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async recover(): Promise<number> {
    let driven = 0;
    try {
      const ids = await this.store.unfinishedOrderIds(new Date(Date.now() - this.options.graceMs), 100);
      for (const id of ids) {
        const order = await this.saga.advance(id);
        this.log.info({ orderId: id, status: order.status, step: order.checkoutStep }, 'recovery drove an unfinished order');
        driven++;
      }
    } catch (error) {
      this.log.warn({ err: error }, 'recovery pass failed; will retry');
    }
    return driven;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
