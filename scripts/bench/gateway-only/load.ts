import { Pool } from 'undici';

export interface WindowResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** ok, errors (a GraphQL `errors` member), http_<status>, exception. */
  outcomes: Record<string, number>;
  /** Mean response body size. */
  bytes: number;
}

const ERRORS = Buffer.from('"errors"');

/**
 * A closed loop: `concurrency` clients, each sending its next request when the last one was
 * answered, over one keep-alive undici pool, until `seconds` have passed or `maxRequests` were sent.
 * The answer is read whole and checked cheaply (status, and no `"errors"` member) but not parsed.
 */
export async function closedLoop(options: {
  pool: Pool;
  path: string;
  bodies: string[];
  concurrency: number;
  seconds: number;
  maxRequests?: number | undefined;
}): Promise<WindowResult> {
  const { pool, path, bodies } = options;
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let bytes = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const limit = options.maxRequests ?? Infinity;
  const headers = { 'content-type': 'application/json' };
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline && next < limit) {
        const n = next++;
        const t0 = performance.now();
        let outcome: string;
        try {
          const response = await pool.request({ method: 'POST', path, headers, body: bodies[n % bodies.length] });
          const chunks: Buffer[] = [];
          for await (const chunk of response.body) chunks.push(chunk as Buffer);
          const body = Buffer.concat(chunks);
          bytes += body.length;
          outcome = response.statusCode !== 200 ? `http_${response.statusCode}` : body.includes(ERRORS) ? 'errors' : 'ok';
        } catch {
          outcome = 'exception';
        }
        latencies.push(performance.now() - t0);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    outcomes,
    bytes: latencies.length ? bytes / latencies.length : 0,
  };
}
