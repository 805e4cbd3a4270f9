import { z } from 'zod';
import { badUserInput } from '@supergraph/service-kit';

/** Catalog paging rules: the public contract's limits, checked before any SQL runs. */
export const MAX_PAGE_SIZE = 100;
const CURSOR_PREFIX = 'product:';

export const encodeCursor = (productId: string) => Buffer.from(CURSOR_PREFIX + productId, 'utf8').toString('base64url');

export function decodeCursor(cursor: string): string {
  const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!decoded.startsWith(CURSOR_PREFIX) || decoded.length === CURSOR_PREFIX.length) {
    throw badUserInput('`after` is not a cursor this API returned', { argument: 'after' });
  }
  return decoded.slice(CURSOR_PREFIX.length);
}

const filterSchema = z
  .object({
    categoryId: z.string().max(100).nullish(),
    search: z.string().trim().max(200, 'search is at most 200 characters').nullish(),
    minPriceCents: z.number().int().min(0, 'minPriceCents must be 0 or more').nullish(),
    maxPriceCents: z.number().int().min(0, 'maxPriceCents must be 0 or more').nullish(),
  })
  .refine((f) => f.minPriceCents == null || f.maxPriceCents == null || f.minPriceCents <= f.maxPriceCents, {
    message: 'minPriceCents must not exceed maxPriceCents',
  });

export type CatalogFilter = z.infer<typeof filterSchema>;

export interface CatalogPageRequest {
  first: number;
  afterId: string | null;
  filter: CatalogFilter;
}

export function parseCatalogArgs(args: { first: number; after?: string | null; filter?: unknown }): CatalogPageRequest {
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE_SIZE) {
    throw badUserInput(`\`first\` must be between 1 and ${MAX_PAGE_SIZE}`, { argument: 'first' });
  }
  const filter = filterSchema.safeParse(args.filter ?? {});
  if (!filter.success) throw badUserInput(filter.error.issues.map((i) => i.message).join('; '), { argument: 'filter' });
  return { first: args.first, afterId: args.after ? decodeCursor(args.after) : null, filter: filter.data };
}
