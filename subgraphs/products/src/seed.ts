import { demoIds, insertInChunks, pick, prng, type SeedPlan } from '@supergraph/service-kit';
import type { PrismaClient } from './generated/prisma/client.ts';
import { ProductStore } from './store.ts';
import { demoCatalogSignals, slugify } from './catalog-signals.ts';

const CATEGORY_NAMES = [
  'Audio', 'Books', 'Cameras', 'Computers', 'Fitness', 'Garden',
  'Home', 'Kitchen', 'Outdoors', 'Phones', 'Toys', 'Wearables',
  'Office', 'Pets', 'Beauty', 'Games', 'Music', 'Travel', 'Tools', 'Baby',
];
const ADJECTIVES = ['Compact', 'Deluxe', 'Eco', 'Rugged', 'Smart', 'Classic', 'Ultra', 'Nimble', 'Silent', 'Bright', 'Modular', 'Vintage'];
const NOUNS = ['Speaker', 'Lamp', 'Backpack', 'Kettle', 'Monitor', 'Tent', 'Watch', 'Camera', 'Blender', 'Chair', 'Drone', 'Notebook', 'Headphones', 'Bottle'];
const MATERIALS = ['bamboo', 'recycled aluminium', 'walnut', 'carbon fibre', 'organic cotton', 'stainless steel', 'ceramic'];

/** Categories and products of the demo data set; nothing happens when products exist already. */
export async function seedProducts(db: PrismaClient, plan: SeedPlan): Promise<Record<string, number> | null> {
  if ((await db.product.count({ take: 1 })) > 0) return null;
  const categories = Array.from({ length: plan.categories }, (_, i) => {
    const name = CATEGORY_NAMES[i % CATEGORY_NAMES.length]! + (i >= CATEGORY_NAMES.length ? ` ${Math.floor(i / CATEGORY_NAMES.length) + 1}` : '');
    return { id: demoIds.category(i), name, slug: slugify(name) };
  });
  await db.category.createMany({ data: categories });

  const random = prng(20261122);
  const signals = demoCatalogSignals(plan);
  // Newest last: product i was added i minutes after the first, so NEWEST is a real order.
  const firstAddedAt = Date.UTC(2025, 0, 1);
  const products = Array.from({ length: plan.products }, (_, i) => {
    const name = `${pick(random, ADJECTIVES)} ${pick(random, NOUNS)} ${i + 1}`;
    return {
      id: demoIds.product(i),
      sku: `SKU-${String(i + 1).padStart(7, '0')}`,
      slug: slugify(name),
      name,
      description: `A ${name.toLowerCase()} made of ${pick(random, MATERIALS)}, built to last.`,
      priceCents: 199 + Math.floor(random() * 49_800),
      currency: 'USD',
      weightGrams: 50 + Math.floor(random() * 19_950),
      categoryId: categories[i % categories.length]!.id,
      createdAt: new Date(firstAddedAt + i * 60_000),
      ...signals[i]!,
      // Inventory seeds its stock rows at version 0: any change there is newer than this copy.
      inStockVersion: 0n,
    };
  });
  const store = new ProductStore(db);
  await insertInChunks(products, 10_000, (chunk) => store.insertProducts(chunk));
  await store.refreshStatistics();
  return { categories: categories.length, products: products.length };
}
