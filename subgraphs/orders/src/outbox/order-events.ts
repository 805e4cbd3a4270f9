/**
 * What the orders subgraph announces on the event bus. Delivered at least once: `eventId` is the
 * outbox row id, so a consumer can drop duplicates; `status` is the status after the change.
 */
export const ORDER_STATUS_TOPIC = 'order.status-changed';

export interface OrderStatusEvent {
  orderId: string;
  userId: string;
  status: string;
  rejectionReason: string | null;
  occurredAt: string;
}

export type PublishedOrderStatusEvent = OrderStatusEvent & { eventId: string };
