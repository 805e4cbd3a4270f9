import { describe, expect, it } from 'vitest';
import { demoIds, seedPlan } from '@supergraph/service-kit';
import { seedReviewRows } from './seed.ts';

describe('seedReviewRows', () => {
  const plan = seedPlan(400); // 2,000 reviews by 300 users
  const reviews = [...seedReviewRows(plan)];

  it('is deterministic: the same plan gives the same reviews on every run', () => {
    expect([...seedReviewRows(plan)]).toEqual(reviews);
  });

  it('writes plan.reviews reviews with the shared demo ids, products and users', () => {
    expect(reviews).toHaveLength(plan.reviews);
    expect(reviews[0]).toMatchObject({ id: demoIds.review(0), productId: demoIds.product(0), authorId: demoIds.user(0) });
    // Review k is of product k mod P, in round ⌊k / P⌋, by author (7p + r) mod U.
    expect(reviews[403]).toMatchObject({ id: demoIds.review(403), productId: demoIds.product(3), authorId: demoIds.user(22) });
    expect(reviews[1999]).toMatchObject({ productId: demoIds.product(399), authorId: demoIds.user((399 * 7 + 4) % 300) });
  });

  it('never has one author review one product twice (the unique index would refuse the seed)', () => {
    const pairs = new Set(reviews.map((r) => `${r.productId}|${r.authorId}`));
    expect(pairs.size).toBe(reviews.length);
  });

  it('gives every product the same number of reviews', () => {
    const perProduct = new Map<string, number>();
    for (const r of reviews) perProduct.set(r.productId, (perProduct.get(r.productId) ?? 0) + 1);
    expect(new Set(perProduct.values())).toEqual(new Set([5]));
  });

  it('rates 1 to 5, skewed towards 4 and 5', () => {
    const counts = [0, 0, 0, 0, 0, 0];
    for (const r of reviews) counts[r.rating]!++;
    expect(counts[0]).toBe(0);
    expect(counts.slice(1).every((c) => c > 0)).toBe(true);
    expect(counts[4]! + counts[5]!).toBeGreaterThan(0.6 * reviews.length);
    expect(counts[1]!).toBeLessThan(counts[5]!);
  });

  it('writes a non-empty body and one review a minute from 2026-01-01', () => {
    expect(reviews.every((r) => r.body.length > 0)).toBe(true);
    expect(reviews[0]!.createdAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(reviews[61]!.createdAt.toISOString()).toBe('2026-01-01T01:01:00.000Z');
  });

  it('stays unique per product at the bench scale too (5 rounds, 15,000 users)', () => {
    const bench = seedPlan(100_000);
    const authorsOfProduct = (p: number) =>
      Array.from({ length: bench.reviews / bench.products }, (_, round) => (p * 7 + round) % bench.users);
    for (const p of [0, 2_142, 99_999]) expect(new Set(authorsOfProduct(p)).size).toBe(5);
  });
});
