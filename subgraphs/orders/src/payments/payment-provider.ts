/**
 * What the checkout needs from a payment provider. A real provider (Stripe, Adyen, …) is a drop-in
 * implementation: it maps `idempotencyKey` to its own idempotency mechanism, so a retried charge
 * or refund never moves money twice.
 */
export interface ChargeRequest {
  /** One key per order: the order id. */
  idempotencyKey: string;
  amountCents: number;
  currency: string;
  token: string;
}

export type ChargeResult = { status: 'SUCCEEDED'; chargeId: string } | { status: 'DECLINED'; reason: string };

export interface RefundRequest {
  idempotencyKey: string;
  chargeId: string;
  amountCents: number;
}

export interface PaymentProvider {
  readonly name: string;
  /** Throws BAD_USER_INPUT for a token this provider can never charge, before anything happens. */
  assertTokenAccepted(token: string): void;
  charge(request: ChargeRequest, signal: AbortSignal): Promise<ChargeResult>;
  refund(request: RefundRequest, signal: AbortSignal): Promise<{ refundId: string }>;
}

/** The provider did not answer in time: the outcome is unknown and must be asked again. */
export class PaymentTimeoutError extends Error {
  override name = 'PaymentTimeoutError';
}

/** Bounds every provider call; a late answer is abandoned and retried by recovery with the same key. */
export function withTimeout(provider: PaymentProvider, timeoutMs: number): PaymentProvider {
  const bounded = async <T>(operation: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new PaymentTimeoutError(`${provider.name} ${operation} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([call(controller.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    name: provider.name,
    assertTokenAccepted: (token) => provider.assertTokenAccepted(token),
    charge: (request) => bounded('charge', (signal) => provider.charge(request, signal)),
    refund: (request) => bounded('refund', (signal) => provider.refund(request, signal)),
  };
}
