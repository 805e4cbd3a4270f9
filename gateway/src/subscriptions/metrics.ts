import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Subscription metrics on the gateway's registry. `operation` is the registered operation name
 * or one shared bucket (request-metrics.ts operationLabel), never a client-chosen string.
 */
/** `queuedEvents` is read at scrape time: nothing on the delivery path. */
export function createSubscriptionMetrics(registry: Registry, queuedEvents: () => number = () => 0) {
  return {
    connections: new Gauge({ name: 'graphql_ws_connections', help: 'Open graphql-ws connections', registers: [registry] }),
    active: new Gauge({ name: 'graphql_subscriptions_active', help: 'Active subscriptions by operation', labelNames: ['operation'], registers: [registry] }),
    upstreams: new Gauge({ name: 'graphql_subscription_upstreams', help: 'Upstream subscriptions to the subgraphs (shared by identical subscriptions)', registers: [registry] }),
    received: new Counter({ name: 'graphql_subscription_events_received_total', help: 'Events that upstream subscriptions brought from the subgraphs, by operation (once per upstream, however many clients share it)', labelNames: ['operation'], registers: [registry] }),
    delivered: new Counter({ name: 'graphql_subscription_events_delivered_total', help: 'Subscription events sent to clients, by operation', labelNames: ['operation'], registers: [registry] }),
    dropped: new Counter({
      name: 'graphql_subscription_events_dropped_total',
      help: 'Subscription events dropped, by operation and reason: queue_full (a slow client lost its oldest events), stale (older than one it was sent)',
      labelNames: ['operation', 'reason'],
      registers: [registry],
    }),
    deduplicated: new Counter({ name: 'graphql_subscription_events_deduplicated_total', help: 'Redelivered upstream events not sent again, by operation', labelNames: ['operation'], registers: [registry] }),
    executionSeconds: new Histogram({
      name: 'graphql_subscription_event_execution_seconds',
      help: 'Time to resolve one event through the rest of its query plan, by operation',
      labelNames: ['operation'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    queued: new Gauge({
      name: 'graphql_subscription_events_queued',
      help: 'Events waiting to be sent to clients that read slower than they come, over all subscriptions (each subscription holds at most SUBSCRIPTION_QUEUE_CAPACITY)',
      registers: [registry],
      collect() {
        this.set(queuedEvents());
      },
    }),
    refused: new Counter({ name: 'graphql_ws_connections_refused_total', help: 'graphql-ws connections closed by the gateway, by close code', labelNames: ['code'], registers: [registry] }),
  };
}
export type SubscriptionMetrics = ReturnType<typeof createSubscriptionMetrics>;
