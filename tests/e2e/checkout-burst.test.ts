import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { demoIds } from '@supergraph/service-kit';
import { sql } from '../support/db.ts';
import { startGatewayReplica } from '../support/gateways.ts';
import { isOverloadRefusal, placeOrderOnce, placeOrderRetrying, type PlaceOrderAnswer } from '../support/orders.ts';
import { newUser } from '../support/users.ts';

/**
 * A flash sale on a busy machine (issue 10): 200 concurrent placeOrder calls on whatever database
 * the stack runs on (the embedded PGlite, whose pool is one connection, or PostgreSQL) while
 * another process burns a CPU. Every call must be answered with its order or with a retryable
 * refusal (SERVICE_OVERLOADED, ADR 0012), never SUBGRAPH_UNAVAILABLE or an internal error, and no
 * breaker may open; retried with the same key, each refused call gets its one order; stock is exact.
 * Demo products 240..249 belong to this file.
 */
const CALLS = 200;
const STOCK = 80;
const BURN_MS = 50_000; // the burner stops by itself even if the test dies without killing it

let burner: ChildProcess | null = null;
const stopBurner = () => {
  if (burner && burner.exitCode === null && burner.signalCode === null) burner.kill('SIGKILL');
  burner = null;
};
afterAll(stopBurner);

/** Another process keeping one core busy for at most BURN_MS. */
function burnCpu(): ChildProcess {
  return spawn(process.execPath, ['-e', `const end = Date.now() + ${BURN_MS}; while (Date.now() < end) {}`], { stdio: 'ignore' });
}

const codesOf = (answer: PlaceOrderAnswer) => (answer.errors ?? []).map((e) => e.extensions?.code);

describe('a flash sale on a busy machine', () => {
  it('answers 200 concurrent orders with the order or a retryable refusal, and completes every refused one on retry, stock exact', { timeout: 120_000 }, async () => {
    const productId = demoIds.product(240);
    await sql('inventory', 'UPDATE stock_levels SET available = $2 WHERE product_id = $1', [productId, STOCK]);
    const users = await Promise.all(Array.from({ length: 20 }, (_, i) => newUser(`burst${i}`)));
    // A gateway of this test's own: its breakers start closed, whatever other files did.
    const gateway = await startGatewayReplica({ rateLimit: { pointsPerMinute: 1_000_000, whenRedisDown: 'open' } });
    const calls = Array.from({ length: CALLS }, (_, i) => ({ user: users[i % users.length]!, input: { idempotencyKey: `burst-${i}`, items: [{ productId, quantity: 1 }] } }));

    burner = burnCpu();
    try {
      // 1. The burst: each answer is an order, or a refusal to retry (503 + Retry-After, SERVICE_OVERLOADED).
      const started = performance.now();
      let slowestMs = 0;
      const first = await Promise.all(
        calls.map(({ user, input }) => placeOrderOnce(gateway.url, user.token, input).finally(() => (slowestMs = performance.now() - started))),
      );
      const refused = first.flatMap((answer, i) => (isOverloadRefusal(answer) ? [i] : []));
      const unexpected = first.filter((answer, i) => {
        if (refused.includes(i)) return answer.status !== 503 || !answer.retryAfter;
        // An order, possibly with a busy subgraph's fields (product name, stock) missing.
        return !answer.data?.placeOrder?.id || codesOf(answer).some((code) => code !== 'SERVICE_OVERLOADED');
      });
      expect(unexpected.map((answer) => ({ status: answer.status, order: !!answer.data?.placeOrder, errors: answer.errors?.map((e) => e.extensions) }))).toEqual([]);

      // 2. Every refused call, retried with its key, gets its order.
      const retried = await Promise.all(refused.map((i) => placeOrderRetrying(gateway.url, calls[i]!.user.token, calls[i]!.input)));
      for (const { answer } of retried) {
        expect(codesOf(answer).filter((code) => code !== 'SERVICE_OVERLOADED')).toEqual([]);
        expect(answer.data?.placeOrder?.id).toEqual(expect.any(String));
      }
      const answers = first.map((answer, i) => (refused.includes(i) ? retried[refused.indexOf(i)]!.answer : answer));

      // 3. A client that lost an answer and repeats its request gets the same order, never a second.
      const repeats = await Promise.all(calls.slice(0, 20).map(({ user, input }) => placeOrderRetrying(gateway.url, user.token, input)));
      repeats.forEach(({ answer }, i) => expect(answer.data?.placeOrder?.id).toBe(answers[i]!.data!.placeOrder!.id));

      // 4. No breaker opened and the gateway counted nothing but overload refusals.
      const metrics = await gateway.metrics();
      expect(metrics).not.toMatch(/subgraph_circuit_open\{[^}]*\} 1/);
      const failures = metrics.split('\n').filter((line) => line.startsWith('subgraph_fetch_errors_total{') && !line.includes('reason="overloaded"'));
      expect(failures).toEqual([]);
      console.info(`burst: ${refused.length} of ${CALLS} refused at first, the last answered after ${Math.round(slowestMs)} ms; ${retried.reduce((n, r) => n + r.refusals, 0)} refusals on retry`);
    } finally {
      stopBurner();
    }

    // 5. One order per key, the stock sold exactly once, nothing left unfinished.
    const stored = await sql('orders', `SELECT o.user_id, o.idempotency_key, o.status, o.rejection_reason, i.quantity FROM orders o JOIN order_items i ON i.order_id = o.id WHERE i.product_id = $1`, [productId]);
    expect(stored.length).toBe(CALLS);
    expect(new Set(stored.map((o) => `${o.user_id}/${o.idempotency_key}`)).size).toBe(CALLS);
    expect(stored.filter((o) => o.status !== 'CONFIRMED' && o.status !== 'REJECTED')).toEqual([]);
    const confirmed = stored.filter((o) => o.status === 'CONFIRMED').reduce((sum, o) => sum + o.quantity, 0);
    expect(confirmed).toBe(STOCK);
    expect(stored.filter((o) => o.status === 'REJECTED').every((o) => o.rejection_reason === 'OUT_OF_STOCK')).toBe(true);
    expect((await sql('inventory', 'SELECT available FROM stock_levels WHERE product_id = $1', [productId]))[0]!.available).toBe(0);
    const reserved = await sql('inventory', `SELECT coalesce(sum(quantity), 0)::int AS units FROM reservations WHERE product_id = $1 AND status = 'RESERVED'`, [productId]);
    expect(reserved[0]!.units).toBe(STOCK);
  });
});
