import { z } from 'zod';
import { IDENTITY_HEADER, serviceIdentityToken } from '@supergraph/service-kit';
import type { CartLine } from './place-order-input.ts';

/**
 * The orders subgraph's calls to inventory's internal reservation API. Both calls are idempotent
 * per order id on inventory's side, so the saga and the recovery loop may repeat them freely.
 */
const reserveResultSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('RESERVED') }),
  z.object({ outcome: z.literal('OUT_OF_STOCK'), shortProductIds: z.array(z.string()) }),
  z.object({ outcome: z.literal('RELEASED') }),
]);
export type ReserveResult = z.infer<typeof reserveResultSchema>;

export class InventoryUnavailableError extends Error {
  override name = 'InventoryUnavailableError';
}

export function createInventoryClient(options: { baseUrl: string; internalTokenSecret: string; timeoutMs: number }) {
  const post = async (path: string, body: unknown): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(`${options.baseUrl}/internal/reservations${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [IDENTITY_HEADER]: await serviceIdentityToken('orders', 'inventory', options.internalTokenSecret),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw new InventoryUnavailableError(`inventory did not answer: ${(error as Error).message}`);
    }
    if (!response.ok) throw new InventoryUnavailableError(`inventory answered HTTP ${response.status}`);
    return response.json();
  };
  return {
    async reserve(orderId: string, items: readonly CartLine[]): Promise<ReserveResult> {
      return reserveResultSchema.parse(await post('', { orderId, items }));
    },
    async release(orderId: string, items: readonly CartLine[]): Promise<{ releasedUnits: number }> {
      return z.object({ releasedUnits: z.number() }).parse(await post('/release', { orderId, items }));
    },
  };
}
export type InventoryClient = ReturnType<typeof createInventoryClient>;
