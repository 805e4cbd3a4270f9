import { badUserInput, forbidden, isSelfOrAdmin, unauthenticated, type Viewer } from '@supergraph/service-kit';

/** Who may read which orders, and how many at a time: checked before any SQL runs. */
export const MAX_ORDERS_PAGE = 100;

/** Orders are private: the user themself or an admin, nobody else. */
export function assertMayReadOrdersOf(viewer: Viewer | null, userId: string): void {
  if (!viewer) throw unauthenticated('Sign in to see orders');
  if (!isSelfOrAdmin(viewer, userId)) throw forbidden('Only the user themself or an admin may see these orders');
}

/**
 * Whether an order looked up by id is shown. Someone else's order is answered exactly like a
 * missing one, so order ids reveal nothing about other users.
 */
export const mayReadOrder = (viewer: Viewer | null, order: { userId: string }): boolean => isSelfOrAdmin(viewer, order.userId);

export function parseOrdersFirst(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_ORDERS_PAGE) {
    throw badUserInput(`\`first\` must be between 1 and ${MAX_ORDERS_PAGE}`, { argument: 'first' });
  }
  return first;
}
