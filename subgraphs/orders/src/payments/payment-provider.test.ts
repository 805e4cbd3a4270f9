import { describe, expect, it } from 'vitest';
import { PaymentTimeoutError, withTimeout, type PaymentProvider } from './payment-provider.ts';

const slowProvider = (ms: number): PaymentProvider & { aborted: boolean } => {
  const provider = {
    name: 'slow',
    aborted: false,
    assertTokenAccepted: () => {},
    charge: (_request: unknown, signal: AbortSignal) =>
      new Promise<{ status: 'SUCCEEDED'; chargeId: string }>((resolve) => {
        const timer = setTimeout(() => resolve({ status: 'SUCCEEDED', chargeId: 'ch_1' }), ms);
        signal.addEventListener('abort', () => {
          provider.aborted = true;
          clearTimeout(timer);
        });
      }),
    refund: async () => ({ refundId: 're_1' }),
  };
  return provider;
};
const request = { idempotencyKey: 'o1', amountCents: 100, currency: 'USD', token: 'tok_visa' };

describe('payment timeouts', () => {
  it('give up on a provider that does not answer in time, and abort its call', async () => {
    const provider = slowProvider(1_000);
    await expect(withTimeout(provider, 20).charge(request, new AbortController().signal)).rejects.toBeInstanceOf(PaymentTimeoutError);
    expect(provider.aborted).toBe(true);
  });

  it('pass through an answer that comes in time', async () => {
    await expect(withTimeout(slowProvider(1), 1_000).charge(request, new AbortController().signal)).resolves.toEqual({ status: 'SUCCEEDED', chargeId: 'ch_1' });
  });
});
