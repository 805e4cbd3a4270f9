import type { RequestBase, RequestContext } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import type { UsersEnv } from './env.ts';
import { createLoaders, type UserLoaders } from './loaders.ts';
import { UserStore } from './store.ts';

export interface UsersContext extends RequestContext<PrismaClient> {
  store: UserStore;
  loaders: UserLoaders;
  jwtSecret: string;
  /**
   * Accounts this very request signed up or logged in. The request carries no identity for them
   * yet, but they may read their own e-mail in the AuthPayload.
   */
  authenticatedUserIds: Set<string>;
}

export function createContext(base: RequestBase<PrismaClient>, env: UsersEnv): Omit<UsersContext, 'viewer'> {
  const store = new UserStore(base.db);
  return { ...base, store, loaders: createLoaders(store), jwtSecret: env.JWT_SECRET, authenticatedUserIds: new Set() };
}
