import { createOutboxRuntime, type OutboxRuntime } from '@supergraph/service-kit';

/** The inventory subgraph's long-lived part: the relay that publishes `stock.changed` from the outbox. */
export type InventoryRuntime = OutboxRuntime;
export const createInventoryRuntime = createOutboxRuntime;
