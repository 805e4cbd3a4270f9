import { badUserInput, type EntityClient, type Money } from '@supergraph/service-kit';

/**
 * Authoritative prices come from the products subgraph, never from the client. Unknown product ids
 * are refused here, before anything is recorded or reserved.
 */
export async function priceCart(products: EntityClient, productIds: readonly string[]): Promise<Map<string, Money>> {
  const found = await products.fetchEntities<{ id: string; price: Money }>('Product', productIds, 'id price { amountCents currency }');
  const unknown = productIds.filter((id) => !found.has(id));
  if (unknown.length > 0) throw badUserInput(`Unknown product ids: ${unknown.join(', ')}`, { field: 'items', productIds: unknown });
  const prices = new Map([...found].map(([id, product]) => [id, product.price]));
  if (new Set([...prices.values()].map((p) => p.currency)).size > 1) {
    throw badUserInput('All items of one order must be priced in the same currency', { field: 'items' });
  }
  return prices;
}
