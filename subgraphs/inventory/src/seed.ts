import { demoIds, insertInChunks, prng, type SeedPlan } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import { InventoryStore } from './store.ts';

export const OUT_OF_STOCK_SHARE = 0.05;
export const MAX_SEEDED_UNITS = 250;
/** Demos and smoke tests order the first product: it must always be orderable, several times over. */
export const FIRST_PRODUCT_MIN_UNITS = 100;

/** The stock of demo product `index`, from two draws of `random` whatever the outcome (so it depends on `index` only). */
export function demoStockLevel(index: number, random: () => number): number {
  const outOfStock = random() < OUT_OF_STOCK_SHARE;
  const units = 1 + Math.floor(random() * MAX_SEEDED_UNITS);
  if (index === 0) return Math.max(FIRST_PRODUCT_MIN_UNITS, units);
  return outOfStock ? 0 : units;
}

/** The demo stock levels, one per demo product, the same on every run. */
export function demoStockLevels(productCount: number): Array<{ productId: string; available: number }> {
  const random = prng(20261124);
  return Array.from({ length: productCount }, (_, i) => ({ productId: demoIds.product(i), available: demoStockLevel(i, random) }));
}

/** Stock for every demo product; nothing happens when stock levels exist already. */
export async function seedInventory(db: PrismaClient, plan: SeedPlan): Promise<Record<string, number> | null> {
  if ((await db.stockLevel.count({ take: 1 })) > 0) return null;
  const rows = demoStockLevels(plan.products);
  const store = new InventoryStore(db);
  await insertInChunks(rows, 20_000, (chunk) => store.insertStockLevels(chunk));
  await store.refreshStatistics();
  return { stockLevels: rows.length, outOfStock: rows.filter((row) => row.available === 0).length };
}
