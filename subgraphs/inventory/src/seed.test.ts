import { describe, it, expect } from 'vitest';
import { demoIds } from '@supergraph/service-kit';
import { FIRST_PRODUCT_MIN_UNITS, MAX_SEEDED_UNITS, demoStockLevel, demoStockLevels } from './seed.ts';

describe('demoStockLevels', () => {
  const levels = demoStockLevels(20_000);

  it('is the same on every run', () => {
    expect(demoStockLevels(20_000)).toEqual(levels);
  });

  it('gives product i the same stock whatever the scale', () => {
    expect(demoStockLevels(500)).toEqual(levels.slice(0, 500));
  });

  it('has one row per demo product, with the demo product ids', () => {
    expect(levels).toHaveLength(20_000);
    expect(levels[0]!.productId).toBe(demoIds.product(0));
    expect(levels[19_999]!.productId).toBe(demoIds.product(19_999));
    expect(new Set(levels.map((level) => level.productId)).size).toBe(20_000);
  });

  it('keeps every level a whole number between 0 and the maximum', () => {
    const outOfRange = levels.filter(({ available }) => !Number.isInteger(available) || available < 0 || available > MAX_SEEDED_UNITS);
    expect(outOfRange).toEqual([]);
  });

  it('has about 5% of products out of stock and the rest in stock', () => {
    const outOfStock = levels.filter((level) => level.available === 0).length / levels.length;
    expect(outOfStock).toBeGreaterThan(0.04);
    expect(outOfStock).toBeLessThan(0.06);
    // The in-stock amounts spread over the whole range, not a few values.
    expect(new Set(levels.map((level) => level.available)).size).toBe(MAX_SEEDED_UNITS + 1);
  });

  it('always stocks the first product well', () => {
    for (const count of [1, 2, 10, 20_000]) {
      expect(demoStockLevels(count)[0]!.available).toBeGreaterThanOrEqual(FIRST_PRODUCT_MIN_UNITS);
    }
  });

  it('stays fast at 100,000 products', () => {
    const started = performance.now();
    expect(demoStockLevels(100_000)).toHaveLength(100_000);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('demoStockLevel', () => {
  const always = (value: number) => () => value;

  it('keeps the first product orderable even on the worst draws', () => {
    // A draw of 0 says "out of stock" and "1 unit": product 0 still gets the minimum.
    expect(demoStockLevel(0, always(0))).toBe(FIRST_PRODUCT_MIN_UNITS);
    expect(demoStockLevel(0, always(0.999_999))).toBe(MAX_SEEDED_UNITS);
  });

  it('puts other products out of stock below the share, and in stock from 1 to the maximum above it', () => {
    expect(demoStockLevel(1, always(0))).toBe(0);
    expect(demoStockLevel(1, always(0.049))).toBe(0);
    expect(demoStockLevel(1, always(0.05))).toBe(1 + Math.floor(0.05 * MAX_SEEDED_UNITS));
    expect(demoStockLevel(1, always(0.999_999))).toBe(MAX_SEEDED_UNITS);
  });
});
