/** A closed-loop load generator: `concurrency` workers send `total` requests; latencies in ms. */
export async function runLoad(total: number, concurrency: number, send: (n: number) => Promise<string>) {
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let n = next++; n < total; n = next++) {
        const t0 = performance.now();
        const outcome = await send(n).catch(() => 'exception');
        latencies.push(performance.now() - t0);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  return { perSecond: total / seconds, seconds, p50: pct(50), p95: pct(95), p99: pct(99), max: latencies.at(-1)!, outcomes };
}

export const formatLoad = (r: Awaited<ReturnType<typeof runLoad>>) =>
  `${r.perSecond.toFixed(1)}/s over ${r.seconds.toFixed(1)} s; latency ms p50 ${r.p50.toFixed(1)} p95 ${r.p95.toFixed(1)} p99 ${r.p99.toFixed(1)} max ${r.max.toFixed(1)}; ${JSON.stringify(r.outcomes)}`;
