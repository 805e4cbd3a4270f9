import type { WindowResult } from './load.ts';

/** One measured window of one variant on one query. */
export interface Measurement extends WindowResult {
  round: number;
  variant: string;
  query: string;
  /** Gateway CPU (user + system) per request, ms; undefined without /proc. */
  cpuMsPerRequest: number | undefined;
  subgraphRequestsPerQuery: number;
  representationsPerQuery: number;
  /** Fields the stubs could not answer from the recording (should be 0). */
  stubMisses: number;
}

export const median = (values: number[]): number => {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!finite.length) return NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
};

const fixed = (value: number | undefined, digits: number) => (value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits));

export function roundLine(m: Measurement): string {
  const failed = Object.entries(m.outcomes).filter(([k]) => k !== 'ok');
  return (
    `round ${m.round} | ${m.query} | ${m.variant}: ${fixed(m.perSecond, 1)}/s (${m.requests} in ${m.seconds.toFixed(1)} s), ` +
    `p50 ${fixed(m.p50, 1)} p95 ${fixed(m.p95, 1)} p99 ${fixed(m.p99, 1)} ms, CPU ${fixed(m.cpuMsPerRequest, 2)} ms/req, ` +
    `subgraph ${fixed(m.subgraphRequestsPerQuery, 2)} req / ${fixed(m.representationsPerQuery, 1)} reps per query, ${Math.round(m.bytes)} B` +
    (failed.length ? `; NOT OK: ${JSON.stringify(Object.fromEntries(failed))}` : '') +
    (m.stubMisses ? `; stub misses ${m.stubMisses}` : '')
  );
}

/** The summary table of one query: medians over rounds, ratios to the baseline variant's median RPS. */
export function summaryTable(query: string, measurements: Measurement[], variants: string[], baseline: string): string {
  const rows = variants
    .map((variant) => ({ variant, ms: measurements.filter((m) => m.query === query && m.variant === variant) }))
    .filter((r) => r.ms.length);
  const base = median(measurements.filter((m) => m.query === query && m.variant === baseline).map((m) => m.perSecond));
  const lines = [
    `${query}: median of rounds`,
    '| variant | RPS | vs (a) | p50 ms | p95 ms | p99 ms | CPU-ms/req | subgraph req/query | reps/query | rounds | not ok |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { variant, ms } of rows) {
    const rps = median(ms.map((m) => m.perSecond));
    const notOk = ms.reduce((sum, m) => sum + Object.entries(m.outcomes).filter(([k]) => k !== 'ok').reduce((s, [, n]) => s + n, 0), 0);
    lines.push(
      `| ${variant} | ${fixed(rps, 1)} | ${Number.isFinite(base) ? `${(rps / base).toFixed(2)}x` : 'n/a'} | ${fixed(median(ms.map((m) => m.p50)), 1)} | ` +
        `${fixed(median(ms.map((m) => m.p95)), 1)} | ${fixed(median(ms.map((m) => m.p99)), 1)} | ` +
        `${fixed(median(ms.map((m) => m.cpuMsPerRequest ?? NaN)), 2)} | ${fixed(median(ms.map((m) => m.subgraphRequestsPerQuery)), 2)} | ` +
        `${fixed(median(ms.map((m) => m.representationsPerQuery)), 1)} | ${ms.length} | ${notOk} |`,
    );
  }
  return lines.join('\n');
}
