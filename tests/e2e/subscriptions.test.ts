import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import WebSocket from 'ws';
import { createSubgraph, demoIds, signUserToken, type SubgraphService } from '@supergraph/service-kit';
import { ordersSubgraph } from '../../subgraphs/orders/src/subgraph.ts';
import { ordersEnvSchema } from '../../subgraphs/orders/src/env.ts';
import { dropServiceDatabases, ensureServiceDatabases } from '../../scripts/local-databases.ts';
import { repoPath } from '../../scripts/paths.ts';
import { graphql, gql, stack } from '../support/graphql.ts';
import { startGatewayReplica, stackSubgraphUrls } from '../support/gateways.ts';
import { operation } from '../support/operations.ts';
import { newUser } from '../support/users.ts';
import { within } from '../support/wait.ts';
import { subscribe, type Received } from '../support/subscriptions.ts';
import { persistedLists } from '@supergraph/sdk/persisted-lists';

/**
 * Subscriptions through the gateway (issue 11, ADR 0014), against the whole stack and gateway
 * replicas of this file's own. Orders go to an orders subgraph of this file's own whose test
 * payment provider takes a while, so that an order is still PENDING when placeOrder answers and
 * its CONFIRMED (or REJECTED) comes later, as an event. Products 150-159 are this file's.
 */


const clients: Client[] = [];
function wsClient(httpUrl: string, connectionParams: Record<string, unknown> = {}) {
  const closes: Array<{ code: number; reason: string }> = [];
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: true,
    retryAttempts: 0,
    shouldRetry: () => false,
    on: { closed: (event) => void closes.push({ code: (event as { code: number }).code, reason: (event as { reason: string }).reason }) },
  });
  clients.push(client);
  return { client, closes };
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let orders: SubgraphService<unknown>;
let ordersDatabases: { serverUrl: string; prefix: string } | undefined;
let replicaA: { url: string };
let replicaB: { url: string; metrics: () => Promise<string> };

beforeAll(async () => {
  const prefix = `sub${Date.now().toString(36)}`;
  const serverUrl = process.env.DATABASE_URL;
  const databaseUrl = serverUrl ? (await ensureServiceDatabases(serverUrl, prefix, ['orders'])).orders : undefined;
  if (serverUrl) ordersDatabases = { serverUrl, prefix };
  const subgraphs = stack().subgraphs;
  orders = await createSubgraph(ordersSubgraph, {
    nodeEnv: 'test',
    databaseUrl,
    dataDir: 'memory://',
    internalTokenSecret: stack().secrets.internalToken,
    seed: 'none',
    seedProducts: 1,
    log: pino({ level: 'silent' }),
    redisUrl: process.env.REDIS_URL,
    eventsChannelPrefix: `${prefix}:`,
    extra: ordersEnvSchema.parse({
      INVENTORY_URL: subgraphs.inventory.url.replace(/\/graphql$/, ''),
      PRODUCTS_SUBGRAPH_URL: subgraphs.products.url,
      INTERNAL_TOKEN_SECRET: stack().secrets.internalToken,
      TEST_PAYMENT_LATENCY_MS: 1_500,
      OUTBOX_INTERVAL_MS: 5_000,
      RECOVERY_INTERVAL_MS: 30_000,
      RECOVERY_GRACE_MS: 60_000,
    }),
  });
  const ordersUrl = `${(await orders.listen(0)).url}/graphql`;
  const subgraphUrls = { ...stackSubgraphUrls(), orders: ordersUrl };
  const limits = {
    rateLimit: { pointsPerMinute: 100_000, whenRedisDown: 'open' as const },
    trustedDocuments: { lists: persistedLists(), partnerKeys: new Map([[stack().secrets.partnerApiKey, 'partner-catalog']]) },
  };
  replicaA = await startGatewayReplica({ subgraphUrls, ...limits });
  replicaB = await startGatewayReplica({ subgraphUrls, ...limits });
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await orders?.close();
  if (ordersDatabases) await dropServiceDatabases(ordersDatabases.serverUrl, ordersDatabases.prefix, ['orders']);
});

/** The id of the user's order once the orders subgraph recorded it (PENDING, its payment under way). */
async function pendingOrderOf(userId: string): Promise<string> {
  const db = orders.db as { order: { findFirst(args: object): Promise<{ id: string; status: string } | null> } };
  let found: { id: string; status: string } | null = null;
  await within(10_000, async () => (found = await db.order.findFirst({ where: { userId } })) !== null);
  expect(found!.status).toBe('PENDING');
  return found!.id;
}

const placeOrder = (url: string, token: string, productId: string, paymentToken: string) =>
  graphql(url, operation('PlaceOrder'), { input: { idempotencyKey: `sub-${Math.random()}`, items: [{ productId, quantity: 1 }], paymentToken } }, bearer(token));

describe('orderStatusChanged', () => {
  it('shows a subscriber on replica B the order placed through replica A go from PENDING to CONFIRMED, with product names', async () => {
    const user = await newUser('sub-order');
    const placing = placeOrder(replicaA.url, user.token, demoIds.product(150), 'tok_visa');
    // While the payment is under way the order exists, PENDING: a client that knows its id (from an
    // earlier answer, another device) subscribes now. Its id is read where the subgraph keeps it.
    const orderId = await pendingOrderOf(user.id);
    const { client } = wsClient(replicaB.url, bearer(user.token));
    const received = subscribe(client, operation('OrderStatusChanged'), { orderId });
    expect((await placing).data?.placeOrder).toMatchObject({ id: orderId, status: 'CONFIRMED' });
    await within(15_000, async () => received.results.length >= 2);
    const statuses = received.results.map((r) => r.data?.orderStatusChanged?.status);
    expect(statuses).toEqual(['PENDING', 'CONFIRMED']);
    for (const result of received.results) {
      expect(result.errors).toBeUndefined();
      expect(result.data.orderStatusChanged).toMatchObject({ id: orderId, items: [{ quantity: 1, product: { id: demoIds.product(150), name: expect.any(String) } }] });
    }
    received.stop();
  });

  it('shows REJECTED for a declined payment', async () => {
    const user = await newUser('sub-declined');
    const placed = await placeOrder(replicaA.url, user.token, demoIds.product(151), 'tok_declined');
    const orderId = placed.data!.placeOrder.id as string;
    const { client } = wsClient(replicaB.url, bearer(user.token));
    const received = subscribe(client, operation('OrderStatusChanged'), { orderId });
    await within(15_000, async () => received.results.some((r) => r.data?.orderStatusChanged?.status === 'REJECTED'));
    // Never backwards: nothing after REJECTED, and PENDING (if seen at all) only first.
    const statuses = received.results.map((r) => r.data?.orderStatusChanged?.status);
    expect(statuses.at(-1)).toBe('REJECTED');
    expect(statuses.filter((s) => s === 'REJECTED')).toHaveLength(1);
    received.stop();
  });

  it("refuses to let another user watch someone's order: NOT_FOUND and nothing else", async () => {
    const [owner, other] = [await newUser('sub-owner'), await newUser('sub-other')];
    const placed = await placeOrder(replicaA.url, owner.token, demoIds.product(152), 'tok_visa');
    const orderId = placed.data!.placeOrder.id as string;
    const { client } = wsClient(replicaB.url, bearer(other.token));
    const received = subscribe(client, operation('OrderStatusChanged'), { orderId });
    await within(10_000, async () => received.completed);
    expect(received.results.flatMap((r) => (r.errors ?? []).map((e) => e.extensions?.code))).toEqual(['NOT_FOUND']);
    expect(received.results.every((r) => r.data?.orderStatusChanged == null)).toBe(true);
    // The owner's CONFIRMED comes, and the other user was told nothing of it.
    const { client: ownerClient } = wsClient(replicaB.url, bearer(owner.token));
    const mine = subscribe(ownerClient, operation('OrderStatusChanged'), { orderId });
    await within(15_000, async () => mine.results.some((r) => r.data?.orderStatusChanged?.status === 'CONFIRMED'));
    expect(received.results.every((r) => r.data?.orderStatusChanged == null)).toBe(true);
    mine.stop();
  });
});

describe('reviewAdded', () => {
  it('brings a review added through the stack gateway to subscribers on replica B, with the author and the new average', async () => {
    const productId = demoIds.product(153);
    const { client } = wsClient(replicaB.url);
    const anonymous = subscribe(client, operation('ReviewAdded'), { productId });
    const author = await newUser('sub-reviewer');
    const { client: signedIn } = wsClient(replicaB.url, bearer(author.token));
    const theirs = subscribe(signedIn, operation('ReviewAdded'), { productId });
    // Both subscriptions are acknowledged once the metrics count them.
    await within(10_000, async () => /graphql_subscriptions_active\{operation="ReviewAdded"[^}]*\} 2/.test(await replicaB.metrics()));

    const added = await gql(operation('AddReview'), { input: { productId, rating: 4, body: 'Live!' } }, author.token);
    expect(added.errors).toBeUndefined();
    const review = added.data!.addReview;
    await within(10_000, async () => anonymous.results.length > 0 && theirs.results.length > 0);
    for (const received of [anonymous, theirs]) {
      expect(received.results).toHaveLength(1);
      expect(received.results[0]!.errors).toBeUndefined();
      expect(received.results[0]!.data.reviewAdded).toEqual({
        id: review.id,
        rating: 4,
        body: 'Live!',
        author: { id: author.id, name: 'Test sub-reviewer' },
        product: { id: productId, averageRating: review.product.averageRating },
      });
    }
    // One public upstream subscription serves both viewers.
    expect(await replicaB.metrics()).toMatch(/graphql_subscription_upstreams\{[^}]*\} 1\n/);
    anonymous.stop();
    theirs.stop();
  });

  it.runIf(!!process.env.REDIS_URL)('delivers an event redelivered on the bus once', async () => {
    const productId = demoIds.product(154);
    const { client } = wsClient(replicaB.url);
    const received = subscribe(client, operation('ReviewAdded'), { productId });
    await within(10_000, async () => /graphql_subscriptions_active\{operation="ReviewAdded"[^}]*\} 1/.test(await replicaB.metrics()));
    const redis = new Redis(process.env.REDIS_URL!);
    const event = (id: string) =>
      JSON.stringify({ eventId: id, reviewId: id, productId, authorId: demoIds.user(1), rating: 5, body: `event ${id}`, createdAt: new Date().toISOString() });
    const channel = `${stack().eventsChannelPrefix}review.added`;
    const first = `dup-${Date.now()}`;
    await redis.publish(channel, event(first));
    await redis.publish(channel, event(first)); // the outbox's at-least-once, or two subgraph replicas
    await redis.publish(channel, event(`${first}-next`));
    await within(10_000, async () => received.results.length >= 2);
    expect(received.results.map((r) => r.data?.reviewAdded?.id)).toEqual([first, `${first}-next`]);
    expect(await replicaB.metrics()).toMatch(/graphql_subscription_events_deduplicated_total\{operation="ReviewAdded"[^}]*\} [1-9]/);
    redis.disconnect();
    received.stop();
  });
});

describe('a slow consumer', () => {
  it.runIf(!!process.env.REDIS_URL)('is bounded: a client that stops reading loses the oldest events (counted), never grows the queue, and then gets the newest in order', async () => {
    const capacity = 8;
    // Pings a paused client cannot answer would cut it off: this replica pings rarely.
    const replica = await startGatewayReplica({ subscriptions: { queueCapacity: capacity, keepAliveMs: 600_000 } });
    const productId = demoIds.product(157);
    const ws = new WebSocket(replica.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const received: string[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: { data?: { reviewAdded?: { id: string } } } };
      if (message.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: operation('ReviewAdded'), variables: { productId } } }));
      if (message.type === 'next') received.push(message.payload!.data!.reviewAdded!.id);
    });
    ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    const sum = (metrics: string, pattern: RegExp) => [...metrics.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
    await within(10_000, async () => sum(await replica.metrics(), /^graphql_subscriptions_active\{[^}]*\} (\d+)$/gm) === 1);
    const redis = new Redis(process.env.REDIS_URL!);
    const run = `slow-${Date.now()}`;
    const publish = (id: string, body: string) =>
      redis.publish(`${stack().eventsChannelPrefix}review.added`, JSON.stringify({ eventId: id, reviewId: id, productId, authorId: demoIds.user(1), rating: 5, body, createdAt: new Date().toISOString() }));
    // The gateway's subscription is active before its upstream one reaches Redis: until an event
    // comes through, events published are heard by nobody (pub/sub), and the burst would lose them.
    await within(10_000, async () => {
      await publish(`${run}-warm-up`, 'warm-up');
      await new Promise((resolve) => setTimeout(resolve, 100));
      return received.includes(`${run}-warm-up`);
    });
    const dropped = (metrics: string) => sum(metrics, /^graphql_subscription_events_dropped_total\{[^}]*reason="queue_full"[^}]*\} (\d+)$/gm);
    const delivered = (metrics: string) => sum(metrics, /^graphql_subscription_events_delivered_total\{[^}]*\} (\d+)$/gm);
    const queued = (metrics: string) => sum(metrics, /^graphql_subscription_events_queued(?:\{[^}]*\})? (\d+)$/gm);
    const fromUpstream = (metrics: string) => sum(metrics, /^graphql_subscription_events_received_total\{[^}]*\} (\d+)$/gm);
    // Warm-up events still on their way are counted in the baseline once they have all come.
    let before = '';
    await within(10_000, async () => {
      before = await replica.metrics();
      return fromUpstream(before) === delivered(before) + dropped(before) + queued(before) && queued(before) === 0;
    });
    received.length = 0;

    // The client stops reading: what the kernel's socket buffers hold aside, events wait at the gateway.
    const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const ids = Array.from({ length: 200 }, (_, i) => `${run}-${String(i).padStart(3, '0')}`);
    const body = 'x'.repeat(160 * 1024); // big events fill the socket buffers sooner
    for (const id of ids) await publish(id, body);
    redis.disconnect();
    // Every event came to the gateway, and is accounted for: sent (into the socket), dropped, or queued at most `capacity`.
    const since = (count: (metrics: string) => number, metrics: string) => count(metrics) - count(before);
    let metrics = '';
    await within(30_000, async () => {
      metrics = await replica.metrics();
      return since(fromUpstream, metrics) === ids.length && since(dropped, metrics) + since(delivered, metrics) + queued(metrics) === ids.length;
    });
    // 32 MB against socket buffers of a few: the oldest were dropped. (How many still wait at the
    // gateway depends on the kernel's buffers and the machine's speed: between none and `capacity`.)
    expect(since(dropped, metrics)).toBeGreaterThan(0);
    expect(queued(metrics)).toBeLessThanOrEqual(capacity);

    socket.resume();
    await within(30_000, async () => received.at(-1) === ids.at(-1));
    // In order, the newest last; what was not received was counted as dropped.
    expect(received).toEqual([...received].sort());
    expect(new Set(received).size).toBe(received.length);
    expect(received.length + since(dropped, await replica.metrics())).toBe(ids.length);
    // The newest come from the queue: the last unbroken run of events is at most its size.
    let newestRun = 1;
    while (newestRun < received.length && ids.indexOf(received.at(-newestRun - 1)!) === ids.indexOf(received.at(-newestRun)!) - 1) newestRun++;
    expect(newestRun).toBeLessThanOrEqual(capacity);
    ws.close();
  }, 120_000);
});

describe('connections', () => {
  it('closes a connection with a forged or expired token with 4401', async () => {
    const forged = await signUserToken({ id: demoIds.user(1), role: 'ADMIN' }, 'not-the-secret-0123456789abcdef0123456789');
    const expired = await signUserToken({ id: demoIds.user(1), role: 'USER' }, stack().secrets.userToken, '-60s');
    for (const token of [forged, expired, 'not-a-jwt']) {
      const { client, closes } = wsClient(replicaB.url, bearer(token));
      const received = subscribe(client, operation('ReviewAdded'), { productId: demoIds.product(155) });
      await within(10_000, async () => received.completed);
      expect(closes[0]?.code).toBe(4401);
      expect(received.results).toEqual([]);
    }
  });

  it('refuses queries over the WebSocket and documents over the limits, keeping the connection', async () => {
    const { client } = wsClient(replicaB.url);
    const query = subscribe(client, '{ __typename }', {});
    await within(10_000, async () => query.completed);
    expect((query.error as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code).toBe('NOT_A_SUBSCRIPTION');
    const deep = subscribe(client, `subscription { reviewAdded(productId: "x") { product { reviews { author { reviews { product { reviews { author { reviews { product { reviews { id } } } } } } } } } } } }`, {});
    await within(10_000, async () => deep.completed);
    expect((deep.error as Array<{ extensions?: { code?: string; limit?: string } }>)[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', limit: 'MAX_DEPTH' });
    // A blank id names no product: the subgraph's refusal reaches the client, and the stream ends.
    const blank = subscribe(client, operation('ReviewAdded'), { productId: ' ' });
    await within(10_000, async () => blank.completed);
    expect(blank.results.flatMap((result) => result.errors ?? []).map((error) => [error.extensions?.code, error.extensions?.argument])).toEqual([['BAD_USER_INPUT', 'productId']]);
    // A product that does not exist is said to be so, rather than waited on in silence.
    const unknown = subscribe(client, operation('ReviewAdded'), { productId: '00000000-0000-4000-8000-00000000dead' });
    await within(10_000, async () => unknown.completed);
    expect(unknown.results.flatMap((result) => result.errors ?? []).map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
  });

  it('closes a connection that sends no connection_init (4408) or holds no subscription (4000), and bounds subscriptions per connection', async () => {
    const strict = await startGatewayReplica({ subscriptions: { connectionInitTimeoutMs: 300, idleTimeoutMs: 300, maxSubscriptionsPerConnection: 1 } });
    const silent = new WebSocket(strict.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const silentClose = await new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
    expect(silentClose).toBe(4408);

    const { client } = wsClient(strict.url);
    const first = subscribe(client, operation('ReviewAdded'), { productId: demoIds.product(158) });
    await within(10_000, async () => /graphql_subscriptions_active\{[^}]*\} 1/.test(await strict.metrics()));
    const second = subscribe(client, operation('ReviewAdded'), { productId: demoIds.product(159) });
    await within(10_000, async () => second.completed);
    expect((second.error as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(first.completed).toBe(false);
    first.stop();

    // A connection that is acknowledged and then subscribes to nothing is closed once idle.
    const idle = new WebSocket(strict.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    idle.once('open', () => idle.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    const idleClose = await new Promise<number>((resolve) => idle.once('close', (code) => resolve(code)));
    expect(idleClose).toBe(4000);
  });

  it('refuses connections over the per-user and per-address limits with 4429, and frees a place when one closes', async () => {
    const limited = await startGatewayReplica({ subscriptions: { maxConnectionsPerUser: 1, maxConnectionsPerIp: 2 } });
    const sockets: WebSocket[] = [];
    /** Opens a raw graphql-ws connection: 'ack' once acknowledged, or the code it was closed with. */
    const connect = (payload: Record<string, unknown>) =>
      new Promise<{ outcome: 'ack' | number; socket: WebSocket }>((resolve) => {
        const socket = new WebSocket(limited.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
        sockets.push(socket);
        socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
        socket.on('message', (data) => {
          if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') resolve({ outcome: 'ack', socket });
        });
        socket.once('close', (code) => resolve({ outcome: code, socket }));
      });
    try {
      const user = await newUser('sub-limits');
      const first = await connect(bearer(user.token));
      expect(first.outcome).toBe('ack');
      expect((await connect(bearer(user.token))).outcome).toBe(4429); // the same user again: per user
      expect((await connect({})).outcome).toBe('ack'); // another caller from the same address: 2 of 2
      expect((await connect({})).outcome).toBe(4429); // per address
      expect(await limited.metrics()).toMatch(/graphql_ws_connections_refused_total\{[^}]*code="4429"[^}]*\} 2\n/);

      // Closing one gives its place back, to that user too.
      first.socket.close();
      await within(10_000, async () => /^graphql_ws_connections(?:\{[^}]*\})? 1$/m.test(await limited.metrics()));
      expect((await connect(bearer(user.token))).outcome).toBe('ack');
    } finally {
      for (const socket of sockets) socket.close();
    }
  });

  it('lets a partner key subscribe only to its own list', async () => {
    const { client } = wsClient(replicaB.url, { 'x-api-key': stack().secrets.partnerApiKey });
    const received = subscribe(client, operation('ReviewAdded'), { productId: demoIds.product(156) });
    await within(10_000, async () => received.completed);
    expect((received.error as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code).toBe('OPERATION_NOT_ALLOWED');
  });
});
