import type { RequestBase, RequestContext } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import { createLoaders, type ProductLoaders } from './loaders.ts';
import { ProductStore } from './store.ts';

export interface ProductsContext extends RequestContext<PrismaClient> {
  store: ProductStore;
  loaders: ProductLoaders;
}

export function createContext(base: RequestBase<PrismaClient>): Omit<ProductsContext, 'viewer'> {
  const store = new ProductStore(base.db);
  return { ...base, store, loaders: createLoaders(store) };
}
