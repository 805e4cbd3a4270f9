import { operation } from './operations.ts';

/** One placeOrder answer as a client sees it: HTTP status, Retry-After and the GraphQL body. */
export interface PlaceOrderAnswer {
  status: number;
  retryAfter: string | null;
  data?: { placeOrder?: { id: string; status: string; rejectionReason: string | null } | null } | null;
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
}

export interface PlaceOrderInput {
  idempotencyKey: string;
  items: Array<{ productId: string; quantity: number }>;
  paymentToken?: string;
}

/** Sends PlaceOrder once (the storefront's operation) to a gateway. */
export async function placeOrderOnce(gatewayUrl: string, token: string, input: PlaceOrderInput): Promise<PlaceOrderAnswer> {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: operation('PlaceOrder'), variables: { input: { paymentToken: 'tok_visa', ...input } } }),
  });
  const body = (await response.json()) as Omit<PlaceOrderAnswer, 'status' | 'retryAfter'>;
  return { status: response.status, retryAfter: response.headers.get('retry-after'), ...body };
}

/** A busy subgraph's refusal (ADR 0012): no order, only SERVICE_OVERLOADED errors, to retry later. */
export const isOverloadRefusal = (answer: PlaceOrderAnswer) =>
  !answer.data?.placeOrder && (answer.errors?.length ?? 0) > 0 && answer.errors!.every((e) => e.extensions?.code === 'SERVICE_OVERLOADED');

/**
 * What a well-behaved client does: while refused as overloaded, wait Retry-After (plus a little
 * jitter, so retries do not all arrive at once) and send the same request, same idempotency key.
 */
export async function placeOrderRetrying(
  gatewayUrl: string,
  token: string,
  input: PlaceOrderInput,
  options: { deadlineMs?: number } = {},
): Promise<{ answer: PlaceOrderAnswer; refusals: number }> {
  const deadline = Date.now() + (options.deadlineMs ?? 45_000);
  let refusals = 0;
  for (;;) {
    const answer = await placeOrderOnce(gatewayUrl, token, input);
    if (!isOverloadRefusal(answer) || Date.now() > deadline) return { answer, refusals };
    refusals++;
    const retryAfterMs = Number(answer.retryAfter ?? answer.errors?.[0]?.extensions?.retryAfterSeconds ?? 1) * 1000;
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs + Math.random() * 500));
  }
}
