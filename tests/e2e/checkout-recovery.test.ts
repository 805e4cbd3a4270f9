import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { IDENTITY_HEADER, demoIds, openDatabase, signIdentityToken } from '@supergraph/service-kit';
import { dropServiceDatabases, ensureServiceDatabases } from '../../scripts/local-databases.ts';
import { sql } from '../support/db.ts';
import { ordersEnvInStack, startServiceProcess } from '../support/processes.ts';
import { graphql, stack } from '../support/graphql.ts';

/**
 * A real orders process is killed (SIGKILL, by the SAGA_CRASH_AFTER test hook) between reserving
 * stock and charging; a new process on the same database must drive the order to a consistent end.
 * The orders processes get their own database here, so nothing else touches it meanwhile.
 */
// Straight to the orders subgraph, so only its own fields.
const PLACE_ORDER = 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }';
const runId = `crash${Date.now().toString(36)}`;
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

async function ordersDatabase(): Promise<{ env: Record<string, string>; query: (text: string, params?: unknown[]) => Promise<any[]> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const url = (await ensureServiceDatabases(serverUrl, runId, ['orders'])).orders!;
    cleanups.push(() => dropServiceDatabases(serverUrl, runId, ['orders']));
    return { env: { DATABASE_URL: url }, query: (text, params) => queryOnce(url, text, params) };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'orders-crash-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  // Embedded: the dead process's PGlite folder is opened by whoever reads it next.
  return {
    env: { DATA_DIR: dataDir },
    query: async (text, params) => {
      const location = await openDatabase({ dataDir });
      try {
        return await queryOnce(location.connectionString, text, params);
      } finally {
        await location.close();
      }
    },
  };
}

async function queryOnce(connectionString: string, text: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** A real orders process on this test's database, on free ports (public and metrics). */
function startOrdersProcess(env: Record<string, string>) {
  return startServiceProcess('subgraphs/orders/src/index.ts', ordersEnvInStack({ NODE_ENV: 'test', ...env }));
}

describe('checkout crash safety', () => {
  it('finishes an order whose process died between reservation and charge, after a restart', async () => {
    const productId = demoIds.product(270);
    await sql('inventory', 'UPDATE stock_levels SET available = 10 WHERE product_id = $1', [productId]);
    const database = await ordersDatabase();
    const identity = await signIdentityToken({ id: `crash-user-${runId}`, role: 'USER' }, stack().secrets.internalToken, 'orders');
    const input = { idempotencyKey: 'crash-1', items: [{ productId, quantity: 3 }], paymentToken: 'tok_visa' };

    // 1. A process that dies right after inventory reserved the stock.
    const doomed = await startOrdersProcess({ ...database.env, SAGA_CRASH_AFTER: 'RESERVED', RECOVERY_GRACE_MS: '3600000' });
    const answer = await graphql(`${doomed.url}/graphql`, PLACE_ORDER, { input }, { [IDENTITY_HEADER]: identity }).catch((error: Error) => error);
    expect(answer).toBeInstanceOf(Error); // the connection died with the process
    expect((await doomed.exit).signal).toBe('SIGKILL');

    const [stuck] = await database.query(`SELECT id, status, checkout_step FROM orders WHERE idempotency_key = 'crash-1'`);
    expect(stuck).toMatchObject({ status: 'PENDING', checkout_step: 'RESERVED' });
    expect(await database.query('SELECT * FROM test_payment_charges')).toEqual([]);
    const stockAfterCrash = await sql('inventory', 'SELECT available FROM stock_levels WHERE product_id = $1', [productId]);
    expect(stockAfterCrash[0]!.available).toBe(7);

    // 2. A new process recovers it on start-up.
    const restarted = await startOrdersProcess({ ...database.env, RECOVERY_GRACE_MS: '0' });
    const deadline = Date.now() + 20_000;
    let status = 'PENDING';
    while (status === 'PENDING' && Date.now() < deadline) {
      const response = await graphql(`${restarted.url}/graphql`, '{ order(id: "' + stuck!.id + '") { status } }', {}, { [IDENTITY_HEADER]: identity });
      status = response.data?.order?.status ?? 'PENDING';
      if (status === 'PENDING') await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe('CONFIRMED');

    // The same request repeated by the client now returns that order, without charging again.
    const repeated = await graphql(`${restarted.url}/graphql`, PLACE_ORDER, { input }, { [IDENTITY_HEADER]: identity });
    expect(repeated.data!.placeOrder).toMatchObject({ id: stuck!.id, status: 'CONFIRMED' });
    restarted.child.kill('SIGTERM');
    expect((await restarted.exit).code).toBe(0);

    const charges = await database.query('SELECT idempotency_key, status, amount_cents FROM test_payment_charges');
    const [order] = await database.query('SELECT total_cents, checkout_step, payment_token FROM orders WHERE id = $1', [stuck!.id]);
    expect(charges).toEqual([{ idempotency_key: stuck!.id, status: 'SUCCEEDED', amount_cents: order!.total_cents }]);
    expect(order).toMatchObject({ checkout_step: 'DONE', payment_token: null });
    expect((await sql('inventory', 'SELECT available FROM stock_levels WHERE product_id = $1', [productId]))[0]!.available).toBe(7);
    expect(await sql('inventory', 'SELECT quantity, status FROM reservations WHERE order_id = $1', [stuck!.id])).toEqual([{ quantity: 3, status: 'RESERVED' }]);
  });
});
