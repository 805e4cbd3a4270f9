import type { OutboxRelay, RequestBase, RequestContext } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import type { InventoryEnv } from './env.ts';
import { createLoaders, type InventoryLoaders } from './loaders.ts';
import type { InventoryRuntime } from './runtime.ts';
import { InventoryStore } from './store.ts';

export interface InventoryContext extends RequestContext<PrismaClient> {
  store: InventoryStore;
  loaders: InventoryLoaders;
  /** Woken after a stock change is committed, so its stock.changed event goes out at once. */
  outbox: OutboxRelay;
}

export function createContext(base: RequestBase<PrismaClient>, _env: InventoryEnv, runtime: InventoryRuntime): Omit<InventoryContext, 'viewer'> {
  const store = new InventoryStore(base.db);
  return { ...base, store, loaders: createLoaders(store), outbox: runtime.outbox };
}
