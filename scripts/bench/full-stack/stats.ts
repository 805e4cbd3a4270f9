// The pure arithmetic of `npm run bench:full-stack`: percentiles, the load-test gate, the rate
// steps and the operation mix. No I/O here, so scripts/bench/full-stack/stats.test.ts pins it down.

/** The load-test gate of our case studies: p95 under 500 ms and under 0.5 % errors. */
export const GATE = { p95Ms: 500, errorRate: 0.005 } as const;

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in 0..100`);
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least p % of the values at or below it.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export interface GateVerdict {
  pass: boolean;
  /** Why it failed, in words (empty when it passed). */
  reasons: string[];
}

/** p95 must stay under GATE.p95Ms and errors under GATE.errorRate; a step with no answers fails. */
export function evaluateGate(step: { p95Ms: number; errors: number; requests: number }, gate: { p95Ms: number; errorRate: number } = GATE): GateVerdict {
  const reasons: string[] = [];
  if (step.requests === 0) return { pass: false, reasons: ['no requests answered'] };
  if (!(step.p95Ms < gate.p95Ms)) reasons.push(`p95 ${step.p95Ms.toFixed(0)} ms ≥ ${gate.p95Ms} ms`);
  const rate = step.errors / step.requests;
  if (!(rate < gate.errorRate)) reasons.push(`errors ${(rate * 100).toFixed(2)} % ≥ ${(gate.errorRate * 100).toFixed(1)} %`);
  return { pass: reasons.length === 0, reasons };
}

/**
 * The offered rates, start ×factor per step up to max (the last step is max itself, so the cap
 * is always tried), rounded to 0.1/s.
 */
export function rateSteps(start: number, factor: number, max: number): number[] {
  if (!(start > 0) || !(factor > 1) || !(max >= start)) throw new RangeError(`rate steps need start > 0, factor > 1 and max ≥ start (got ${start}, ${factor}, ${max})`);
  const round = (r: number) => Math.round(r * 10) / 10;
  // start × factor^i, rounded only for display (rounding each step would compound).
  const steps = [round(start)];
  for (let exact = start; exact < max; ) {
    exact = Math.min(exact * factor, max);
    if (round(exact) > steps.at(-1)!) steps.push(round(exact));
  }
  return steps;
}

/** The highest offered rate that passed before the first failing step (later steps do not count). */
export function highestPassingRate(steps: ReadonlyArray<{ rate: number; pass: boolean }>): number | null {
  let best: number | null = null;
  for (const step of steps) {
    if (!step.pass) break;
    best = step.rate;
  }
  return best;
}

export class BenchSettingError extends Error {
  readonly code = 'BENCH_SETTING_INVALID';
}

/** `Catalog=30,ProductPage=40`: weights by operation, each a whole number ≥ 0, some > 0, names from `known`. */
export function parseMix<Name extends string>(text: string, known: readonly Name[]): Record<Name, number> {
  const weights = Object.fromEntries(known.map((name) => [name, 0])) as Record<Name, number>;
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Za-z]+)\s*=\s*(\d+)$/.exec(part);
    if (!match) throw new BenchSettingError(`BENCH_MIX: "${part}" is not Name=weight (a whole number)`);
    const name = match[1] as Name;
    if (!known.includes(name)) throw new BenchSettingError(`BENCH_MIX: unknown operation ${name} (known: ${known.join(', ')})`);
    weights[name] = Number(match[2]);
  }
  if (Object.values<number>(weights).every((w) => w === 0)) throw new BenchSettingError('BENCH_MIX: every weight is 0');
  return weights;
}

/** Picks an operation by weight for a uniform draw u in [0, 1). */
export function pickByWeight<Name extends string>(weights: Record<Name, number>, u: number): Name {
  const entries = Object.entries(weights) as Array<[Name, number]>;
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let threshold = u * total;
  for (const [name, weight] of entries) {
    if (threshold < weight) return name;
    threshold -= weight;
  }
  return entries.filter(([, w]) => w > 0).at(-1)![0];
}
