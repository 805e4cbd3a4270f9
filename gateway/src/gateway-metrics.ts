import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SubgraphFetchMetrics } from './subgraph-fetcher.ts';

/** The gateway's own metrics, beside the ones every service has. */
export function createSubgraphFetchMetrics(registry: Registry): SubgraphFetchMetrics {
  return {
    duration: new Histogram({
      name: 'subgraph_fetch_duration_seconds',
      help: 'Latency of the gateway\'s fetches to each subgraph, by outcome (ok, refused: overload or 4xx, error)',
      labelNames: ['subgraph', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'subgraph_fetch_errors_total',
      help: 'Failed subgraph fetches, by reason (timeout, connection_refused, http_5xx, circuit_open, network; overloaded and refused_4xx, which the breaker does not count)',
      labelNames: ['subgraph', 'reason'],
      registers: [registry],
    }),
    shared: new Counter({
      name: 'subgraph_fetches_shared_total',
      help: 'Subgraph fetches answered by an identical fetch already in flight (same subgraph, body and identity) instead of being sent',
      labelNames: ['subgraph'],
      registers: [registry],
    }),
    circuitOpen: new Gauge({
      name: 'subgraph_circuit_open',
      help: '1 while the gateway fails fast for a subgraph (circuit breaker open)',
      labelNames: ['subgraph'],
      registers: [registry],
    }),
  };
}

/**
 * `supergraph_version_info{source,version,hash} 1`: which supergraph the gateway runs, from the
 * registry (its version) or from the file. Returns the function that records a new one.
 */
export function supergraphVersionMetric(registry: Registry) {
  const gauge = new Gauge({
    name: 'supergraph_version_info',
    help: 'The supergraph this gateway runs (value 1): its registry version and hash, or source "file"',
    labelNames: ['source', 'version', 'hash'],
    registers: [registry],
  });
  return (source: 'file' | 'registry', version: string, hash: string) => {
    gauge.reset();
    gauge.set({ source, version, hash: hash.replace(/"/g, '').slice(0, 12) }, 1);
  };
}
export type ShowSupergraphVersion = ReturnType<typeof supergraphVersionMetric>;
