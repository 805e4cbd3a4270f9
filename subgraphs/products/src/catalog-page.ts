import { z } from 'zod';
import { badUserInput } from '@supergraph/service-kit';

/** Catalog paging rules: the public contract's limits, checked before any SQL runs. */
export const MAX_PAGE_SIZE = 100;
const CURSOR_PREFIX = 'product:';
const SORTED_CURSOR_PREFIX = 'catalog:';

/** The catalog's orders. `ID` is the contract's original stable order, used when no other applies. */
export type CatalogSort = 'ID' | 'RELEVANCE' | 'PRICE_ASC' | 'PRICE_DESC' | 'RATING' | 'NEWEST';
export const PRODUCT_SORTS = ['RELEVANCE', 'PRICE_ASC', 'PRICE_DESC', 'RATING', 'NEWEST'] as const;

/** Where a page starts: after the row with this sort key and id (the id breaks ties, so no row is skipped or repeated). */
export interface CatalogPosition {
  id: string;
  /** The sort key of that row: a number (price, rating, rank) or an ISO timestamp (NEWEST); absent under ID. */
  key?: number | string;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** The contract's cursor (`product:<id>`) under the ID order, so cursors handed out before sorting existed stay valid. */
export const encodeCursor = (productId: string) => b64(CURSOR_PREFIX + productId);

export function encodeSortedCursor(sort: CatalogSort, position: CatalogPosition): string {
  if (sort === 'ID') return encodeCursor(position.id);
  return b64(SORTED_CURSOR_PREFIX + JSON.stringify([sort, position.key, position.id]));
}

const invalidCursor = () => badUserInput('`after` is not a cursor this API returned', { argument: 'after' });

function decodeBase64(cursor: string): string {
  return /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
}

export function decodeCursor(cursor: string): string {
  const decoded = decodeBase64(cursor);
  if (!decoded.startsWith(CURSOR_PREFIX) || decoded.length === CURSOR_PREFIX.length) throw invalidCursor();
  return decoded.slice(CURSOR_PREFIX.length);
}

const sortedCursorSchema = z.tuple([z.enum(PRODUCT_SORTS), z.union([z.number().finite(), z.string().datetime()]), z.string().min(1).max(100)]);

/** A cursor of the same order only: a price cursor read under NEWEST would start the page anywhere. */
export function decodeSortedCursor(cursor: string, sort: CatalogSort): CatalogPosition {
  if (sort === 'ID') return { id: decodeCursor(cursor) };
  const decoded = decodeBase64(cursor);
  if (!decoded.startsWith(SORTED_CURSOR_PREFIX)) throw invalidCursor();
  let parsed: z.infer<typeof sortedCursorSchema>;
  try {
    parsed = sortedCursorSchema.parse(JSON.parse(decoded.slice(SORTED_CURSOR_PREFIX.length)));
  } catch {
    throw invalidCursor();
  }
  if (parsed[0] !== sort) throw badUserInput(`\`after\` is a cursor of sort ${parsed[0]}, not ${sort}`, { argument: 'after' });
  if ((sort === 'NEWEST') !== (typeof parsed[1] === 'string')) throw invalidCursor();
  return { key: parsed[1], id: parsed[2] };
}

const filterSchema = z
  .object({
    // Blank is refused, not read as "every category": an unset URL part would list the whole catalog.
    categoryId: z.string().trim().min(1, 'categoryId must not be empty').max(100).nullish(),
    search: z.string().trim().max(200, 'search is at most 200 characters').nullish(),
    query: z.string().trim().max(200, 'query is at most 200 characters').nullish(),
    minPriceCents: z.number().int().min(0, 'minPriceCents must be 0 or more').nullish(),
    maxPriceCents: z.number().int().min(0, 'maxPriceCents must be 0 or more').nullish(),
    minRating: z.number().int().min(1, 'minRating is 1 to 5').max(5, 'minRating is 1 to 5').nullish(),
    inStock: z.boolean().nullish(),
  })
  .refine((f) => f.minPriceCents == null || f.maxPriceCents == null || f.minPriceCents <= f.maxPriceCents, {
    message: 'minPriceCents must not exceed maxPriceCents',
  });

export type CatalogFilter = z.infer<typeof filterSchema>;

export interface CatalogPageRequest {
  first: number;
  /** Kept for the ID order's callers; equals `after.id`. */
  afterId: string | null;
  after: CatalogPosition | null;
  sort: CatalogSort;
  filter: CatalogFilter;
}

export interface CatalogArgs {
  first: number;
  after?: string | null;
  filter?: unknown;
  sort?: string | null;
}

/**
 * Without a sort, a full-text `query` is ranked by relevance and anything else keeps the ID order
 * the contract always had; RELEVANCE without a query has nothing to rank, so it is the ID order too.
 */
export function effectiveSort(requested: string | null | undefined, filter: CatalogFilter): CatalogSort {
  const hasQuery = Boolean(filter.query);
  if (requested == null || requested === 'RELEVANCE') return hasQuery ? 'RELEVANCE' : 'ID';
  if (!(PRODUCT_SORTS as readonly string[]).includes(requested)) throw badUserInput(`Unknown sort ${requested}`, { argument: 'sort' });
  return requested as CatalogSort;
}

export function parseCatalogArgs(args: CatalogArgs, fixed: Partial<CatalogFilter> = {}): CatalogPageRequest {
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE_SIZE) {
    throw badUserInput(`\`first\` must be between 1 and ${MAX_PAGE_SIZE}`, { argument: 'first' });
  }
  const parsed = filterSchema.safeParse({ ...((args.filter as object | null) ?? {}), ...fixed });
  if (!parsed.success) throw badUserInput(parsed.error.issues.map((i) => i.message).join('; '), { argument: 'filter' });
  const sort = effectiveSort(args.sort, parsed.data);
  const after = args.after ? decodeSortedCursor(args.after, sort) : null;
  return { first: args.first, afterId: after?.id ?? null, after, sort, filter: parsed.data };
}
