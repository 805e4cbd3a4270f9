import { z } from 'zod';
import { parseInput } from '@supergraph/service-kit';

/** adjustStock's limits, checked before any SQL. */
export const MAX_ADJUSTMENT = 1_000_000;
export const REASON_MAX = 200;

const adjustStockSchema = z.object({
  idempotencyKey: z.string().trim().min(1, 'idempotencyKey is required').max(100, 'idempotencyKey is at most 100 characters'),
  productId: z.string().trim().min(1, 'productId is required').max(100, 'productId is at most 100 characters'),
  delta: z
    .number()
    .int('delta must be a whole number')
    .min(-MAX_ADJUSTMENT, `delta must be from -${MAX_ADJUSTMENT} to ${MAX_ADJUSTMENT}`)
    .max(MAX_ADJUSTMENT, `delta must be from -${MAX_ADJUSTMENT} to ${MAX_ADJUSTMENT}`)
    .refine((delta) => delta !== 0, 'delta must not be 0'),
  reason: z.string().trim().max(REASON_MAX, `reason is at most ${REASON_MAX} characters`).nullish().transform((reason) => reason || null),
});
export type AdjustStockInput = z.infer<typeof adjustStockSchema>;

export const parseAdjustStockInput = (input: unknown): AdjustStockInput => parseInput(adjustStockSchema, input);
