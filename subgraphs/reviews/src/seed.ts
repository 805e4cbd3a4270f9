import { demoReviewRows, type SeedPlan } from '@supergraph/service-kit';
import type { PrismaClient, Review } from './generated/prisma/client.ts';
import { ReviewStore } from './store.ts';

// Rows per insert statement: bounds memory and statement size; the count of statements stays small.
const CHUNK_SIZE = 5_000;

/** The demo reviews: part of the shared seed plan, since products seeds its rating copies from them too. */
export { demoReviewRows as seedReviewRows } from '@supergraph/service-kit';

/**
 * The reviews of the demo data set; nothing happens when reviews exist already. Rows are built
 * a chunk at a time, so 500,000 reviews never sit in memory at once.
 */
export async function seedReviews(db: PrismaClient, plan: SeedPlan): Promise<Record<string, number> | null> {
  const store = new ReviewStore(db);
  if (await store.hasAnyReview()) return null;
  let chunk: Review[] = [];
  let inserted = 0;
  for (const row of demoReviewRows(plan)) {
    chunk.push(row);
    if (chunk.length === CHUNK_SIZE) {
      inserted += await store.insertMany(chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) inserted += await store.insertMany(chunk);
  await store.refreshStatistics();
  return { reviews: inserted };
}
