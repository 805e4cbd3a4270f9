import { z } from 'zod';
import { internalTokenSecretSchema } from '@supergraph/service-kit';

/** Settings only the reviews subgraph reads: where to check that a reviewed product exists, how often the outbox is polled. */
export const reviewsEnvSchema = z.object({
  PRODUCTS_SUBGRAPH_URL: z.string().url().default('http://127.0.0.1:4001/graphql'),
  // The kit parses this too; read again here because the products look-up signs with it.
  INTERNAL_TOKEN_SECRET: internalTokenSecretSchema(),
  // The relay is also woken after every review; the poll catches rows a bus outage or a crash left.
  OUTBOX_INTERVAL_MS: z.coerce.number().int().min(50).default(1_000),
});
export type ReviewsEnv = z.infer<typeof reviewsEnvSchema>;
