import { createPrismaClient, subgraphFiles, type SubgraphDefinition } from '@supergraph/service-kit';
import { PrismaClient } from './generated/prisma/client.ts';
import { createContext, type ProductsContext } from './context.ts';
import { resolvers } from './resolvers.ts';
import { seedProducts } from './seed.ts';

/** The products subgraph: Product, Category, the catalog and its search. */
export const productsSubgraph: SubgraphDefinition<PrismaClient, ProductsContext> = {
  name: 'products',
  defaultPort: 4001,
  ...subgraphFiles(import.meta.url),
  resolvers,
  createDb: (database, counter) => createPrismaClient(PrismaClient, database, counter),
  createContext,
  seed: seedProducts,
};
