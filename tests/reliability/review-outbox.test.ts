import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import { pino } from 'pino';
import WebSocket from 'ws';
import { createSubgraph, demoIds, type SubgraphService } from '@supergraph/service-kit';
import { reviewsSubgraph } from '../../subgraphs/reviews/src/subgraph.ts';
import { reviewsEnvSchema } from '../../subgraphs/reviews/src/env.ts';
import { dropServiceDatabases, ensureServiceDatabases } from '../../scripts/local-databases.ts';
import { repoPath } from '../../scripts/paths.ts';
import { graphql, stack } from '../support/graphql.ts';
import { startGatewayReplica, stackSubgraphUrls } from '../support/gateways.ts';
import { operation } from '../support/operations.ts';
import { RedisProxy } from '../support/redis-proxy.ts';
import { subscribe } from '../support/subscriptions.ts';
import { newUser } from '../support/users.ts';
import { within } from '../support/wait.ts';
import { persistedLists } from '@supergraph/sdk/persisted-lists';

/**
 * reviewAdded is delivered at least once upstream (issue 11, ADR 0014): a review added while its
 * replica cannot publish (Redis taken away from it through a TCP proxy) is kept in the reviews
 * outbox and relayed once the bus is back, and a subscriber served by another replica gets it
 * exactly once. Two reviews replicas of this file's own share one database: "writer" reaches Redis
 * through the proxy, "reader" directly and serves the subscription (its own relay polls too
 * rarely to take the writer's row). Products 180-189 are this file's.
 */
const redisUrl = process.env.REDIS_URL;

const pendingOutboxRows = async (db: unknown, topic: string) =>
  (db as { outboxEvent: { count(args: object): Promise<number> } }).outboxEvent.count({ where: { topic, publishedAt: null } });

describe.runIf(!!redisUrl)('reviewAdded while the reviews replica cannot publish', () => {
  const proxy = redisUrl ? new RedisProxy(new URL(redisUrl)) : null;
  const replicas: SubgraphService<unknown>[] = [];
  const clients: Client[] = [];
  let databases: { serverUrl: string; prefix: string } | undefined;
  let writerGateway: { url: string };
  let readerGateway: { url: string; metrics: () => Promise<string> };
  let writer: SubgraphService<unknown>;

  beforeAll(async () => {
    await proxy!.open();
    const prefix = `rvo${Date.now().toString(36)}`;
    const serverUrl = process.env.DATABASE_URL;
    if (serverUrl) databases = { serverUrl, prefix };
    const subgraphs = stack().subgraphs;
    const replica = async (name: string, busUrl: string, databaseUrl: string | undefined, outboxIntervalMs: number) => {
      const service = await createSubgraph(reviewsSubgraph, {
        nodeEnv: 'test',
        databaseUrl,
        dataDir: 'memory://',
        internalTokenSecret: stack().secrets.internalToken,
        seed: 'none',
        seedProducts: 1,
        log: pino({ level: 'silent' }).child({ replica: name }),
        redisUrl: busUrl,
        eventsChannelPrefix: `${prefix}:`,
        extra: reviewsEnvSchema.parse({
          PRODUCTS_SUBGRAPH_URL: subgraphs.products.url,
          INTERNAL_TOKEN_SECRET: stack().secrets.internalToken,
          OUTBOX_INTERVAL_MS: outboxIntervalMs,
        }),
      });
      replicas.push(service);
      return { service, url: `${(await service.listen(0)).url}/graphql` };
    };
    const databaseUrl = serverUrl ? (await ensureServiceDatabases(serverUrl, prefix, ['reviews'])).reviews : undefined;
    const writerReplica = await replica('writer', proxy!.url, databaseUrl, 200);
    writer = writerReplica.service;
    const reader = await replica('reader', redisUrl!, writer.database.connectionString, 600_000);
    const limits = {
      rateLimit: { pointsPerMinute: 100_000, whenRedisDown: 'open' as const },
      trustedDocuments: { lists: persistedLists(), partnerKeys: new Map([[stack().secrets.partnerApiKey, 'partner-catalog']]) },
    };
    writerGateway = await startGatewayReplica({ subgraphUrls: { ...stackSubgraphUrls(), reviews: writerReplica.url }, ...limits });
    readerGateway = await startGatewayReplica({ subgraphUrls: { ...stackSubgraphUrls(), reviews: reader.url }, ...limits });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    // Reader first: it reads the writer's database.
    for (const service of replicas.reverse()) await service.close();
    await proxy?.close();
    if (databases) await dropServiceDatabases(databases.serverUrl, databases.prefix, ['reviews']);
  });

  it('keeps the review in the outbox while Redis is away and delivers it once, after, to a subscriber on another replica', async () => {
    const productId = demoIds.product(180);
    const client = createClient({ url: readerGateway.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: true, retryAttempts: 0 });
    clients.push(client);
    const received = subscribe(client, operation('ReviewAdded'), { productId });
    await within(10_000, async () => /graphql_subscriptions_active\{operation="ReviewAdded"[^}]*\} 1/.test(await readerGateway.metrics()));

    await proxy!.close();
    const author = await newUser('outbox-reviewer');
    const added = await graphql(writerGateway.url, operation('AddReview'), { input: { productId, rating: 5, body: 'Written while Redis was away' } }, { authorization: `Bearer ${author.token}` });
    // The author's review is saved whatever the bus does.
    expect(added.errors).toBeUndefined();
    const reviewId = added.data!.addReview.id as string;
    // The writer's relay tried (nudged at once, then every 200 ms) and could not: the row waits.
    expect(await pendingOutboxRows(writer.db, 'review.added')).toBe(1);

    await proxy!.open();
    await within(20_000, async () => received.results.length > 0);
    await within(10_000, async () => (await pendingOutboxRows(writer.db, 'review.added')) === 0);
    // A second review, relayed after the first was marked published: once it is here, a second
    // copy of the first would have been too.
    const second = await newUser('outbox-reviewer-2');
    const next = await graphql(writerGateway.url, operation('AddReview'), { input: { productId, rating: 3, body: 'Redis is back' } }, { authorization: `Bearer ${second.token}` });
    expect(next.errors).toBeUndefined();
    await within(10_000, async () => received.results.length >= 2);

    expect(received.results.map((r) => r.errors)).toEqual([undefined, undefined]);
    expect(received.results.map((r) => r.data?.reviewAdded?.id)).toEqual([reviewId, next.data!.addReview.id]);
    expect(received.results[0]!.data.reviewAdded).toMatchObject({ rating: 5, body: 'Written while Redis was away', author: { id: author.id } });
    received.stop();
  }, 60_000);
});
