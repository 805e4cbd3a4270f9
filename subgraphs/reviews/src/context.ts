import { createEntityClient, type EntityClient, type OutboxRelay, type RequestBase, type RequestContext } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import type { ReviewsEnv } from './env.ts';
import { createLoaders, type ReviewLoaders } from './loaders.ts';
import type { ReviewsRuntime } from './runtime.ts';
import { ReviewStore } from './store.ts';

export interface ReviewsContext extends RequestContext<PrismaClient> {
  store: ReviewStore;
  loaders: ReviewLoaders;
  /** The products subgraph, asked whether a product exists before it is reviewed. */
  products: EntityClient;
  /** Woken after a review is committed, so its event goes out at once. */
  outbox: OutboxRelay;
}

export function createContext(base: RequestBase<PrismaClient>, env: ReviewsEnv, runtime: ReviewsRuntime): Omit<ReviewsContext, 'viewer'> {
  const store = new ReviewStore(base.db);
  return {
    ...base,
    store,
    loaders: createLoaders(store),
    products: createEntityClient({ url: env.PRODUCTS_SUBGRAPH_URL, internalTokenSecret: env.INTERNAL_TOKEN_SECRET, callerName: 'reviews', target: 'products' }),
    outbox: runtime.outbox,
  };
}
