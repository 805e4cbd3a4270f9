import { Counter, Gauge } from 'prom-client';
import { readChangeFeed, type ChangeFeedReaderOptions, type RuntimeDeps } from '@supergraph/service-kit';
import type { z } from 'zod';
import type { PrismaClient } from './generated/prisma/client.ts';
import {
  applyRatings, applyStock, ratingItemSchema, reviewAddedSchema, stockChangedSchema, stockItemSchema, type CopyMode,
} from './catalog-copies.ts';
import type { ProductsEnv } from './env.ts';

/**
 * Keeps the catalog's copies of stock and ratings current (ADR 0016), two ways:
 * - events: `stock.changed` (inventory) and `review.added` (reviews) write the copy at once;
 * - the owners' change feeds: read at start-up and every CATALOG_SYNC_INTERVAL_MS from a stored
 *   watermark (the owner's clock when the last complete read began, less OVERLAP_MS), so whatever
 *   no event brought (products was down, Redis was, a write failed) is caught up. With no
 *   watermark (a new database) the read is a full one, taken as authoritative.
 * Both write values with the owner's version, so they may overlap and repeat freely.
 */
export const OVERLAP_MS = 60_000; // > the owners' 15 s transaction timeout: a change committed late is still read again
/**
 * A feed that cannot be read is tried again after 1 s, doubling up to CATALOG_SYNC_INTERVAL_MS:
 * its owner is usually starting beside products (`npm start`), and the copy should not wait an
 * interval for it. Only a feed still failing after FEED_DOWN_WARN_AFTER_MS is a warning.
 */
export const FEED_RETRY_FIRST_MS = 1_000;
export const FEED_DOWN_WARN_AFTER_MS = 60_000;

interface Source<T extends { productId: string }> {
  name: 'stock' | 'ratings';
  feed: Omit<ChangeFeedReaderOptions, 'internalTokenSecret'>;
  itemSchema: z.ZodType<T>;
  apply(db: PrismaClient, items: readonly T[], mode: CopyMode): Promise<string[]>;
}

export interface CatalogSync {
  /** One read of every feed, from each watermark (tests and start-up). */
  syncNow(): Promise<void>;
  close(): Promise<void>;
}

export async function startCatalogSync(deps: RuntimeDeps<PrismaClient, ProductsEnv>): Promise<CatalogSync> {
  const { db, log, extra } = deps;
  const updated = new Counter({
    name: 'catalog_copies_updated_total',
    help: 'Catalog copy rows changed, by fact (stock, ratings) and by what brought the value (event, feed)',
    labelNames: ['fact', 'via'] as const,
    registers: [deps.metrics.registry],
  });
  const events = new Counter({
    name: 'catalog_copy_events_total',
    help: 'stock.changed and review.added events received, by fact and result: changed (the copy took it), unchanged (already had it or newer), unreadable, failed',
    labelNames: ['fact', 'result'] as const,
    registers: [deps.metrics.registry],
  });
  const lastSync = new Gauge({
    name: 'catalog_sync_last_success_timestamp_seconds',
    help: "When each owner's change feed was last read to the end (unix seconds)",
    labelNames: ['fact'] as const,
    registers: [deps.metrics.registry],
  });

  // Read at every call: the in-process test stack binds these once the owners listen.
  const sources: Array<Source<any>> = [
    {
      name: 'stock',
      feed: { baseUrl: () => extra.INVENTORY_URL, path: 'stock-feed', caller: 'products', target: 'inventory' },
      itemSchema: stockItemSchema,
      apply: applyStock,
    },
    {
      name: 'ratings',
      feed: { baseUrl: () => extra.REVIEWS_URL, path: 'rating-feed', caller: 'products', target: 'reviews' },
      itemSchema: ratingItemSchema,
      apply: applyRatings,
    },
  ];

  /**
   * A copy feeds filters, sorts and facets: a cached catalog page holding one of these products
   * was computed from the old copy. The owners purge when they change (inventory at a
   * reservation, reviews at a review), but a page read before the copy caught up would be cached
   * again with the old value for its max-age; so products purges once more when its copy changes.
   */
  const copied = async (fact: 'stock' | 'ratings', via: 'event' | 'feed', changedIds: string[]) => {
    updated.inc({ fact, via }, changedIds.length);
    if (changedIds.length > 0) await deps.responseCache.purge('Product', changedIds);
    return changedIds.length;
  };

  const readSource = async <T extends { productId: string }>(source: Source<T>) => {
    // `/* background */` (the kit's BACKGROUND_QUERY_MARK): not counted as request work in db_queries_total.
    const [row] = await db.$queryRaw<Array<{ since: Date }>>`/* background */ SELECT "since" FROM "catalog_sync" WHERE "source" = ${source.name}`;
    const since = row ? row.since.toISOString() : null;
    const mode: CopyMode = since ? 'newer' : 'authoritative';
    const asOf = await readChangeFeed({ ...source.feed, internalTokenSecret: deps.internalTokenSecret }, since, source.itemSchema, async (items) => {
      await copied(source.name, 'feed', await source.apply(db, items, mode));
    });
    // The owner's zone-less clock, kept as it came (ISO text; the cast drops the 'Z' unchanged).
    const next = new Date(Date.parse(asOf) - OVERLAP_MS);
    // GREATEST: replicas read alongside; whichever read began later covers the earlier one.
    await db.$executeRaw`/* background */
      INSERT INTO "catalog_sync" ("source", "since", "updated_at") VALUES (${source.name}, ${next.toISOString()}::timestamp(3), now())
      ON CONFLICT ("source") DO UPDATE SET "since" = GREATEST("catalog_sync"."since", EXCLUDED."since"), "updated_at" = now()`;
    lastSync.set({ fact: source.name }, Date.now() / 1000);
  };

  let running: Promise<void> | null = null;
  /** Per source failing now: since when, and how many reads in a row. */
  const failing = new Map<string, { since: number; reads: number }>();
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const readLogged = async (source: Source<any>) => {
    try {
      await readSource(source);
      const failed = failing.get(source.name);
      if (failed) log.info({ fact: source.name, failedReads: failed.reads }, `catalog copy caught up with ${source.feed.target}`);
      failing.delete(source.name);
    } catch (error) {
      const failed = failing.get(source.name) ?? { since: Date.now(), reads: 0 };
      failed.reads += 1;
      failing.set(source.name, failed);
      if (Date.now() - failed.since >= FEED_DOWN_WARN_AFTER_MS) {
        log.warn({ err: error, fact: source.name, failedReads: failed.reads }, 'catalog copy sync failed; will retry');
      } else if (failed.reads === 1) {
        log.info({ fact: source.name, reason: (error as Error).message }, `catalog copy could not read the ${source.feed.target} change feed yet; retrying`);
      }
    }
  };
  const syncNow = () => {
    running ??= (async () => {
      for (const source of sources) await readLogged(source);
      const reads = Math.max(0, ...[...failing.values()].map((f) => f.reads));
      if (reads > 0 && !closed) {
        clearTimeout(retry);
        retry = setTimeout(() => void syncNow(), Math.min(extra.CATALOG_SYNC_INTERVAL_MS, FEED_RETRY_FIRST_MS * 2 ** (reads - 1)));
        retry.unref();
      }
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const onEvent = <T>(fact: 'stock' | 'ratings', schema: z.ZodType<T>, apply: (item: T) => Promise<string[]>) => (payload: unknown) => {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      events.inc({ fact, result: 'unreadable' });
      log.warn({ fact, issues: parsed.error.issues.slice(0, 3) }, 'ignored an event products cannot read; the feed will catch up');
      return;
    }
    apply(parsed.data).then(
      async (changedIds) => {
        events.inc({ fact, result: (await copied(fact, 'event', changedIds)) > 0 ? 'changed' : 'unchanged' });
      },
      (error) => {
        events.inc({ fact, result: 'failed' });
        log.warn({ err: error, fact }, 'could not apply an event to the catalog copy; the feed will catch up');
      },
    );
  };
  const unsubscribe = await Promise.all([
    deps.events.subscribe('stock.changed', onEvent('stock', stockChangedSchema, (event) => applyStock(db, [event], 'newer'))),
    deps.events.subscribe(
      'review.added',
      onEvent('ratings', reviewAddedSchema, (event) => applyRatings(db, [{ productId: event.productId, ...event.productRating }], 'newer')),
    ),
  ]);

  // Subscribed first, then read: nothing that happens from here on is missed by both.
  void syncNow();
  const timer = setInterval(() => void syncNow(), extra.CATALOG_SYNC_INTERVAL_MS);
  timer.unref();
  return {
    syncNow,
    async close() {
      closed = true;
      clearInterval(timer);
      clearTimeout(retry);
      await Promise.all(unsubscribe.map((stop) => stop()));
      await running;
    },
  };
}
