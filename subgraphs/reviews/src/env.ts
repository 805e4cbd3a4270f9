import { z } from 'zod';
import { internalTokenSecretSchema } from '@supergraph/service-kit';

/** Settings only the reviews subgraph reads: where to check that a reviewed product exists. */
export const reviewsEnvSchema = z.object({
  PRODUCTS_SUBGRAPH_URL: z.string().url().default('http://127.0.0.1:4001/graphql'),
  // The kit parses this too; read again here because the products look-up signs with it.
  INTERNAL_TOKEN_SECRET: internalTokenSecretSchema(),
});
export type ReviewsEnv = z.infer<typeof reviewsEnvSchema>;
