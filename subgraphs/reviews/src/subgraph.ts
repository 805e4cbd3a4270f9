import { createPrismaClient, subgraphFiles, type SubgraphDefinition } from '@supergraph/service-kit';
import { PrismaClient } from './generated/prisma/client.ts';
import { createContext, type ReviewsContext } from './context.ts';
import { reviewsEnvSchema, type ReviewsEnv } from './env.ts';
import { resolvers } from './resolvers.ts';
import { seedReviews } from './seed.ts';

/** The reviews subgraph: Review, the review fields of Product and User, and addReview. */
export const reviewsSubgraph: SubgraphDefinition<PrismaClient, ReviewsContext, ReviewsEnv> = {
  name: 'reviews',
  defaultPort: 4005,
  ...subgraphFiles(import.meta.url),
  resolvers,
  createDb: (database, counter) => createPrismaClient(PrismaClient, database, counter),
  createContext,
  extraEnv: reviewsEnvSchema,
  seed: seedReviews,
};
