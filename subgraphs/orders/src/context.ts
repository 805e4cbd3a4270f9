import type { RequestBase, RequestContext } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import { createLoaders, type OrderLoaders } from './loaders.ts';
import type { OrdersRuntime } from './runtime.ts';
import { OrderStore } from './store.ts';

export interface OrdersContext extends RequestContext<PrismaClient> {
  store: OrderStore;
  loaders: OrderLoaders;
  saga: OrdersRuntime['saga'];
}

export function createContext(base: RequestBase<PrismaClient>, _extra: unknown, runtime: OrdersRuntime): Omit<OrdersContext, 'viewer'> {
  const store = new OrderStore(base.db);
  return { ...base, store, loaders: createLoaders(store), saga: runtime.saga };
}
