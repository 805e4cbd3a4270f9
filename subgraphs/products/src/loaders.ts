import DataLoader from 'dataloader';
import { rowLoader } from '@supergraph/service-kit';
import type { CatalogPageRequest } from './catalog-page.ts';
import type { CatalogPage, FacetRow, ProductStore } from './store.ts';

/**
 * Loaders of one category's page or count under one request shape: categories asking with the
 * same arguments share a batch (one statement), whatever the number of categories.
 */
function perCategoryLoader<R, Q>(fetch: (categoryIds: readonly string[], request: Q) => Promise<Map<string, R>>) {
  const byRequest = new Map<string, DataLoader<string, R>>();
  return {
    load(categoryId: string, request: Q): Promise<R> {
      const key = JSON.stringify(request);
      let loader = byRequest.get(key);
      if (!loader) {
        loader = new DataLoader<string, R>(async (ids) => {
          const results = await fetch(ids, request);
          return ids.map((id) => results.get(id)!);
        });
        byRequest.set(key, loader);
      }
      return loader.load(categoryId);
    },
  };
}

/** Per-request loaders: every product or category looked up in one request costs one statement. */
export function createLoaders(store: ProductStore) {
  return {
    product: rowLoader((ids) => store.productsByIds(ids), (row) => row.id),
    productBySlug: rowLoader((slugs) => store.productsBySlugs(slugs), (row) => row.slug),
    productBySku: rowLoader((skus) => store.productsBySkus(skus), (row) => row.sku),
    category: rowLoader((ids) => store.categoriesByIds(ids), (row) => row.id),
    categoryBySlug: rowLoader((slugs) => store.categoriesBySlugs(slugs), (row) => row.slug),
    categoryPage: perCategoryLoader<CatalogPage, CatalogPageRequest>((ids, request) => store.catalogPagesByCategory(ids, request)),
    categoryCount: perCategoryLoader<number, CatalogPageRequest['filter']>((ids, filter) => store.countCatalogByCategory(ids, filter)),
    categoryFacets: perCategoryLoader<FacetRow[], CatalogPageRequest['filter']>((ids, filter) => store.facetsByCategory(ids, filter)),
  };
}
export type ProductLoaders = ReturnType<typeof createLoaders>;
