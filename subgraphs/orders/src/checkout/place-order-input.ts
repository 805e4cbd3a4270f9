import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseInput } from '@supergraph/service-kit';

/** The checkout's input rules (issue #3): checked before anything is looked up or reserved. */
export const MAX_LINES = 50;
export const MAX_QUANTITY = 100;

const placeOrderSchema = z.object({
  idempotencyKey: z.string().trim().min(1, 'idempotencyKey must not be empty').max(200, 'idempotencyKey is at most 200 characters'),
  paymentToken: z.string().trim().min(1, 'paymentToken must not be empty').max(200),
  items: z
    .array(
      z.object({
        productId: z.string().trim().min(1, 'productId must not be empty').max(100),
        quantity: z.number().int().min(1, `quantity must be 1..${MAX_QUANTITY}`).max(MAX_QUANTITY, `quantity must be 1..${MAX_QUANTITY}`),
      }),
    )
    .min(1, 'an order needs at least one item')
    .max(MAX_LINES, `an order has at most ${MAX_LINES} lines`)
    .refine((items) => new Set(items.map((i) => i.productId)).size === items.length, 'each product may appear on one line only'),
});

export type PlaceOrderInput = z.infer<typeof placeOrderSchema>;
export type CartLine = PlaceOrderInput['items'][number];

export const parsePlaceOrderInput = (input: unknown): PlaceOrderInput => parseInput(placeOrderSchema, input, { fullPath: true });

/** The same cart (whatever the line order) gives the same fingerprint. */
export function cartFingerprint(items: readonly CartLine[]): string {
  const canonical = [...items]
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0))
    .map((i) => `${i.productId}\u0000${i.quantity}`)
    .join('\n');
  return createHash('sha256').update(canonical).digest('hex');
}
