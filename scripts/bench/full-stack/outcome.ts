// What counts as an error for the load-test gate of `npm run bench:full-stack` (printed by the bench).

export const OPERATIONS = ['Catalog', 'ProductPage', 'LogIn', 'Me', 'PlaceOrder', 'AddReview'] as const;
export type Operation = (typeof OPERATIONS)[number];

export const DEFAULT_MIX = 'Catalog=30,ProductPage=40,LogIn=5,Me=10,PlaceOrder=10,AddReview=5';

export interface GraphQLBody {
  data?: Record<string, any> | null;
  errors?: Array<{ message?: string; extensions?: { code?: string } }>;
}

/**
 * Answers a healthy shop gives that are not failures: an order the checkout saga REJECTED
 * (payment declined, out of stock: it comes back as data, status REJECTED) and a second review of
 * the same product by the same user (BAD_USER_INPUT on AddReview; the bench never sends one on
 * purpose). Everything else the client did not ask for is an error: HTTP ≠ 200, any other GraphQL
 * error, SERVICE_OVERLOADED (a subgraph shedding load: a refused shopper), a timeout, a broken
 * connection.
 */
export const ERROR_RULE =
  'error = HTTP ≠ 200, a timeout or connection failure, or any GraphQL error (SERVICE_OVERLOADED included); ' +
  'not errors: PlaceOrder answered with status REJECTED, AddReview refused as a duplicate (BAD_USER_INPUT)';

export type Outcome = { kind: 'ok' | 'refused'; label: string } | { kind: 'error'; label: string };

export function classify(operation: Operation, status: number, body: GraphQLBody | undefined): Outcome {
  if (status !== 200) return { kind: 'error', label: `http_${status}` };
  if (!body) return { kind: 'error', label: 'no_body' };
  const codes = (body.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE');
  if (codes.length > 0) {
    if (operation === 'AddReview' && codes.every((c) => c === 'BAD_USER_INPUT')) return { kind: 'refused', label: 'duplicate_review' };
    return { kind: 'error', label: codes.every((c) => c === codes[0]) ? codes[0]! : 'graphql_errors' };
  }
  if (!body.data) return { kind: 'error', label: 'no_data' };
  if (operation === 'PlaceOrder' && body.data.placeOrder?.status === 'REJECTED') return { kind: 'refused', label: 'order_rejected' };
  return { kind: 'ok', label: 'ok' };
}
