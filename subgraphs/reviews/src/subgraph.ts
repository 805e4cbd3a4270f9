import { createPrismaClient, subgraphFiles, type SubgraphDefinition } from '@supergraph/service-kit';
import { PrismaClient } from './generated/prisma/client.ts';
import { createContext, type ReviewsContext } from './context.ts';
import { reviewsEnvSchema, type ReviewsEnv } from './env.ts';
import { reviewsInternalRoutes } from './internal-routes.ts';
import { resolvers } from './resolvers.ts';
import { createReviewsRuntime, type ReviewsRuntime } from './runtime.ts';
import { seedReviews } from './seed.ts';

/** The reviews subgraph: Review, the review fields of Product and User, addReview and reviewAdded. */
export const reviewsSubgraph: SubgraphDefinition<PrismaClient, ReviewsContext, ReviewsEnv, ReviewsRuntime> = {
  name: 'reviews',
  defaultPort: 4005,
  ...subgraphFiles(import.meta.url),
  resolvers,
  createDb: (database, counter) => createPrismaClient(PrismaClient, database, counter),
  createContext,
  createRuntime: createReviewsRuntime,
  extraEnv: reviewsEnvSchema,
  internalRoutes: reviewsInternalRoutes,
  seed: seedReviews,
};
