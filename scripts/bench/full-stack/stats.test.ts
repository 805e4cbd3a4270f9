import { describe, expect, it } from 'vitest';
import { BenchSettingError, evaluateGate, highestPassingRate, parseMix, percentile, pickByWeight, rateSteps } from './stats.ts';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose

  it('takes the value at or below which p % of the values lie', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
  });

  it('rounds the rank up on small samples (a single slow request of ten is the p95)', () => {
    expect(percentile([5, 1, 3, 2, 4, 6, 7, 8, 9, 900], 95)).toBe(900);
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([42], 99)).toBe(42);
  });

  it('is NaN without values and refuses a p outside 0..100', () => {
    expect(percentile([], 95)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('the load-test gate', () => {
  it('passes under 500 ms p95 and under 0.5 % errors', () => {
    expect(evaluateGate({ p95Ms: 499.9, errors: 4, requests: 1000 })).toEqual({ pass: true, reasons: [] });
  });

  it('fails at exactly the limits (they must be stayed under)', () => {
    expect(evaluateGate({ p95Ms: 500, errors: 0, requests: 1000 }).pass).toBe(false);
    expect(evaluateGate({ p95Ms: 10, errors: 5, requests: 1000 }).pass).toBe(false);
  });

  it('names every reason it failed', () => {
    const verdict = evaluateGate({ p95Ms: 812, errors: 30, requests: 1000 });
    expect(verdict.pass).toBe(false);
    expect(verdict.reasons).toEqual(['p95 812 ms ≥ 500 ms', 'errors 3.00 % ≥ 0.5 %']);
  });

  it('fails a step with no answers or no latency', () => {
    expect(evaluateGate({ p95Ms: Number.NaN, errors: 0, requests: 0 })).toEqual({ pass: false, reasons: ['no requests answered'] });
    expect(evaluateGate({ p95Ms: Number.NaN, errors: 0, requests: 10 }).pass).toBe(false);
  });

  it('takes another gate', () => {
    expect(evaluateGate({ p95Ms: 150, errors: 0, requests: 10 }, { p95Ms: 100, errorRate: 0.01 }).pass).toBe(false);
  });
});

describe('rate steps', () => {
  it('multiplies by the factor and ends on the cap itself', () => {
    expect(rateSteps(10, 1.5, 60)).toEqual([10, 15, 22.5, 33.8, 50.6, 60]);
  });

  it('stops exactly at a cap the steps land on', () => {
    expect(rateSteps(10, 2, 40)).toEqual([10, 20, 40]);
  });

  it('is one step when the cap is the start (or rounds to it)', () => {
    expect(rateSteps(10, 1.5, 10)).toEqual([10]);
    expect(rateSteps(10, 1.5, 10.01)).toEqual([10]);
  });

  it('refuses settings that would never climb', () => {
    expect(() => rateSteps(0, 1.5, 10)).toThrow(RangeError);
    expect(() => rateSteps(10, 1, 100)).toThrow(RangeError);
    expect(() => rateSteps(10, 1.5, 5)).toThrow(RangeError);
  });
});

describe('the highest passing rate', () => {
  it('is the last rate before the first failure', () => {
    expect(highestPassingRate([{ rate: 10, pass: true }, { rate: 15, pass: true }, { rate: 22.5, pass: false }])).toBe(15);
  });

  it('ignores a pass after a failure (noise, not capacity)', () => {
    expect(highestPassingRate([{ rate: 10, pass: true }, { rate: 15, pass: false }, { rate: 22.5, pass: true }])).toBe(10);
  });

  it('is null when the first step fails', () => {
    expect(highestPassingRate([{ rate: 10, pass: false }])).toBeNull();
  });
});

describe('the operation mix', () => {
  const known = ['Catalog', 'ProductPage', 'Me'] as const;

  it('reads Name=weight pairs; operations not named get 0', () => {
    expect(parseMix('Catalog=3, ProductPage = 1', known)).toEqual({ Catalog: 3, ProductPage: 1, Me: 0 });
  });

  it('refuses unknown names, bad weights and an all-zero mix with a stable code', () => {
    for (const text of ['Checkout=1', 'Catalog=-1', 'Catalog=1.5', 'Catalog', 'Catalog=0,Me=0']) {
      const error = (() => {
        try {
          parseMix(text, known);
        } catch (e) {
          return e;
        }
      })();
      expect(error, text).toBeInstanceOf(BenchSettingError);
      expect((error as BenchSettingError).code).toBe('BENCH_SETTING_INVALID');
    }
  });

  it('picks by weight across the unit interval and never picks a zero weight', () => {
    const weights = { Catalog: 1, ProductPage: 0, Me: 3 };
    expect(pickByWeight(weights, 0)).toBe('Catalog');
    expect(pickByWeight(weights, 0.2499)).toBe('Catalog');
    expect(pickByWeight(weights, 0.25)).toBe('Me');
    expect(pickByWeight(weights, 0.9999)).toBe('Me');
    const counts = { Catalog: 0, ProductPage: 0, Me: 0 };
    for (let i = 0; i < 1000; i++) counts[pickByWeight(weights, i / 1000)] += 1;
    expect(counts).toEqual({ Catalog: 250, ProductPage: 0, Me: 750 });
  });
});
