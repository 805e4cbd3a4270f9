import type { Router } from 'express';
import { z } from 'zod';
import { IDENTITY_HEADER, serviceIdentityToken } from './identity.ts';
import type { Logger } from './logger.ts';

/**
 * A change feed: how an owner of facts lets another subgraph re-read them (ADR 0016, "Stock and
 * ratings"). Inventory serves stock, reviews serves ratings, products reads both to converge its
 * catalog copies whatever events it missed.
 *
 * `GET /internal/<feed>?since=<owner timestamp>&after=<product id>&limit=<n>`: the current value
 * of every product whose fact changed at or after `since` (every product when absent), ordered by
 * product id, `limit` at a time after `after`. `asOf` is the owner's clock when the page was read;
 * a reader that went through every page may ask `since` = the first page's `asOf` minus an
 * overlap next time. Timestamps are the owner's own (timestamp without time zone, as stored),
 * passed through unchanged: the reader never compares them with its own clock.
 */
export interface ChangeFeedPage<T> {
  asOf: string;
  items: T[];
}

export interface ChangeFeedQuery {
  since: string | null;
  after: string | null;
  limit: number;
}

export const CHANGE_FEED_MAX_LIMIT = 5_000;

const querySchema = z.object({
  since: z.iso.datetime({ local: true, offset: true }).optional(),
  after: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(CHANGE_FEED_MAX_LIMIT).default(1_000),
});

export function parseChangeFeedQuery(query: unknown): { ok: true; query: ChangeFeedQuery } | { ok: false; message: string } {
  const parsed = querySchema.safeParse(query ?? {});
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`).join('; ') };
  return { ok: true, query: { since: parsed.data.since ?? null, after: parsed.data.after ?? null, limit: parsed.data.limit } };
}

/** Serves a feed on an internal router (services only: the kit guards /internal). Bad parameters: 400 BAD_REQUEST. */
export function serveChangeFeed<T>(router: Router, path: string, read: (query: ChangeFeedQuery) => Promise<ChangeFeedPage<T>>, log: Pick<Logger, 'error'>): void {
  router.get(path, async (req, res) => {
    const parsed = parseChangeFeedQuery(req.query);
    if (!parsed.ok) {
      res.status(400).json({ error: { code: 'BAD_REQUEST', message: parsed.message } });
      return;
    }
    try {
      res.json(await read(parsed.query));
    } catch (error) {
      log.error({ err: error, feed: path }, 'change feed read failed');
      res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal error' } });
    }
  });
}

/** The owner's timestamp as the feed hands it out: ISO text of the stored (zone-less) value. */
export const feedTimestamp = (value: Date) => value.toISOString();

export class ChangeFeedError extends Error {
  override name = 'ChangeFeedError';
}

export interface ChangeFeedReaderOptions {
  /** Base URL of the owner (no path), e.g. http://127.0.0.1:4004. Read at every call, so it may be bound late. */
  baseUrl: () => string;
  path: string;
  caller: string;
  target: string;
  internalTokenSecret: string;
  timeoutMs?: number;
  limit?: number;
}

/**
 * Reads every page of a feed from `since` (null: everything), handing each page to `apply` before
 * asking for the next, and returns the first page's `asOf`: everything changed before it has been
 * seen once this resolves.
 */
export async function readChangeFeed<T extends { productId: string }>(
  options: ChangeFeedReaderOptions,
  since: string | null,
  itemSchema: z.ZodType<T>,
  apply: (items: T[]) => Promise<void>,
): Promise<string> {
  const limit = options.limit ?? 1_000;
  const pageSchema = z.object({ asOf: z.string(), items: z.array(itemSchema) });
  let after: string | null = null;
  let asOf: string | null = null;
  for (;;) {
    const url = new URL(`${options.baseUrl().replace(/\/$/, '')}/internal/${options.path}`);
    if (since) url.searchParams.set('since', since);
    if (after) url.searchParams.set('after', after);
    url.searchParams.set('limit', String(limit));
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { [IDENTITY_HEADER]: await serviceIdentityToken(options.caller, options.target, options.internalTokenSecret) },
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new ChangeFeedError(`${options.target} did not answer ${options.path}: ${(error as Error).message}`);
    }
    if (!response.ok) throw new ChangeFeedError(`${options.target} answered ${options.path} with HTTP ${response.status}`);
    const page = pageSchema.parse(await response.json());
    asOf ??= page.asOf;
    if (page.items.length > 0) await apply(page.items);
    if (page.items.length < limit) return asOf;
    after = page.items[page.items.length - 1]!.productId;
  }
}
