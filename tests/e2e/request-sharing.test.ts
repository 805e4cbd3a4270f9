import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { demoIds } from '@supergraph/service-kit';
import { graphql } from '../support/graphql.ts';
import { startGatewayReplica } from '../support/gateways.ts';
import { operation } from '../support/operations.ts';
import { newUser } from '../support/users.ts';

// Work shared between concurrent client requests (ADR 0019), on a replica of this file's own so
// its counters start at zero. Reads only: no product is changed.
// Coalesced before Apollo (a POSTed document) or inside it (APQ, GET): either way not executed.
const coalesced = (metrics: string) => counter(metrics, 'graphql_requests_coalesced_total') + counter(metrics, 'graphql_requests_coalesced_at_edge_total');
const counter = (metrics: string, name: string) =>
  metrics
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);

describe('identical concurrent requests', () => {
  it('PUBLIC queries in flight together execute once and every client gets the whole answer', async () => {
    const gateway = await startGatewayReplica();
    const catalog = operation('Catalog');
    const variables = { first: 20 };
    const alone = await graphql(gateway.url, catalog, variables);
    expect(alone.errors).toBeUndefined();
    const before = await gateway.metrics();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: catalog, variables }) })),
    );
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
      expect({ status: 200, ...((await response.json()) as object) }).toEqual(alone);
    }
    const after = await gateway.metrics();
    expect(coalesced(after) - coalesced(before)).toBeGreaterThan(0);
    // Counted as requests all the same.
    expect(counter(after, 'graphql_requests_total') - counter(before, 'graphql_requests_total')).toBe(20);
  });

  it('automatic persisted queries (which Apollo answers, not the edge) are coalesced too', async () => {
    const gateway = await startGatewayReplica();
    const catalog = operation('Catalog');
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(catalog).digest('hex') };
    const send = (withDocument: boolean) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...(withDocument ? { query: catalog } : {}), variables: { first: 15 }, extensions: { persistedQuery } }),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as { data?: unknown; errors?: unknown } }));
    const registered = await send(true);
    expect(registered.body.errors).toBeUndefined();
    const before = counter(await gateway.metrics(), 'graphql_requests_coalesced_total');
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(false)));
    for (const answer of answers) expect(answer).toEqual(registered);
    expect(counter(await gateway.metrics(), 'graphql_requests_coalesced_total') - before).toBeGreaterThan(0);
  });

  it("PRIVATE queries are never shared: each shopper gets their own `me`", async () => {
    const gateway = await startGatewayReplica();
    const shoppers = await Promise.all([newUser('sharing-a'), newUser('sharing-b')]);
    const me = operation('Me');
    const before = await gateway.metrics();
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, n) => graphql(gateway.url, me, {}, { authorization: `Bearer ${shoppers[n % 2]!.token}` })),
    );
    answers.forEach((answer, n) => expect(answer.data?.me?.id).toBe(shoppers[n % 2]!.id));
    const after = await gateway.metrics();
    expect(coalesced(after)).toBe(coalesced(before));
  });

  it('subgraph fetches are shared only when sharing is on, and answers are the same either way', async () => {
    const on = await startGatewayReplica();
    const off = await startGatewayReplica({ sharing: { subgraphFetches: false, publicQueries: false } });
    const page = operation('ProductPage');
    const run = (url: string) => Promise.all(Array.from({ length: 12 }, (_, n) => graphql(url, page, { id: demoIds.product(n % 2) })));
    const [withSharing, without] = [await run(on.url), await run(off.url)];
    expect(withSharing).toEqual(without);
    expect(counter(await off.metrics(), 'subgraph_fetches_shared_total')).toBe(0);
    expect(coalesced(await off.metrics())).toBe(0);
    expect(counter(await on.metrics(), 'subgraph_fetches_shared_total') + coalesced(await on.metrics())).toBeGreaterThan(0);
  });
});
