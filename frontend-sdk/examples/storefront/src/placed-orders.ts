// Orders placed in this tab, as placeOrder answered them: the order page shows their lines
// and, for a rejected order, why (the Order query carries neither).
import type { PlaceOrderMutation } from '@supergraph/sdk';

export type PlacedOrder = PlaceOrderMutation['placeOrder'];

const KEY = 'storefront.placed-orders';

export function rememberPlacedOrder(order: PlacedOrder): void {
  const all = { ...readAll(), [order.id]: order };
  sessionStorage.setItem(KEY, JSON.stringify(all));
}

export const placedOrder = (id: string): PlacedOrder | undefined => readAll()[id];

function readAll(): Record<string, PlacedOrder> {
  try {
    return (JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Record<string, PlacedOrder>) ?? {};
  } catch {
    return {};
  }
}
