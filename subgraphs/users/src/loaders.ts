import { rowLoader } from '@supergraph/service-kit';
import type { UserStore } from './store.ts';

/** Per-request loaders: every user looked up in one request costs one statement. */
export function createLoaders(store: UserStore) {
  return {
    user: rowLoader((ids) => store.usersByIds(ids), (row) => row.id),
  };
}
export type UserLoaders = ReturnType<typeof createLoaders>;
