import { z } from 'zod';
import { internalTokenSecretSchema } from '@supergraph/service-kit';

/** Settings only the orders subgraph reads (README lists them). */
export const ordersEnvSchema = z.object({
  INVENTORY_URL: z.string().url().default('http://127.0.0.1:4004'),
  PRODUCTS_SUBGRAPH_URL: z.string().url().default('http://127.0.0.1:4001/graphql'),
  INTERNAL_TOKEN_SECRET: internalTokenSecretSchema(),
  PAYMENT_PROVIDER: z.enum(['test']).default('test'),
  PAYMENT_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(10_000),
  /** Simulated provider latency of the test provider (benchmarks, timeout tests). */
  TEST_PAYMENT_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  INVENTORY_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
  RECOVERY_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  RECOVERY_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  OUTBOX_INTERVAL_MS: z.coerce.number().int().min(50).default(1_000),
  PLACE_ORDER_SETTLE_WAIT_MS: z.coerce.number().int().min(0).default(5_000),
  /** Test hook: the process kills itself right after stock is reserved. Refused in production. */
  SAGA_CRASH_AFTER: z.enum(['RESERVED']).optional(),
});
export type OrdersEnv = z.infer<typeof ordersEnvSchema>;
