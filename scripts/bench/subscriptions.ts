// `npm run bench:subscriptions`: subscriptions through a gateway process of its own (so that its
// memory is its own), in front of a fresh in-process supergraph (PostgreSQL with DATABASE_URL,
// Redis pub/sub with REDIS_URL). Prints, from one run:
//  - how many concurrent subscriptions the gateway holds (BENCH_SUBSCRIPTIONS, default 10,000, over
//    100 products, 20 a connection) and its heap and RSS per subscription;
//  - event latency from the review's insert in the reviews subgraph to the client, p50/p99, with
//    1, 100 and 1,000 subscribers on one product (BENCH_EVENTS reviews each, default 10).
// Not a test: figures depend on the machine. Clients run in this process, beside the subgraphs.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { demoIds } from '@supergraph/service-kit';
import { startStack } from '../in-process-stack.ts';
import { repoPath } from '../paths.ts';

const totalSubscriptions = Number(process.env.BENCH_SUBSCRIPTIONS ?? 10_000);
const eventsPerRun = Number(process.env.BENCH_EVENTS ?? 10);
const PER_CONNECTION = 20;
const SUBSCRIPTION = 'subscription ($productId: ID!) { reviewAdded(productId: $productId) { id createdAt author { name } product { averageRating } } }';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const stack = await startStack({ seedProducts: 1200 });
const port = await freePort();
const gatewayUrl = `http://127.0.0.1:${port}/graphql`;
const gateway = spawn(process.execPath, ['--import', 'tsx', repoPath('gateway', 'src', 'index.ts')], {
  cwd: repoPath(),
  env: {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    METRICS_PORT: String(await freePort()),
    JWT_SECRET: stack.secrets.userToken,
    INTERNAL_TOKEN_SECRET: stack.secrets.internalToken,
    ...Object.fromEntries(Object.entries(stack.subgraphs).map(([name, s]) => [`${name.toUpperCase()}_SUBGRAPH_URL`, s.url])),
    REDIS_KEY_PREFIX: stack.eventsChannelPrefix,
    RATE_LIMIT_PER_MINUTE: '10000000',
    SUBSCRIPTION_CONNECTIONS_PER_IP: '100000',
    SUBSCRIPTIONS_PER_CONNECTION: String(PER_CONNECTION),
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const clients: Client[] = [];
try {
  await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok === true, 60_000);
  const metric = async (name: string) => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
  };

  /** `count` subscriptions to `productIds` (round robin), PER_CONNECTION a connection; `onEvent` per event. */
  async function subscribeMany(count: number, productIds: string[], onEvent: (data: any) => void) {
    const before = await metric('graphql_subscriptions_active');
    let client: Client | undefined;
    for (let i = 0; i < count; i++) {
      if (i % PER_CONNECTION === 0) {
        client = createClient({ url: gatewayUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: true, retryAttempts: 0 });
        clients.push(client);
      }
      client!.subscribe({ query: SUBSCRIPTION, variables: { productId: productIds[i % productIds.length] } }, { next: (r) => onEvent(r.data), error: () => {}, complete: () => {} });
    }
    await until(async () => (await metric('graphql_subscriptions_active')) >= before + count, 120_000);
  }
  const closeAll = async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await until(async () => (await metric('graphql_subscriptions_active')) === 0, 60_000);
  };

  console.log(`database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}; event bus: ${process.env.REDIS_URL ? 'Redis' : 'in-process'}`);

  // 1. How many subscriptions one process holds, and what each costs it.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const [heap0, rss0] = [await metric('nodejs_heap_size_used_bytes'), await metric('process_resident_memory_bytes')];
  const started = performance.now();
  await subscribeMany(totalSubscriptions, Array.from({ length: 100 }, (_, i) => demoIds.product(1000 + i)), () => {});
  const seconds = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const [heap1, rss1] = [await metric('nodejs_heap_size_used_bytes'), await metric('process_resident_memory_bytes')];
  console.log(
    `${totalSubscriptions} concurrent subscriptions (${totalSubscriptions / PER_CONNECTION} connections, 100 products, ${await metric('graphql_subscription_upstreams')} upstream subscriptions) opened in ${seconds.toFixed(1)} s; ` +
      `gateway heap +${((heap1 - heap0) / 1048576).toFixed(1)} MiB (${((heap1 - heap0) / totalSubscriptions / 1024).toFixed(2)} KiB a subscription), RSS +${((rss1 - rss0) / 1048576).toFixed(1)} MiB (${((rss1 - rss0) / totalSubscriptions / 1024).toFixed(2)} KiB a subscription)`,
  );
  await closeAll();

  // 2. Latency from the review's insert to each subscriber, with 1, 100 and 1,000 subscribers on one product.
  const authors = await Promise.all(Array.from({ length: 3 * eventsPerRun }, (_, i) => signUp(`bench-sub-${Date.now()}-${i}@example.com`)));
  let run = 0;
  for (const subscribers of [1, 100, 1000]) {
    const productId = demoIds.product(1100 + run);
    const latencies: number[] = [];
    const seen = new Map<string, number>();
    await subscribeMany(subscribers, [productId], (data) => {
      const review = data?.reviewAdded;
      if (!review) return;
      latencies.push(Date.now() - Date.parse(review.createdAt));
      seen.set(review.id, (seen.get(review.id) ?? 0) + 1);
    });
    for (let e = 0; e < eventsPerRun; e++) {
      const id = await addReview(authors[run * eventsPerRun + e]!, productId);
      await until(async () => seen.get(id) === subscribers, 60_000);
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
    console.log(`${subscribers} subscriber(s) on one product, ${eventsPerRun} reviews: insert-to-client latency ms p50 ${pct(50)} p99 ${pct(99)} max ${latencies.at(-1)} (${latencies.length} deliveries)`);
    await closeAll();
    run++;
  }
} finally {
  await Promise.all(clients.map((c) => c.dispose()));
  gateway.kill('SIGTERM');
  await new Promise((resolve) => gateway.once('exit', resolve));
  await stack.close();
}

async function until(probe: () => Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function gql(query: string, variables: Record<string, unknown>, token?: string) {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function signUp(email: string): Promise<string> {
  const data = await gql('mutation ($input: SignUpInput!) { signUp(input: $input) { token } }', { input: { email, password: 'a-long-enough-password', name: 'Bench' } });
  return data.signUp.token;
}

async function addReview(token: string, productId: string): Promise<string> {
  const data = await gql('mutation ($input: AddReviewInput!) { addReview(input: $input) { id } }', { input: { productId, rating: 4, body: 'bench' } }, token);
  return data.addReview.id;
}
