import { outboxPayload } from '@supergraph/service-kit';
import type { Prisma } from './generated/prisma/client.ts';

/**
 * What inventory announces when a product's availability crosses zero, either way (ADR 0016):
 * the products subgraph keeps `in_stock` as a copy for its facets and filters. The event carries
 * the value and the stock row's version, so a consumer can apply it at least once, in any order:
 * it keeps the value of the highest version it has seen. Changes that do not cross zero are not
 * announced (every reservation would be an event); the change feed carries them.
 */
export const STOCK_CHANGED_TOPIC = 'stock.changed';

// A type, not an interface: stored as a Prisma JSON value, which needs an index signature.
export type StockChangedEvent = {
  /** One event per product and version: a redelivery is recognisable. */
  eventId: string;
  productId: string;
  inStock: boolean;
  available: number;
  version: string;
};

/** A stock row as an UPDATE … RETURNING hands it back, with how many units it had before. */
export interface StockChange {
  productId: string;
  before: number;
  available: number;
  version: bigint;
}

export const crossesZero = (change: StockChange) => change.before > 0 !== change.available > 0;

export const stockChangedEvent = (change: StockChange): StockChangedEvent => ({
  eventId: `${change.productId}@${change.version}`,
  productId: change.productId,
  inStock: change.available > 0,
  available: change.available,
  version: change.version.toString(),
});

/** The outbox rows for the changes that cross zero; written by the transaction that made them. */
export async function recordStockChanges(tx: Prisma.TransactionClient, changes: readonly StockChange[]): Promise<number> {
  const crossing = changes.filter(crossesZero);
  if (crossing.length === 0) return 0;
  await tx.outboxEvent.createMany({
    data: crossing.map((change) => ({ topic: STOCK_CHANGED_TOPIC, payload: outboxPayload(stockChangedEvent(change)) })),
  });
  return crossing.length;
}
