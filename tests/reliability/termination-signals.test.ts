import { beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY_HEADER, demoIds, signIdentityToken } from '@supergraph/service-kit';
import { sql } from '../support/db.ts';
import { graphql, stack, type GraphQLResponse } from '../support/graphql.ts';
import { ordersEnvInStack, ownDatabase, startServiceProcess } from '../support/processes.ts';
import { newUser } from '../support/users.ts';
import { within } from '../support/wait.ts';

/**
 * A rolling deploy sends SIGTERM to a process that is serving. Real processes here, in
 * development mode (where Apollo Server's own termination handler would be on), with the orders
 * subgraph's test payment provider slowed down so that a placeOrder is in flight when the signal
 * comes. Before runService owned the signals, Apollo re-sent SIGTERM after stopping, our handler
 * took it for a second one, and every service exited 1 with the request cut off.
 */
const PLACE_ORDER = 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }';
const PAYMENT_LATENCY_MS = 3_000;
const runId = `sig${Date.now().toString(36)}`;

const ordersEnv = (database: Record<string, string>, extra: Record<string, string> = {}) =>
  ordersEnvInStack({ NODE_ENV: 'development', TEST_PAYMENT_LATENCY_MS: String(PAYMENT_LATENCY_MS), ...database, ...extra });

const available = async (productId: string) => (await sql('inventory', 'SELECT available FROM stock_levels WHERE product_id = $1', [productId]))[0]!.available as number;

/**
 * Sends a placeOrder and resolves once it is in flight at the payment step: inventory has
 * reserved its stock, and the slowed payment keeps the request open for PAYMENT_LATENCY_MS.
 * (The answer is wrapped: an async function would otherwise wait for it.)
 */
async function slowOrderInFlight(send: (input: Record<string, unknown>) => Promise<GraphQLResponse>, product: number, key: string) {
  const productId = demoIds.product(product);
  await sql('inventory', 'UPDATE stock_levels SET available = 100 WHERE product_id = $1', [productId]);
  const answer = send({ idempotencyKey: `${runId}-${key}`, items: [{ productId, quantity: 1 }], paymentToken: 'tok_visa' }).catch((error: Error) => error);
  await within(60_000, async () => (await available(productId)) < 100);
  return { answer };
}

async function ordersProcess(database: Record<string, string>, extra: Record<string, string> = {}) {
  const orders = await startServiceProcess('subgraphs/orders/src/index.ts', ordersEnv(database, extra));
  // A fresh identity token per request, as the gateway mints them: one lives 15 s, less than a
  // slow machine may take between starting orders and the last request of a test.
  const send = async (input: Record<string, unknown>) =>
    graphql(`${orders.url}/graphql`, PLACE_ORDER, { input }, { [IDENTITY_HEADER]: await signIdentityToken({ id: `${runId}-user`, role: 'USER' }, stack().secrets.internalToken, 'orders') });
  return { orders, send };
}

// Each test starts real processes through tsx: slow on a busy machine.
describe('SIGTERM during a slow request', { timeout: 300_000 }, () => {
  let database: Record<string, string>;
  beforeAll(async () => {
    database = await ownDatabase('orders');
  });

  it('a subgraph finishes the request in flight with its full answer and exits 0; the gateway too', async () => {
    const { orders, send: sendToOrders } = await ordersProcess(database);
    // Development mode: no stack trace on an error the caller caused (issue 10 §6).
    const invalid = await sendToOrders({ idempotencyKey: `${runId}-invalid`, items: [{ productId: demoIds.product(290), quantity: 0 }], paymentToken: 'tok_visa' });
    expect(invalid.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(invalid.errors)).not.toContain('stacktrace');

    const gateway = await startServiceProcess('gateway/src/index.ts', {
      NODE_ENV: 'development',
      JWT_SECRET: stack().secrets.userToken,
      INTERNAL_TOKEN_SECRET: stack().secrets.internalToken,
      ...(stack().redisUrl ? { REDIS_URL: stack().redisUrl, REDIS_KEY_PREFIX: `${runId}:` } : {}),
      PRODUCTS_SUBGRAPH_URL: stack().subgraphs.products.url,
      USERS_SUBGRAPH_URL: stack().subgraphs.users.url,
      ORDERS_SUBGRAPH_URL: `${orders.url}/graphql`,
      INVENTORY_SUBGRAPH_URL: stack().subgraphs.inventory.url,
      REVIEWS_SUBGRAPH_URL: stack().subgraphs.reviews.url,
    });
    const user = await newUser('sigterm');
    const sendToGateway = (input: Record<string, unknown>) => graphql(`${gateway.url}/graphql`, PLACE_ORDER, { input }, { authorization: `Bearer ${user.token}` });

    // Through a development gateway: relayed or its own, a caller's error has no stack trace.
    const relayed = await sendToGateway({ idempotencyKey: `${runId}-invalid-gw`, items: [{ productId: demoIds.product(290), quantity: 0 }], paymentToken: 'tok_visa' });
    expect(relayed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(relayed.errors)).not.toContain('stacktrace');
    const unknownField = await graphql(`${gateway.url}/graphql`, '{ noSuchField }');
    expect(unknownField.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(unknownField.errors)).not.toContain('stacktrace');

    // The gateway gets SIGTERM while it waits for the slow order.
    const throughGateway = await slowOrderInFlight(sendToGateway, 290, 'gateway');
    gateway.child.kill('SIGTERM');
    const gatewayAnswer = await throughGateway.answer;
    expect(gatewayAnswer).toMatchObject({ status: 200, data: { placeOrder: { status: 'CONFIRMED' } } });
    expect(await gateway.exit).toEqual({ code: 0, signal: null });

    // The subgraph gets SIGTERM while it waits for the slow payment.
    const direct = await slowOrderInFlight(sendToOrders, 291, 'subgraph');
    orders.child.kill('SIGTERM');
    const directAnswer = await direct.answer;
    expect(directAnswer).toMatchObject({ status: 200, data: { placeOrder: { status: 'CONFIRMED' } } });
    expect(await orders.exit).toEqual({ code: 0, signal: null });
  });

  it('a second signal during the drain exits at once, non-zero', async () => {
    const { orders, send } = await ordersProcess(database);
    const inFlight = await slowOrderInFlight(send, 292, 'second-signal');
    orders.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200)); // the first one is being handled
    orders.child.kill('SIGTERM');
    expect(await orders.exit).toEqual({ code: 1, signal: null });
    expect(await inFlight.answer).toBeInstanceOf(Error); // cut off: it did not wait for the payment
  });

  it('a drain that outlives SHUTDOWN_TIMEOUT_MS is cut short, non-zero', async () => {
    const { orders, send } = await ordersProcess(database, { SHUTDOWN_TIMEOUT_MS: '500' });
    const inFlight = await slowOrderInFlight(send, 293, 'deadline');
    orders.child.kill('SIGTERM');
    expect(await orders.exit).toEqual({ code: 1, signal: null });
    expect(await inFlight.answer).toBeInstanceOf(Error);
  });
});
