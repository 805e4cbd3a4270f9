import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { demoIds, readCounter } from '@supergraph/service-kit';
import { graphql, stack } from '../support/graphql.ts';
import { startGatewayReplica, stackSubgraphUrls } from '../support/gateways.ts';
import { operation } from '../support/operations.ts';
import { repoPath } from '../../scripts/paths.ts';

/**
 * A gateway of this test's own, wired to the stack's subgraphs except inventory, which is made to
 * fail: refused connections, or a server that never answers. The storefront must still get the
 * rest of the page, within the timeout, never a 500.
 */
const TIMEOUT_MS = 400;
const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

async function hangingServer(): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer(() => {
    requests++; // and never answer
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, requests: () => requests };
}

const gatewayWithInventoryAt = (inventoryUrl: string) =>
  startGatewayReplica({
    subgraphUrls: { ...stackSubgraphUrls(), inventory: inventoryUrl },
    resilience: {
      subgraphTimeoutMs: TIMEOUT_MS,
      breaker: { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 60_000, rollingCountMs: 30_000 },
    },
  });

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await run();
  return [value, performance.now() - started];
}

describe('a subgraph down or slow', () => {
  it('still answers ProductPage with everything but the inventory fields, and an error for those', async () => {
    const gateway = await gatewayWithInventoryAt('http://127.0.0.1:1/graphql'); // nothing listens on port 1
    const response = await graphql(gateway.url, operation('ProductPage'), { id: demoIds.product(0) });
    expect(response.status).toBe(200);
    const product = response.data!.product;
    expect(product).toMatchObject({ id: demoIds.product(0), sku: 'SKU-0000001', stock: null, inStock: null, shippingEstimate: null });
    expect(product.reviews.length).toBeGreaterThan(0);
    expect(product.reviews[0].author.name).toEqual(expect.any(String));
    expect(response.errors!.map((e) => e.extensions)).toContainEqual({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'inventory' });
    expect(JSON.stringify(response.errors)).not.toMatch(/stacktrace|127\.0\.0\.1/);
  });

  it('answers within the timeout when the subgraph hangs, then fails fast once its circuit is open', async () => {
    const inventory = await hangingServer();
    const gateway = await gatewayWithInventoryAt(inventory.url);
    const query = `query ($id: ID!) { product(id: $id) { id name stock } }`;
    for (let i = 0; i < 3; i++) {
      const [response, ms] = await timed(() => graphql(gateway.url, query, { id: demoIds.product(1) }));
      expect(response.status).toBe(200);
      expect(response.data!.product).toMatchObject({ id: demoIds.product(1), name: expect.any(String), stock: null });
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);
    }
    const reached = inventory.requests();
    const [response] = await timed(() => graphql(gateway.url, query, { id: demoIds.product(2) }));
    expect(response.data!.product).toMatchObject({ name: expect.any(String), stock: null });
    expect(response.errors!.map((e) => e.extensions?.code)).toEqual(['SUBGRAPH_UNAVAILABLE']);
    // The breaker answered: the hanging subgraph was not asked again.
    expect(inventory.requests()).toBe(reached);
    const metrics = await (await fetch(gateway.metricsUrl)).text();
    expect(metrics).toMatch(/subgraph_circuit_open\{[^}]*subgraph="inventory"[^}]*\} 1/);
    expect(readCounter(metrics, 'subgraph_fetch_errors_total')).toBeGreaterThanOrEqual(4);
  });

  it('passes the request id and trace context on to the subgraphs, never the client\'s other headers', async () => {
    const seen: Array<Record<string, string | string[] | undefined>> = [];
    const inventory = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { _entities: [{ __typename: 'Product', stock: 5 }] } }));
    });
    servers.push(inventory);
    await new Promise<void>((resolve) => inventory.listen(0, '127.0.0.1', resolve));
    const gateway = await gatewayWithInventoryAt(`http://127.0.0.1:${(inventory.address() as AddressInfo).port}/graphql`);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const response = await graphql(gateway.url, `query ($id: ID!) { product(id: $id) { stock } }`, { id: demoIds.product(3) }, {
      'x-request-id': 'req-0123456789',
      traceparent,
      cookie: 'session=secret',
    });
    expect(response.data!.product.stock).toBe(5);
    expect(seen[0]).toMatchObject({ 'x-request-id': 'req-0123456789' });
    // The same trace, one level down: the subgraph's parent is the gateway's fetch span.
    const [, traceId, parentId] = String(seen[0]!.traceparent).split('-');
    expect(traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(parentId).toMatch(/^[0-9a-f]{16}$/);
    expect(parentId).not.toBe('b7ad6b7169203331');
    expect(seen[0]!.cookie).toBeUndefined();
    // Without a caller's trace, the gateway starts one.
    await graphql(gateway.url, `query ($id: ID!) { product(id: $id) { stock } }`, { id: demoIds.product(4) });
    expect(String(seen[1]!.traceparent)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(String(seen[1]!.traceparent).split('-')[1]).not.toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('keeps answering when a subgraph stops in the middle of the test', async () => {
    // The real inventory behind a TCP proxy of ours, which we then stop.
    const target = new URL(stack().subgraphs.inventory.url);
    const sockets = new Set<Socket>();
    const proxy = createNetServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      for (const socket of [client, upstream]) socket.on('error', () => {}).on('close', () => (client.destroy(), upstream.destroy()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const gateway = await gatewayWithInventoryAt(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`);
    const query = `query ($id: ID!) { product(id: $id) { id name stock } }`;
    const up = await graphql(gateway.url, query, { id: demoIds.product(5) });
    expect(up.data!.product.stock).toEqual(expect.any(Number));

    proxy.close();
    sockets.forEach((socket) => socket.destroy()); // inventory is gone, kept-alive connections too
    const [down, ms] = await timed(() => graphql(gateway.url, query, { id: demoIds.product(5) }));
    expect(down.status).toBe(200);
    expect(down.data!.product).toMatchObject({ id: demoIds.product(5), name: expect.any(String), stock: null });
    expect(down.errors!.map((e) => e.extensions?.code)).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect(ms).toBeLessThan(TIMEOUT_MS * 5);
  });
});

/** A stand-in subgraph that answers every request with `status`, `body` and `headers`; counts them. */
async function answeringServer(status: number, body: unknown, headers: Record<string, string> = {}): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, requests: () => requests };
}

const OVERLOADED = { errors: [{ message: 'The inventory service is busy; retry in 2 s', extensions: { code: 'SERVICE_OVERLOADED', retryable: true, retryAfterSeconds: 2 } }] };
const circuitOpen = (metrics: string, subgraph: string) => new RegExp(`subgraph_circuit_open\\{[^}]*subgraph="${subgraph}"[^}]*\\} 1`).test(metrics);

describe('a busy subgraph is not a dead one (ADR 0012)', () => {
  it('passes an overload refusal on as SERVICE_OVERLOADED with its retry hint, and never opens the breaker for it', async () => {
    const inventory = await answeringServer(503, OVERLOADED, { 'retry-after': '2' });
    const gateway = await gatewayWithInventoryAt(inventory.url);
    const query = `query ($id: ID!) { product(id: $id) { id name stock } }`;
    for (let i = 0; i < 6; i++) {
      const response = await graphql(gateway.url, query, { id: demoIds.product(1) });
      // Partial data: the client has a product to show, so 200.
      expect(response.status).toBe(200);
      expect(response.data!.product).toMatchObject({ id: demoIds.product(1), name: expect.any(String), stock: null });
      expect(response.errors!.map((e) => e.extensions)).toEqual([{ code: 'SERVICE_OVERLOADED', subgraph: 'inventory', retryable: true, retryAfterSeconds: 2 }]);
    }
    expect(inventory.requests()).toBe(6); // never failed fast: the breaker stayed closed
    expect(circuitOpen(await gateway.metrics(), 'inventory')).toBe(false);
    expect(await gateway.metrics()).toMatch(/subgraph_fetch_errors_total\{[^}]*reason="overloaded"[^}]*\} 6/);
  });

  it('answers 503 with Retry-After when the refusal left no data at all', async () => {
    const products = await answeringServer(503, OVERLOADED, { 'retry-after': '2' });
    const gateway = await startGatewayReplica({ subgraphUrls: { ...stackSubgraphUrls(), products: products.url } });
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `query ($id: ID!) { product(id: $id) { id name } }`, variables: { id: demoIds.product(1) } }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    const body = (await response.json()) as { data: unknown; errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.data).toEqual({ product: null });
    expect(body.errors.map((e) => e.extensions.code)).toEqual(['SERVICE_OVERLOADED']);
  });

  it('answers a field published before its subgraph serves it with SUBGRAPH_REQUEST_REFUSED naming the subgraph, not an internal error, and keeps the breaker closed', async () => {
    // The supergraph a registry serves once `Product.brand` is published, before products is deployed with it.
    const ahead = (await readFile(repoPath('supergraph.graphql'), 'utf8')).replace(
      /(type Product\n(?:  @join__type\([^\n]*\)\n)+\{\n  id: ID!\n)/,
      '$1  brand: String @join__field(graph: PRODUCTS)\n',
    );
    expect(ahead).toContain('brand: String');
    const gateway = await startGatewayReplica({
      supergraphSdl: ahead,
      resilience: { subgraphTimeoutMs: 10_000, breaker: { errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeoutMs: 60_000, rollingCountMs: 30_000 } },
    });
    for (let i = 0; i < 5; i++) {
      const response = await graphql(gateway.url, `query ($id: ID!) { product(id: $id) { id name brand } }`, { id: demoIds.product(1) });
      expect(response.data).toEqual({ product: null });
      expect(response.errors).toEqual([
        {
          message: expect.stringMatching(/^The products service refused this request \(HTTP 400, GRAPHQL_VALIDATION_FAILED\)/),
          extensions: { code: 'SUBGRAPH_REQUEST_REFUSED', subgraph: 'products', status: 400, subgraphCode: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ]);
      expect(JSON.stringify(response.errors)).not.toMatch(/127\.0\.0\.1|stacktrace|INTERNAL_SERVER_ERROR|"400: "/);
    }
    // Everyone else's requests to products still go through.
    const other = await graphql(gateway.url, `query ($id: ID!) { product(id: $id) { id name } }`, { id: demoIds.product(1) });
    expect(other.errors).toBeUndefined();
    expect(other.data!.product.name).toEqual(expect.any(String));
    expect(circuitOpen(await gateway.metrics(), 'products')).toBe(false);
  });
});
