import { createPrismaClient, subgraphFiles, type SubgraphDefinition } from '@supergraph/service-kit';
import { PrismaClient } from './generated/prisma/client.ts';
import { createContext, type InventoryContext } from './context.ts';
import { inventoryEnvSchema, type InventoryEnv } from './env.ts';
import { inventoryInternalRoutes } from './internal-routes.ts';
import { resolvers } from './resolvers.ts';
import { createInventoryRuntime, type InventoryRuntime } from './runtime.ts';
import { seedInventory } from './seed.ts';

/**
 * The inventory subgraph: how many units of each product can be ordered, and what shipping one
 * costs; orders reserves and releases stock through its internal routes, products reads its stock
 * feed and its stock.changed events (ADR 0016).
 */
export const inventorySubgraph: SubgraphDefinition<PrismaClient, InventoryContext, InventoryEnv, InventoryRuntime> = {
  name: 'inventory',
  defaultPort: 4004,
  ...subgraphFiles(import.meta.url),
  resolvers,
  createDb: (database, counter) => createPrismaClient(PrismaClient, database, counter),
  createContext,
  createRuntime: createInventoryRuntime,
  extraEnv: inventoryEnvSchema,
  seed: seedInventory,
  internalRoutes: inventoryInternalRoutes,
};
