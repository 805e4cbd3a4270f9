import { rowLoader } from '@supergraph/service-kit';
import type { ProductStore } from './store.ts';

/** Per-request loaders: every product or category looked up in one request costs one statement. */
export function createLoaders(store: ProductStore) {
  return {
    product: rowLoader((ids) => store.productsByIds(ids), (row) => row.id),
    category: rowLoader((ids) => store.categoriesByIds(ids), (row) => row.id),
  };
}
export type ProductLoaders = ReturnType<typeof createLoaders>;
