import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per service, so in-process test stacks keep each service's numbers apart. */
export interface ServiceMetrics {
  registry: Registry;
  dbQueries: Counter<'service'>;
  httpRequests: Histogram<'route' | 'status'>;
}

export function createServiceMetrics(service: string, options: { defaultMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const dbQueries = new Counter({
    name: 'db_queries_total',
    help: 'SQL statements sent to this service\'s database (transaction control excluded)',
    labelNames: ['service'],
    registers: [registry],
  });
  const httpRequests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return { registry, dbQueries, httpRequests };
}

/** Reads one counter's value out of Prometheus text exposition (used by tests and benches). */
export function readCounter(exposition: string, name: string): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}
