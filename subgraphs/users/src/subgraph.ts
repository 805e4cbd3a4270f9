import { createPrismaClient, subgraphFiles, type SubgraphDefinition } from '@supergraph/service-kit';
import { PrismaClient } from './generated/prisma/client.ts';
import { createContext, type UsersContext } from './context.ts';
import { usersEnvSchema, type UsersEnv } from './env.ts';
import { resolvers } from './resolvers.ts';
import { seedUsers } from './seed.ts';

/** The users subgraph: accounts, sign-up, log-in and the user tokens the gateway verifies. */
export const usersSubgraph: SubgraphDefinition<PrismaClient, UsersContext, UsersEnv> = {
  name: 'users',
  defaultPort: 4002,
  ...subgraphFiles(import.meta.url),
  resolvers,
  createDb: (database, counter) => createPrismaClient(PrismaClient, database, counter),
  createContext,
  extraEnv: usersEnvSchema,
  seed: seedUsers,
};
