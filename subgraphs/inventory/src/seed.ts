import { demoStockLevels, insertInChunks, type SeedPlan } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import { InventoryStore } from './store.ts';

// The demo stock is part of the shared seed plan (products seeds its in_stock copy from it too).
export { FIRST_PRODUCT_MIN_UNITS, MAX_SEEDED_UNITS, OUT_OF_STOCK_SHARE, demoStockLevel, demoStockLevels } from '@supergraph/service-kit';

/** Stock for every demo product; nothing happens when stock levels exist already. */
export async function seedInventory(db: PrismaClient, plan: SeedPlan): Promise<Record<string, number> | null> {
  if ((await db.stockLevel.count({ take: 1 })) > 0) return null;
  const rows = demoStockLevels(plan.products);
  const store = new InventoryStore(db);
  await insertInChunks(rows, 20_000, (chunk) => store.insertStockLevels(chunk));
  await store.refreshStatistics();
  return { stockLevels: rows.length, outOfStock: rows.filter((row) => row.available === 0).length };
}
