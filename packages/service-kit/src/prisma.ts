import { PrismaPg } from '@prisma/adapter-pg';
import type { Counter } from 'prom-client';
import type { DatabaseLocation } from './database.ts';

interface QueryEvent {
  query: string;
}
interface PrismaClientLike {
  $on(event: 'query', listener: (event: QueryEvent) => void): void;
  $disconnect(): Promise<void>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}
type PrismaClientConstructor<T> = new (options: {
  adapter: PrismaPg;
  log: Array<{ emit: 'event'; level: 'query' }>;
}) => T;

/** The readiness probe's statement; not counted, so probes do not blur per-request counts. */
export const READINESS_QUERY = 'SELECT 1 AS ready';
/**
 * Statements starting with this comment are read by /metrics scrapes (age gauges, metrics.ts);
 * not counted either, for the same reason as probes.
 */
export const SCRAPE_QUERY_MARK = '/* metrics scrape */';
/**
 * Statements starting with this comment belong to a loop that runs whether requests come or not
 * (the catalog copies' change-feed reads and writes, ADR 0016, every second in the test stack);
 * not counted either, so a request's count stays its own.
 */
export const BACKGROUND_QUERY_MARK = '/* background */';
const UNCOUNTED = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b|^SELECT 1 AS ready$|^\s*\/\* (metrics scrape|background) \*\//i;

/**
 * A service's Prisma client over `@prisma/adapter-pg`, counting every SQL statement it sends in
 * `db_queries_total` so batching can be verified from the outside (transaction control, readiness probes,
 * metrics scrapes and background loops marked as such excluded).
 */
export function createPrismaClient<T>(
  Client: PrismaClientConstructor<T>,
  database: DatabaseLocation,
  queriesCounter: Counter<'service'>,
): T {
  const adapter = new PrismaPg({ connectionString: database.connectionString, max: database.poolMax });
  const client = new Client({ adapter, log: [{ emit: 'event', level: 'query' }] });
  (client as unknown as PrismaClientLike).$on('query', (event) => {
    if (!UNCOUNTED.test(event.query)) queriesCounter.inc();
  });
  return client;
}
