import type { RequestBase, RequestContext } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import { createLoaders, type InventoryLoaders } from './loaders.ts';
import { InventoryStore } from './store.ts';

export interface InventoryContext extends RequestContext<PrismaClient> {
  store: InventoryStore;
  loaders: InventoryLoaders;
}

export function createContext(base: RequestBase<PrismaClient>): Omit<InventoryContext, 'viewer'> {
  const store = new InventoryStore(base.db);
  return { ...base, store, loaders: createLoaders(store) };
}
