import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from './logger.ts';

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

/** How long a scrape waits for an age query before it reports the last value it read. */
const AGE_QUERY_TIMEOUT_MS = 2_000;

/**
 * A gauge of "how old is the oldest X still waiting", read from the database when Prometheus
 * scrapes (one indexed query per scrape, nothing per request). `read` returns the age in seconds,
 * 0 when nothing waits. A query that fails or is slow keeps the last value and logs: an unreachable
 * database has its own alerts, and a scrape must not fail or hang because of it.
 */
export function registerAgeGauge(
  registry: Registry,
  options: { name: string; help: string; log: Logger; read: () => Promise<number> },
): Gauge {
  return new Gauge({
    name: options.name,
    help: options.help,
    registers: [registry],
    async collect() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${options.name} query took over ${AGE_QUERY_TIMEOUT_MS} ms`)), AGE_QUERY_TIMEOUT_MS);
      });
      try {
        this.set(Math.max(0, await Promise.race([options.read(), timeout])));
      } catch (error) {
        options.log.warn({ err: error, metric: options.name }, 'age gauge not refreshed; keeping its last value');
      } finally {
        clearTimeout(timer);
      }
    },
  });
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
