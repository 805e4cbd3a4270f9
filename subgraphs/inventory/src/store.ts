import type { PrismaClient, StockLevel } from './generated/prisma/client.ts';

/** All SQL of the inventory subgraph. Batch readers take many ids and cost one statement. */
export class InventoryStore {
  constructor(private readonly db: PrismaClient) {}

  stockLevelsByProductIds(productIds: readonly string[]): Promise<StockLevel[]> {
    return this.db.stockLevel.findMany({ where: { productId: { in: [...productIds] } } });
  }
}
