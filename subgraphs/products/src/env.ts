import { z } from 'zod';

/**
 * Settings only the products subgraph reads: where the owners of its catalog copies serve their
 * change feeds (ADR 0016), and how often it reads them.
 */
export const productsEnvSchema = z.object({
  INVENTORY_URL: z.string().url().default('http://127.0.0.1:4004'),
  REVIEWS_URL: z.string().url().default('http://127.0.0.1:4005'),
  // Events keep the copies current within about a second while Redis carries them; this read
  // catches what no event brought (products down, no Redis, a handler failure).
  CATALOG_SYNC_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
});
export type ProductsEnv = z.infer<typeof productsEnvSchema>;
