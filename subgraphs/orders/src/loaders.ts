import { groupLoader, groupLoaderWithArg, parseNewestFirstPageKey, rowLoader } from '@supergraph/service-kit';
import type { OrderReads } from './store.ts';

/** Per-request loaders: each kind of look-up costs one statement per request, whatever the list size. */
export function createLoaders(store: OrderReads) {
  return {
    order: rowLoader((ids) => store.ordersByIds(ids), (row) => row.id),
    /** Keyed by user id and `first`: a page of users asking for the same `first` is one statement. */
    latestOrdersOfUser: groupLoaderWithArg((userIds, first: number) => store.latestOrdersByUserIds(userIds, first), (row) => row.userId),
    /** Cursor pages, keyed by the page request (newestFirstPageKey); one row more than asked for says whether another page follows. */
    orderPageOfUser: groupLoaderWithArg((userIds, key: string) => {
      const page = parseNewestFirstPageKey(key);
      return store.latestOrdersByUserIds(userIds, page.first + 1, page.after);
    }, (row) => row.userId),
    itemsOfOrder: groupLoader((orderIds) => store.itemsByOrderIds(orderIds), (row) => row.orderId),
  };
}
export type OrderLoaders = ReturnType<typeof createLoaders>;
