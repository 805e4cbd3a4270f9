import { describe, it, expect } from 'vitest';
import type { StockLevel } from './generated/prisma/client.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';

/** A stand-in store that records every batch it is asked for. */
function fakeStore(levels: Record<string, number>) {
  const batches: string[][] = [];
  return {
    batches,
    async stockLevelsByProductIds(ids: readonly string[]): Promise<StockLevel[]> {
      batches.push([...ids]);
      return ids.filter((id) => id in levels).map((productId) => ({ productId, available: levels[productId]!, version: 0n, updatedAt: new Date(0) }));
    },
  };
}

const product = resolvers.Product;

describe('Product stock resolvers', () => {
  it('read the stock of a whole list of products in one batch', async () => {
    const store = fakeStore({ a: 3, b: 0 });
    const ctx = { loaders: createLoaders(store) };
    const refs = ['a', 'b', 'c'].map((id) => product.__resolveReference({ id }));
    const [stock, inStock] = await Promise.all([
      Promise.all(refs.map((ref) => product.stock(ref, {}, ctx))),
      Promise.all(refs.map((ref) => product.inStock(ref, {}, ctx))),
    ]);
    expect(stock).toEqual([3, 0, 0]);
    expect(inStock).toEqual([true, false, false]);
    expect(store.batches).toEqual([['a', 'b', 'c']]);
  });

  it('resolve a reference without reading anything, and shipping from the representation alone', () => {
    const store = fakeStore({});
    const ref = product.__resolveReference({ id: 'a', price: { amountCents: 1000, currency: 'USD' }, weight: 1001 });
    expect(product.shippingEstimate(ref)).toEqual({ amountCents: 799, currency: 'USD' });
    expect(store.batches).toEqual([]);
  });
});
