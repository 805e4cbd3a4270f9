import { createPrismaClient, subgraphFiles, type SubgraphDefinition } from '@supergraph/service-kit';
import { PrismaClient } from './generated/prisma/client.ts';
import { createContext, type ProductsContext } from './context.ts';
import { productsEnvSchema, type ProductsEnv } from './env.ts';
import { resolvers } from './resolvers.ts';
import { createProductsRuntime, type ProductsRuntime } from './runtime.ts';
import { seedProducts } from './seed.ts';

/** The products subgraph: Product, Category, the catalog and its search, and its copies of stock and ratings. */
export const productsSubgraph: SubgraphDefinition<PrismaClient, ProductsContext, ProductsEnv, ProductsRuntime> = {
  name: 'products',
  defaultPort: 4001,
  ...subgraphFiles(import.meta.url),
  resolvers,
  createDb: (database, counter) => createPrismaClient(PrismaClient, database, counter),
  createContext,
  createRuntime: createProductsRuntime,
  extraEnv: productsEnvSchema,
  seed: seedProducts,
};
