import type { RuntimeDeps } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import { startCatalogSync, type CatalogSync } from './catalog-sync.ts';
import type { ProductsEnv } from './env.ts';

/** The products subgraph's long-lived part: what keeps the catalog's copies of stock and ratings current. */
export interface ProductsRuntime {
  catalogSync: CatalogSync;
  close(): Promise<void>;
}

export async function createProductsRuntime(deps: RuntimeDeps<PrismaClient, ProductsEnv>): Promise<ProductsRuntime> {
  const catalogSync = await startCatalogSync(deps);
  return { catalogSync, close: () => catalogSync.close() };
}
