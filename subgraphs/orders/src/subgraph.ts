import { createPrismaClient, subgraphFiles, type SubgraphDefinition } from '@supergraph/service-kit';
import { PrismaClient } from './generated/prisma/client.ts';
import { createContext, type OrdersContext } from './context.ts';
import { ordersEnvSchema, type OrdersEnv } from './env.ts';
import { resolvers } from './resolvers.ts';
import { subscriptionResolvers } from './subscriptions.ts';
import { createOrdersRuntime, type OrdersRuntime } from './runtime.ts';

/**
 * The orders subgraph: the checkout saga (placeOrder, cancelOrder), orders with their items at
 * the price paid, and each user's order history. No demo seed: orders only come from checkouts.
 */
export const ordersSubgraph: SubgraphDefinition<PrismaClient, OrdersContext, OrdersEnv, OrdersRuntime> = {
  name: 'orders',
  defaultPort: 4003,
  ...subgraphFiles(import.meta.url),
  resolvers: { ...resolvers, ...subscriptionResolvers },
  extraEnv: ordersEnvSchema,
  createDb: (database, counter) => createPrismaClient(PrismaClient, database, counter),
  createRuntime: createOrdersRuntime,
  createContext,
};
