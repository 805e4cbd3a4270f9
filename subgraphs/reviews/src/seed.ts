import { demoIds, pick, prng, type SeedPlan } from '@supergraph/service-kit';
import type { PrismaClient, Review } from './generated/prisma/client.ts';
import { ReviewStore } from './store.ts';

// Cumulative shares per rating: most shoppers who bother to review are happy (≈ 5/7/13/35/40 %).
const RATING_CUMULATIVE = [0.05, 0.12, 0.25, 0.6, 1] as const;
const BODIES: Record<number, readonly string[]> = {
  1: ['Broke within a week. Would not buy again.', 'Nothing like the description. Returned it.', 'Arrived damaged and support never answered.'],
  2: ['Works, barely. Feels cheaper than the price suggests.', 'Disappointing build quality for the money.', 'Had high hopes; it does the job only half well.'],
  3: ['Does what it says, nothing more.', 'Decent for the price, a few rough edges.', 'Fine for occasional use.'],
  4: ['Very good overall; one small gripe with the finish.', 'Solid and well made. Would recommend.', 'Happy with it after a month of daily use.'],
  5: ['Excellent. Exactly what I was looking for.', 'Outstanding quality, fast delivery, five stars.', 'Best purchase this year, bought a second one as a gift.'],
};
const FIRST_CREATED_AT = Date.UTC(2026, 0, 1);
const MINUTE_MS = 60_000;
// Rows per insert statement: bounds memory and statement size; the count of statements stays small.
const CHUNK_SIZE = 5_000;

function skewedRating(random: () => number): number {
  const draw = random();
  return RATING_CUMULATIVE.findIndex((share) => draw < share) + 1;
}

/**
 * The demo reviews, one at a time and deterministic. Review k is of product k mod P, in round
 * r = ⌊k / P⌋, by author (7p + r) mod U: distinct authors per product while r < U, which holds
 * because the plan has 5 reviews per product and at least 300 users.
 */
export function* seedReviewRows(plan: SeedPlan): Generator<Review> {
  const random = prng(20261125);
  for (let k = 0; k < plan.reviews; k++) {
    const productIndex = k % plan.products;
    const round = Math.floor(k / plan.products);
    const rating = skewedRating(random);
    yield {
      id: demoIds.review(k),
      productId: demoIds.product(productIndex),
      authorId: demoIds.user((productIndex * 7 + round) % plan.users),
      rating,
      body: pick(random, BODIES[rating]!),
      createdAt: new Date(FIRST_CREATED_AT + k * MINUTE_MS),
    };
  }
}

/**
 * The reviews of the demo data set; nothing happens when reviews exist already. Rows are built
 * a chunk at a time, so 500,000 reviews never sit in memory at once.
 */
export async function seedReviews(db: PrismaClient, plan: SeedPlan): Promise<Record<string, number> | null> {
  const store = new ReviewStore(db);
  if (await store.hasAnyReview()) return null;
  let chunk: Review[] = [];
  let inserted = 0;
  for (const row of seedReviewRows(plan)) {
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
