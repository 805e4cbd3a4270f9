import { randomUUID } from 'node:crypto';
import { badUserInput } from '@supergraph/service-kit';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest } from './payment-provider.ts';

/** The public contract's test tokens. */
export const TEST_TOKENS = { charged: 'tok_visa', declined: 'tok_declined' } as const;

/**
 * The built-in test provider: `tok_visa` is charged, `tok_declined` is declined, anything else is
 * a validation error. It keeps its ledger in its own table, so it survives a crash of the
 * process exactly as a real provider's records would, and it is idempotent per key like one.
 */
export class TestPaymentProvider implements PaymentProvider {
  readonly name = 'test';

  constructor(
    private readonly db: PrismaClient,
    private readonly options: { latencyMs?: number } = {},
  ) {}

  assertTokenAccepted(token: string): void {
    if (token !== TEST_TOKENS.charged && token !== TEST_TOKENS.declined) {
      throw badUserInput(`Unknown payment token: the test provider takes "${TEST_TOKENS.charged}" or "${TEST_TOKENS.declined}"`, {
        field: 'paymentToken',
      });
    }
  }

  async charge(request: ChargeRequest, signal: AbortSignal): Promise<ChargeResult> {
    await this.latency(signal);
    const status = request.token === TEST_TOKENS.charged ? 'SUCCEEDED' : 'DECLINED';
    await this.db.testPaymentCharge.createMany({
      data: [{ id: `ch_${randomUUID()}`, idempotencyKey: request.idempotencyKey, amountCents: request.amountCents, currency: request.currency, token: request.token, status }],
      skipDuplicates: true, // a retry with the same key gets the first outcome back
    });
    const charge = await this.db.testPaymentCharge.findUniqueOrThrow({ where: { idempotencyKey: request.idempotencyKey } });
    return charge.status === 'SUCCEEDED' ? { status: 'SUCCEEDED', chargeId: charge.id } : { status: 'DECLINED', reason: 'card_declined' };
  }

  async refund(request: RefundRequest, signal: AbortSignal): Promise<{ refundId: string }> {
    await this.latency(signal);
    // Refunding twice is a no-op: only a charge not refunded yet is touched.
    await this.db.testPaymentCharge.updateMany({ where: { id: request.chargeId, status: 'SUCCEEDED', refundedAt: null }, data: { refundedAt: new Date() } });
    return { refundId: `re_${request.chargeId}` };
  }

  private async latency(signal: AbortSignal): Promise<void> {
    if (!this.options.latencyMs) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.options.latencyMs);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
