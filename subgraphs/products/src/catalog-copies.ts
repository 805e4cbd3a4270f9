import { z } from 'zod';
import { Prisma, type PrismaClient } from './generated/prisma/client.ts';

/**
 * Writing the catalog's copies of inventory's and reviews' facts (ADR 0016). Every write is a
 * value with the owner's version, never a delta, so an event applied twice, or late, or a feed
 * page read again, leaves the copy as it should be:
 * - `newer` (events, incremental feed reads): taken only when its version is at least the copy's,
 *   so a redelivered or reordered older value never replaces a newer one;
 * - `authoritative` (a full read of the owner's feed): taken whatever the copy's version, which
 *   also mends a copy ahead of its owner (an owner restored from a backup). A newer event applied
 *   while a full read runs may be overwritten by it; the next incremental read, which overlaps the
 *   full one, puts it back.
 * Only rows whose copy differs are written.
 */
export type CopyMode = 'newer' | 'authoritative';

export const stockItemSchema = z.object({
  productId: z.string().min(1),
  inStock: z.boolean(),
  // bigint on the owner's side: carried as digits.
  version: z.string().regex(/^\d{1,19}$/),
});
export type StockItem = z.infer<typeof stockItemSchema>;

export const ratingItemSchema = z.object({
  productId: z.string().min(1),
  reviewCount: z.number().int().min(0),
  averageRating: z.number().min(0).max(5).nullable(),
});
export type RatingItem = z.infer<typeof ratingItemSchema>;

/** Writes in_stock copies; returns the ids of the products whose copy changed. */
export async function applyStock(db: PrismaClient, items: readonly StockItem[], mode: CopyMode): Promise<string[]> {
  if (items.length === 0) return [];
  const take = mode === 'newer' ? Prisma.sql`"products"."in_stock_version" <= "copy"."version" AND` : Prisma.empty;
  const changed = await db.$queryRaw<Array<{ id: string }>>`/* background */
    UPDATE "products" SET "in_stock" = "copy"."in_stock", "in_stock_version" = "copy"."version"
    FROM unnest(${items.map((i) => i.productId)}::text[], ${items.map((i) => i.inStock)}::boolean[], ${items.map((i) => i.version)}::bigint[])
      AS "copy"("id", "in_stock", "version")
    WHERE "products"."id" = "copy"."id" AND ${take}
      ("products"."in_stock", "products"."in_stock_version") IS DISTINCT FROM ("copy"."in_stock", "copy"."version")
    RETURNING "products"."id"`;
  return changed.map((row) => row.id);
}

/** Writes rating copies (the average as reviews rounds it; 0 while unrated); returns the ids of the products whose copy changed. */
export async function applyRatings(db: PrismaClient, items: readonly RatingItem[], mode: CopyMode): Promise<string[]> {
  if (items.length === 0) return [];
  const take = mode === 'newer' ? Prisma.sql`"products"."review_count" <= "copy"."review_count" AND` : Prisma.empty;
  const changed = await db.$queryRaw<Array<{ id: string }>>`/* background */
    UPDATE "products" SET "rating_average" = "copy"."rating_average", "review_count" = "copy"."review_count"
    FROM unnest(${items.map((i) => i.productId)}::text[], ${items.map((i) => i.averageRating ?? 0)}::float8[], ${items.map((i) => i.reviewCount)}::integer[])
      AS "copy"("id", "rating_average", "review_count")
    WHERE "products"."id" = "copy"."id" AND ${take}
      ("products"."rating_average", "products"."review_count") IS DISTINCT FROM ("copy"."rating_average", "copy"."review_count")
    RETURNING "products"."id"`;
  return changed.map((row) => row.id);
}

/** `stock.changed` from inventory (subgraphs/inventory/src/stock-events.ts): the fields products reads. */
export const stockChangedSchema = stockItemSchema;

/** `review.added` from reviews (subgraphs/reviews/src/review-events.ts): the product's rating after the review. */
export const reviewAddedSchema = z.object({
  productId: z.string().min(1),
  productRating: z.object({ reviewCount: z.number().int().min(1), averageRating: z.number().min(0).max(5).nullable() }),
});
