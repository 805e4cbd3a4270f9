import type { RequestContext } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import { createLoaders, type InventoryLoaders } from './loaders.ts';
import { InventoryStore } from './store.ts';

export interface InventoryContext extends RequestContext<PrismaClient> {
  store: InventoryStore;
  loaders: InventoryLoaders;
}

export function createContext(base: RequestContext<PrismaClient>): InventoryContext {
  const store = new InventoryStore(base.db);
  return { ...base, store, loaders: createLoaders(store) };
}
