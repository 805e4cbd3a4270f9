import { badUserInput } from './errors.ts';

/**
 * Cursor pages of "newest first" lists (a product's reviews, a user's orders and reviews), shared
 * by the subgraphs that serve them: rows ordered by (createdAt DESC, id DESC), a cursor naming the
 * last row's pair, so a row written while someone pages never shifts a page (no skip, no repeat).
 */
export interface NewestFirstRow {
  id: string;
  createdAt: Date;
}

export interface NewestFirstPosition {
  createdAt: Date;
  id: string;
}

export interface NewestFirstPageRequest {
  first: number;
  after: NewestFirstPosition | null;
}

export function encodeNewestFirstCursor(kind: string, row: NewestFirstRow): string {
  return Buffer.from(`${kind}:${row.createdAt.toISOString()}|${row.id}`, 'utf8').toString('base64url');
}

export function decodeNewestFirstCursor(kind: string, cursor: string): NewestFirstPosition {
  const decoded = /^[A-Za-z0-9_-]{1,300}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = new RegExp(`^${kind}:(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z)\\|(.{1,100})$`).exec(decoded);
  const createdAt = match ? new Date(match[1]!) : null;
  if (!match || !createdAt || Number.isNaN(createdAt.getTime())) {
    throw badUserInput('`after` is not a cursor this API returned', { argument: 'after' });
  }
  return { createdAt, id: match[2]! };
}

/** `first` (1..max) and `after` checked before any SQL runs. */
export function parseNewestFirstPage(kind: string, args: { first: number; after?: string | null }, max: number): NewestFirstPageRequest {
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > max) {
    throw badUserInput(`\`first\` must be between 1 and ${max}`, { argument: 'first' });
  }
  return { first: args.first, after: args.after ? decodeNewestFirstCursor(kind, args.after) : null };
}

/** One loader batch per distinct page request: the string key groupLoaderWithArg batches by, and back. */
export const newestFirstPageKey = (request: NewestFirstPageRequest) =>
  JSON.stringify([request.first, request.after?.createdAt.toISOString() ?? null, request.after?.id ?? null]);

export function parseNewestFirstPageKey(key: string): NewestFirstPageRequest {
  const [first, createdAt, id] = JSON.parse(key) as [number, string | null, string | null];
  return { first, after: createdAt && id ? { createdAt: new Date(createdAt), id } : null };
}

/** A connection from up to `first + 1` rows: the extra row only says that another page follows. */
export function newestFirstConnection<R extends NewestFirstRow>(kind: string, rows: R[], first: number) {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeNewestFirstCursor(kind, node), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
