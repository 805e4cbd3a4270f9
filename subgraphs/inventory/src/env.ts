import { z } from 'zod';

/** Settings only the inventory subgraph reads: how often its outbox (stock.changed) is polled. */
export const inventoryEnvSchema = z.object({
  // The relay is also woken after every reservation and release; the poll catches rows a bus outage or a crash left.
  OUTBOX_INTERVAL_MS: z.coerce.number().int().min(50).default(1_000),
});
export type InventoryEnv = z.infer<typeof inventoryEnvSchema>;
