import { serveChangeFeed, type SubgraphDefinition } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import type { ReviewsContext } from './context.ts';
import type { ReviewsEnv } from './env.ts';
import type { ReviewsRuntime } from './runtime.ts';
import { ReviewStore } from './store.ts';

type InternalRoutes = NonNullable<SubgraphDefinition<PrismaClient, ReviewsContext, ReviewsEnv, ReviewsRuntime>['internalRoutes']>;

/** The rating feed products reconciles its rating copies from: GET /internal/rating-feed (services only, ADR 0016). */
export const reviewsInternalRoutes: InternalRoutes = (router, _runtime, deps) => {
  const store = new ReviewStore(deps.db);
  serveChangeFeed(router, '/rating-feed', (query) => store.ratingFeed(query), deps.log);
};
