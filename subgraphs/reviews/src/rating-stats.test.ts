import { describe, expect, it } from 'vitest';
import { roundedMeanRating } from './rating-stats.ts';

describe('roundedMeanRating', () => {
  it('is null while there are no reviews', () => {
    expect(roundedMeanRating(0, 0)).toBeNull();
  });

  it('is the mean to two decimals', () => {
    expect(roundedMeanRating(5, 1)).toBe(5);
    expect(roundedMeanRating(25, 6)).toBe(4.17);
    expect(roundedMeanRating(13, 3)).toBe(4.33);
    expect(roundedMeanRating(21, 5)).toBe(4.2);
  });

  it('rounds exact halves up, where dividing first would round them down', () => {
    // 41 / 40 = 1.025; as a float that is 1.02499…, so rounding the average would give 1.02.
    expect(roundedMeanRating(41, 40)).toBe(1.03);
    expect(roundedMeanRating(201, 200)).toBe(1.01);
    expect(roundedMeanRating(33, 8)).toBe(4.13);
  });
});
