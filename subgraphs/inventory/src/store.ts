import type { PrismaClient, StockLevel } from './generated/prisma/client.ts';

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
}
