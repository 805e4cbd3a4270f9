import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { demoIds } from '@supergraph/service-kit';
import { createGateway } from '../../gateway/src/server.ts';
import { repoPath } from '../../scripts/paths.ts';
import { replicaOptions, startGatewayReplica, stackSubgraphUrls } from '../support/gateways.ts';
import { gql, graphql, stack } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';
import { edit, REGISTRY_TEST_TOKENS, repoSubgraph, repoSubgraphs, startRegistry } from '../support/registry.ts';
import { newUser } from '../support/users.ts';
import { within } from '../support/wait.ts';
import { subscribe as subscribeWith, type Received } from '../support/subscriptions.ts';
import { persistedList } from '@supergraph/sdk/persisted-lists';

/**
 * What ends or degrades a live subscription (issue 11 §8, §9; ADR 0014): a registry publish, a
 * gateway shutdown, a subgraph of the payload that is down. Products 170-179 are this file's.
 */

/** An HTTP proxy in front of the stack's users subgraph; `pass` false cuts the connection. */
async function usersProxy(pass: (req: IncomingMessage) => boolean) {
  const target = new URL(stack().subgraphs.users.url);
  const server = createServer((req, res) => {
    if (!pass(req)) return void req.socket.destroy();
    const forward = httpRequest({ host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const clients: Client[] = [];
afterAll(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

function open(httpUrl: string) {
  const closes: Array<{ code: number; reason: string }> = [];
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    shouldRetry: () => false,
    on: { closed: (event) => void closes.push({ code: (event as { code: number }).code, reason: (event as { reason: string }).reason }) },
  });
  clients.push(client);
  const subscribe = (query: string, variables: Record<string, unknown>): Received => subscribeWith(client, query, variables);
  return { client, closes, subscribe };
}

/** Active subscriptions, whatever their label (a replica without operation lists labels them "other"). */
const activeReviewSubscriptions = (metrics: string) =>
  [...metrics.matchAll(/^graphql_subscriptions_active\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);

async function addReview(productId: string) {
  const author = await newUser('lifecycle');
  const added = await gql(operation('AddReview'), { input: { productId, rating: 3, body: 'Fine.' } }, author.token);
  expect(added.errors).toBeUndefined();
  return added.data!.addReview.id as string;
}

describe('a subscription whose payload needs a subgraph that is down', () => {
  it('still gets the event, with those fields null and an error', async () => {
    const productId = demoIds.product(170);
    // This replica's users subgraph answers nowhere: author names cannot be fetched.
    const replica = await startGatewayReplica({ subgraphUrls: { ...stackSubgraphUrls(), users: 'http://127.0.0.1:9/graphql' } });
    const { subscribe } = open(replica.url);
    const received = subscribe(operation('ReviewAdded'), { productId });
    await within(10_000, async () => activeReviewSubscriptions(await replica.metrics()) === 1);
    const reviewId = await addReview(productId);
    await within(15_000, async () => received.results.length > 0);
    const [result] = received.results;
    expect(result!.data.reviewAdded).toMatchObject({ id: reviewId, author: null, product: { id: productId } });
    expect(result!.errors?.length).toBeGreaterThan(0);
    expect(received.completed).toBe(false); // the stream goes on
  });
});

describe('the users subgraph going away mid-stream and coming back', () => {
  it('gives payloads with a null author and an error while it is away, and names again once it is back', async () => {
    // A switchable proxy in front of the stack's users subgraph: "down" cuts every connection.
    let up = true;
    const proxy = await usersProxy(() => up);
    try {
      const replica = await startGatewayReplica({
        subgraphUrls: { ...stackSubgraphUrls(), users: proxy.url },
        resilience: { breaker: { errorThresholdPercentage: 50, volumeThreshold: 1, resetTimeoutMs: 200, rollingCountMs: 10_000 } },
      });
      const productId = demoIds.product(173);
      const { subscribe } = open(replica.url);
      const received = subscribe(operation('ReviewAdded'), { productId });
      await within(10_000, async () => activeReviewSubscriptions(await replica.metrics()) === 1);

      const author = (n: number) => received.results[n]?.data?.reviewAdded?.author;
      await addReview(productId);
      await within(15_000, async () => received.results.length === 1);
      expect(author(0)?.name).toBe('Test lifecycle');

      up = false;
      await addReview(productId);
      await within(15_000, async () => received.results.length === 2);
      expect(author(1)).toBeNull();
      expect(received.results[1]!.errors?.length).toBeGreaterThan(0);

      up = true;
      // Once the breaker lets a fetch through again, names come back (the stream never ended).
      let last = 2;
      await within(15_000, async () => {
        await addReview(productId);
        await within(15_000, async () => received.results.length === last + 1);
        return author(last++)?.name === 'Test lifecycle';
      });
      expect(received.completed).toBe(false);
    } finally {
      await proxy.close();
    }
  });
});

describe('trace context per event', () => {
  it("continues the trace of the request that raised the event in the event's subgraph fetches", async () => {
    // A recording proxy in front of the stack's users subgraph: the author's name is fetched per event.
    const traceparents: string[] = [];
    const proxy = await usersProxy((req) => {
      if (typeof req.headers.traceparent === 'string') traceparents.push(req.headers.traceparent);
      return true;
    });
    try {
      const replica = await startGatewayReplica({ subgraphUrls: { ...stackSubgraphUrls(), users: proxy.url } });
      const productId = demoIds.product(174);
      const { subscribe } = open(replica.url);
      const received = subscribe(operation('ReviewAdded'), { productId });
      await within(10_000, async () => activeReviewSubscriptions(await replica.metrics()) === 1);

      // The review is added in a trace of the caller's: the event it raises carries it to this replica.
      const traceId = randomBytes(16).toString('hex');
      const author = await newUser('traced');
      const added = await graphql(stack().gatewayUrl, operation('AddReview'), { input: { productId, rating: 5, body: 'Traced.' } }, {
        authorization: `Bearer ${author.token}`,
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      });
      expect(added.errors).toBeUndefined();
      await within(15_000, async () => received.results.length > 0);
      expect(received.results[0]!.data.reviewAdded.author).toEqual({ id: author.id, name: 'Test traced' });
      expect(traceparents.some((header) => header.split('-')[1] === traceId)).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});

describe('a gateway shutting down', () => {
  it('closes live subscriptions with 1001 and does not hang', async () => {
    const gateway = await createGateway(await replicaOptions());
    const running = await gateway.listen(0);
    const { subscribe, closes } = open(`${running.url}/graphql`);
    const received = subscribe(operation('ReviewAdded'), { productId: demoIds.product(171) });
    await within(10_000, async () => activeReviewSubscriptions(await (await fetch(`${running.url}/metrics`)).text()) === 1);
    await gateway.close();
    await within(5_000, async () => received.completed);
    expect(closes[0]).toEqual({ code: 1001, reason: expect.stringMatching(/shutting down/) });
  });
});

describe('a registry publish', () => {
  it('ends live subscriptions with SUBSCRIPTION_SCHEMA_RELOAD; subscribing again works on the new supergraph', async () => {
    const registry = await startRegistry();
    await registry.client.publish(await repoSubgraphs(stackSubgraphUrls()), { author: 'e2e' });
    // The storefront list holds the subscriptions: the registry accepts them now that the supergraph has them.
    const storefront = persistedList('storefront').operations;
    await registry.client.registerOperations('storefront', storefront, 'e2e');
    const replica = await startGatewayReplica({
      registry: { url: registry.url, token: REGISTRY_TEST_TOKENS.gateway, pollIntervalMs: 200 },
      subgraphUrls: {},
      trustedDocuments: { lists: new Map(), partnerKeys: new Map() },
    });
    const productId = demoIds.product(172);
    const { subscribe } = open(replica.url);
    const before = subscribe(operation('ReviewAdded'), { productId });
    await within(10_000, async () => activeReviewSubscriptions(await replica.metrics()) === 1);

    const users = edit(await repoSubgraph('users'), /\n  "When the account was created, ISO 8601."\n  createdAt: String!/, '');
    const subgraphs = (await repoSubgraphs(stackSubgraphUrls())).map((s) => (s.name === 'users' ? { ...s, sdl: users } : s));
    await registry.client.publish(subgraphs, { author: 'e2e' });
    await within(15_000, async () => before.completed);
    expect(before.results.at(-1)?.errors?.[0]?.extensions?.code).toBe('SUBSCRIPTION_SCHEMA_RELOAD');

    const after = subscribe(operation('ReviewAdded'), { productId });
    await within(10_000, async () => activeReviewSubscriptions(await replica.metrics()) === 1);
    const reviewId = await addReview(productId);
    await within(15_000, async () => after.results.length > 0);
    expect(after.results[0]!.data.reviewAdded.id).toBe(reviewId);
  });
});
