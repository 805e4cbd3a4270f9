import type { ChangeFeedPage, ChangeFeedQuery } from '@supergraph/service-kit';
import { Prisma, type PrismaClient, type StockLevel } from './generated/prisma/client.ts';
import { recordStockChanges, type StockChange } from './stock-events.ts';

export interface ReservationItem {
  productId: string;
  quantity: number;
}

export type ReserveResult = { outcome: 'RESERVED' } | { outcome: 'OUT_OF_STOCK'; shortProductIds: string[] } | { outcome: 'RELEASED' };

export interface ReleaseResult {
  releasedUnits: number;
}

/** Whether a product can be ordered, and the version of its stock row: one item of the stock feed. */
export interface StockFeedItem {
  productId: string;
  inStock: boolean;
  version: string;
}

/** What the reserve and release commands tell their caller, plus whether they wrote stock.changed rows. */
export interface Announced {
  announced: number;
}

/** A change of stock by hand (a delivery, a stock take): adjustStock's input, checked. */
export interface StockAdjustmentInput {
  idempotencyKey: string;
  productId: string;
  delta: number;
  reason: string | null;
  actorId: string;
}

export type StockAdjustmentResult =
  | { outcome: 'APPLIED' | 'REPLAYED'; available: number; announced: number }
  | { outcome: 'NO_SUCH_PRODUCT' }
  | { outcome: 'BELOW_ZERO'; available: number }
  | { outcome: 'KEY_REUSED' };

/** Waiting for a pooled connection, then running: flash sales queue hundreds of these at once. */
const RESERVATION_TRANSACTION = { maxWait: 10_000, timeout: 15_000 };

/**
 * Thrown inside a transaction to roll all of it back and still answer with `result`; each
 * command's catch takes back only what its own transaction threw.
 */
class RollbackWith<T> {
  constructor(readonly result: T) {}
}

/** Every writer takes stock-row locks in this order, so two multi-item orders never deadlock. */
const byProductId = <T extends { productId: string }>(items: readonly T[]) =>
  [...items].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));

/**
 * A product named twice would conflict with its own row and read as "this order exists already";
 * the HTTP layer refuses such bodies, this keeps any other caller from getting a wrong answer.
 */
function distinctItemsByProductId(items: readonly ReservationItem[]): ReservationItem[] {
  const sorted = byProductId(items);
  if (sorted.length === 0) throw new Error('A reservation needs at least one item');
  if (sorted.some((item, i) => i > 0 && item.productId === sorted[i - 1]!.productId)) throw new Error('A reservation names each product once');
  return sorted;
}

/** All SQL of the inventory subgraph. Batch readers take many ids and cost one statement. */
export class InventoryStore {
  constructor(private readonly db: PrismaClient) {}

  stockLevelsByProductIds(productIds: readonly string[]): Promise<StockLevel[]> {
    return this.db.stockLevel.findMany({ where: { productId: { in: [...productIds] } } });
  }

  /** Seeding: one INSERT … SELECT FROM unnest(arrays) per chunk, several times faster than createMany. */
  insertStockLevels(rows: ReadonlyArray<{ productId: string; available: number }>): Promise<number> {
    return this.db.$executeRaw`
      INSERT INTO "stock_levels" ("product_id", "available")
      SELECT * FROM unnest(${rows.map((r) => r.productId)}::text[], ${rows.map((r) => r.available)}::integer[])`;
  }

  /** Fresh planner statistics after a bulk load, so look-ups by product id use the index. */
  async refreshStatistics(): Promise<void> {
    await this.db.$executeRaw`ANALYZE "stock_levels"`;
  }

  /**
   * Takes the units of every item for `orderId`, all or none, idempotently per order id.
   *
   * The reservation rows go in first: if any already exists (an earlier or concurrent call for
   * this order, or a release tombstone), this call changes nothing and answers from them. A
   * concurrent duplicate's INSERT waits on the first call's uncommitted rows until it commits or
   * rolls back, so two calls for one order can never both take stock. Stock is then taken with
   * guarded UPDATEs (never read-then-write), which cannot go below zero whatever runs alongside.
   */
  async reserve(orderId: string, items: readonly ReservationItem[]): Promise<ReserveResult & Announced> {
    const sorted = distinctItemsByProductId(items);
    try {
      return await this.db.$transaction(async (tx) => {
        const changes: StockChange[] = [];
        // ORDER BY: both reserve and release insert an order's rows in one order, so they cannot deadlock.
        const inserted = await tx.$queryRaw<Array<{ product_id: string }>>`
          INSERT INTO "reservations" ("order_id", "product_id", "quantity")
          SELECT ${orderId}, "item"."product_id", "item"."quantity"
          FROM unnest(${sorted.map((i) => i.productId)}::text[], ${sorted.map((i) => i.quantity)}::integer[]) AS "item"("product_id", "quantity")
          ORDER BY "item"."product_id"
          ON CONFLICT DO NOTHING
          RETURNING "product_id"`;
        if (inserted.length < sorted.length) {
          // A new statement sees every committed row, including those the INSERT waited for.
          const existing = await tx.$queryRaw<Array<{ status: string }>>`
            SELECT "status"::text AS "status" FROM "reservations"
            WHERE "order_id" = ${orderId} AND NOT ("product_id" = ANY(${inserted.map((row) => row.product_id)}::text[]))`;
          throw new RollbackWith<ReserveResult>({ outcome: existing.every((row) => row.status === 'RESERVED') ? 'RESERVED' : 'RELEASED' });
        }

        for (const [index, item] of sorted.entries()) {
          const taken = await tx.$queryRaw<StockChange[]>`
            UPDATE "stock_levels" SET "available" = "available" - ${item.quantity}::integer, "version" = "version" + 1, "updated_at" = now()
            WHERE "product_id" = ${item.productId} AND "available" >= ${item.quantity}::integer
            RETURNING "product_id" AS "productId", "available" + ${item.quantity}::integer AS "before", "available", "version"`;
          changes.push(...taken);
          if (taken.length === 0) {
            // Items before this one were available; name every short one after it too, without locking them.
            const rest = sorted.slice(index + 1);
            const shortOfRest = await tx.$queryRaw<Array<{ product_id: string }>>`
              SELECT "item"."product_id"
              FROM unnest(${rest.map((i) => i.productId)}::text[], ${rest.map((i) => i.quantity)}::integer[]) AS "item"("product_id", "quantity")
              LEFT JOIN "stock_levels" ON "stock_levels"."product_id" = "item"."product_id"
              WHERE "stock_levels"."available" IS NULL OR "stock_levels"."available" < "item"."quantity"`;
            const shortProductIds = [item.productId, ...shortOfRest.map((row) => row.product_id).sort()];
            throw new RollbackWith<ReserveResult>({ outcome: 'OUT_OF_STOCK', shortProductIds });
          }
        }
        // The last unit taken: stock.changed, in this transaction (the relay publishes it after commit).
        return { outcome: 'RESERVED' as const, announced: await recordStockChanges(tx, changes) };
      }, RESERVATION_TRANSACTION);
    } catch (error) {
      if (error instanceof RollbackWith) return { ...(error.result as ReserveResult), announced: 0 };
      throw error;
    }
  }

  /**
   * Gives back what `orderId` holds and marks it RELEASED; a second call gives back nothing.
   *
   * Tombstones go in first, for every item without a row: a reserve for this order arriving
   * later finds them and takes nothing. Inserting them before flipping statuses also makes this
   * wait for a reserve of the same order that is still running, whose rows the UPDATE below
   * then sees and releases (flipping first would miss them and leave that stock held for good).
   */
  async release(orderId: string, items: readonly ReservationItem[]): Promise<ReleaseResult & Announced> {
    const sorted = distinctItemsByProductId(items);
    return this.db.$transaction(async (tx) => {
      await tx.$executeRaw`
        INSERT INTO "reservations" ("order_id", "product_id", "quantity", "status")
        SELECT ${orderId}, "item"."product_id", "item"."quantity", 'RELEASED'::"ReservationStatus"
        FROM unnest(${sorted.map((i) => i.productId)}::text[], ${sorted.map((i) => i.quantity)}::integer[]) AS "item"("product_id", "quantity")
        ORDER BY "item"."product_id"
        ON CONFLICT DO NOTHING`;
      const released = await tx.$queryRaw<ReservationItem[]>`
        UPDATE "reservations" SET "status" = 'RELEASED', "updated_at" = now()
        WHERE "order_id" = ${orderId} AND "status" = 'RESERVED'
        RETURNING "product_id" AS "productId", "quantity"`;
      const changes: StockChange[] = [];
      for (const item of byProductId(released)) {
        changes.push(...(await tx.$queryRaw<StockChange[]>`
          UPDATE "stock_levels" SET "available" = "available" + ${item.quantity}::integer, "version" = "version" + 1, "updated_at" = now()
          WHERE "product_id" = ${item.productId}
          RETURNING "product_id" AS "productId", "available" - ${item.quantity}::integer AS "before", "available", "version"`));
      }
      // Units back on a product that had none: stock.changed, in this transaction.
      return { releasedUnits: released.reduce((sum, item) => sum + item.quantity, 0), announced: await recordStockChanges(tx, changes) };
    }, RESERVATION_TRANSACTION);
  }

  /**
   * Adds `delta` units (negative: removes them) to a product's stock, once per idempotency key.
   * The adjustment row goes in first: a retry, or a concurrent duplicate (whose INSERT waits for
   * the first to commit), finds it and changes nothing; the same key with another product or
   * delta is refused. Stock is changed by a guarded UPDATE that cannot go below zero whatever
   * reservations run alongside, and a crossing of zero writes stock.changed in the same
   * transaction, as reserve and release do.
   */
  async adjustStock(input: StockAdjustmentInput): Promise<StockAdjustmentResult> {
    try {
      return await this.db.$transaction(async (tx) => {
        const inserted = await tx.$queryRaw<Array<{ idempotency_key: string }>>`
          INSERT INTO "stock_adjustments" ("idempotency_key", "product_id", "delta", "reason", "available_after", "actor_id")
          VALUES (${input.idempotencyKey}, ${input.productId}, ${input.delta}::integer, ${input.reason}, 0, ${input.actorId})
          ON CONFLICT DO NOTHING
          RETURNING "idempotency_key"`;
        if (inserted.length === 0) {
          const [earlier] = await tx.$queryRaw<Array<{ productId: string; delta: number; availableAfter: number }>>`
            SELECT "product_id" AS "productId", "delta", "available_after" AS "availableAfter" FROM "stock_adjustments" WHERE "idempotency_key" = ${input.idempotencyKey}`;
          const same = earlier && earlier.productId === input.productId && earlier.delta === input.delta;
          throw new RollbackWith<StockAdjustmentResult>(same ? { outcome: 'REPLAYED', available: earlier.availableAfter, announced: 0 } : { outcome: 'KEY_REUSED' });
        }
        const changed = await tx.$queryRaw<StockChange[]>`
          UPDATE "stock_levels" SET "available" = "available" + ${input.delta}::integer, "version" = "version" + 1, "updated_at" = now()
          WHERE "product_id" = ${input.productId} AND "available" + ${input.delta}::bigint BETWEEN 0 AND 2147483647
          RETURNING "product_id" AS "productId", "available" - ${input.delta}::integer AS "before", "available", "version"`;
        if (changed.length === 0) {
          const [row] = await tx.$queryRaw<Array<{ available: number }>>`SELECT "available" FROM "stock_levels" WHERE "product_id" = ${input.productId}`;
          throw new RollbackWith<StockAdjustmentResult>(row ? { outcome: 'BELOW_ZERO', available: row.available } : { outcome: 'NO_SUCH_PRODUCT' });
        }
        const available = changed[0]!.available;
        await tx.$executeRaw`UPDATE "stock_adjustments" SET "available_after" = ${available}::integer WHERE "idempotency_key" = ${input.idempotencyKey}`;
        return { outcome: 'APPLIED' as const, available, announced: await recordStockChanges(tx, changed) };
      }, RESERVATION_TRANSACTION);
    } catch (error) {
      if (error instanceof RollbackWith) return error.result as StockAdjustmentResult;
      throw error;
    }
  }

  /**
   * One page of the stock feed (ADR 0016): whether each product whose row changed at or after
   * `since` (all, without it) can be ordered, by product id. `updated_at` is written with `now()`
   * (the session's zone-less local time), so `asOf` is `localtimestamp`, the same clock.
   */
  async stockFeed(query: ChangeFeedQuery): Promise<ChangeFeedPage<StockFeedItem>> {
    const [clock] = await this.db.$queryRaw<Array<{ asOf: Date }>>`/* background */ SELECT localtimestamp::timestamp(3) AS "asOf"`;
    const conditions = [
      query.since ? Prisma.sql`"updated_at" >= ${query.since}::timestamp(3)` : Prisma.sql`TRUE`,
      query.after ? Prisma.sql`"product_id" > ${query.after}` : Prisma.sql`TRUE`,
    ];
    const rows = await this.db.$queryRaw<Array<{ productId: string; available: number; version: bigint }>>`/* background */
      SELECT "product_id" AS "productId", "available", "version" FROM "stock_levels"
      WHERE ${Prisma.join(conditions, ' AND ')}
      ORDER BY "product_id" LIMIT ${query.limit}`;
    return {
      asOf: clock!.asOf.toISOString(),
      items: rows.map((row) => ({ productId: row.productId, inStock: row.available > 0, version: row.version.toString() })),
    };
  }
}
