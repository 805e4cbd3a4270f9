import { rowLoader } from '@supergraph/service-kit';
import type { InventoryStore } from './store.ts';

/** Per-request loaders: the stock of every product looked up in one request costs one statement. */
export function createLoaders(store: Pick<InventoryStore, 'stockLevelsByProductIds'>) {
  return {
    stockLevel: rowLoader((productIds) => store.stockLevelsByProductIds(productIds), (row) => row.productId),
  };
}
export type InventoryLoaders = ReturnType<typeof createLoaders>;
