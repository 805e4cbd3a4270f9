import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { PrismaPg } from '@prisma/adapter-pg';
import { createEventBus, createSubgraph, demoIds, IDENTITY_HEADER, roundedMeanRating, signIdentityToken, type SubgraphService } from '@supergraph/service-kit';
import { applyRatings, applyStock } from '../../subgraphs/products/src/catalog-copies.ts';
import { productsEnvSchema } from '../../subgraphs/products/src/env.ts';
import { PrismaClient } from '../../subgraphs/products/src/generated/prisma/client.ts';
import { productsSubgraph } from '../../subgraphs/products/src/subgraph.ts';
import { dropServiceDatabases, ensureServiceDatabases } from '../../scripts/local-databases.ts';
import { sql } from '../support/db.ts';
import { gql, stack } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';
import { freePort } from '../support/processes.ts';
import { newUser } from '../support/users.ts';
import { within } from '../support/wait.ts';

/**
 * The catalog's copies of stock and ratings (ADR 0016) follow inventory and reviews: through
 * their events while products listens (Redis), through their change feeds otherwise (the embedded
 * default, where no event crosses services, and whatever products missed while down). Products
 * 192-199 are this file's; they get the word "wombat" in their names so a search lists only them.
 */
const ids = Array.from({ length: 8 }, (_, i) => demoIds.product(192 + i));
const [RATED, STOCKED, ORDERED, LATE_STOCK, LATE_REVIEW] = ids as [string, string, string, string, string];
const WAIT_MS = 20_000;
/** The order that took ORDERED's last unit (released by the event bus test). */
let lastUnitOrder = '';

const CATALOG = /* GraphQL */ `
  query Copies($filter: ProductFilter, $sort: ProductSort) {
    products(first: 20, filter: $filter, sort: $sort) {
      totalCount
      edges { node { id } }
      facets { ratingBands { minRating count } stock { inStock outOfStock } }
    }
  }`;
type Catalog = { totalCount: number; edges: Array<{ node: { id: string } }>; facets: { ratingBands: Array<{ minRating: number; count: number }>; stock: { inStock: number; outOfStock: number } } };
async function catalog(filter: Record<string, unknown>, sort?: string): Promise<Catalog> {
  const response = await gql<{ products: Catalog }>(CATALOG, { filter: { query: 'wombat', ...filter }, sort });
  expect(response.errors).toBeUndefined();
  return response.data!.products;
}
const listed = async (filter: Record<string, unknown>, sort?: string) => (await catalog(filter, sort)).edges.map((e) => e.node.id);

/** What the owners say now: reviews' count and rounded mean, inventory's availability and row version. */
async function ratingTruth(productId: string) {
  const [row] = await sql('reviews', 'SELECT count(*)::int AS n, coalesce(sum(rating), 0)::int AS s FROM reviews WHERE product_id = $1', [productId]);
  return { reviewCount: row!.n as number, ratingAverage: roundedMeanRating(row!.s, row!.n) ?? 0 };
}
async function stockTruth(productId: string) {
  const [row] = await sql('inventory', 'SELECT available, version::text AS version FROM stock_levels WHERE product_id = $1', [productId]);
  return { inStock: row!.available > 0, available: row!.available as number, version: row!.version as string };
}
async function copyIn(databaseUrl: string, productId: string) {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT in_stock, in_stock_version::text AS version, rating_average, review_count FROM products WHERE id = $1', [productId]);
    return { inStock: rows[0].in_stock as boolean, version: rows[0].version as string, ratingAverage: rows[0].rating_average as number, reviewCount: rows[0].review_count as number };
  } finally {
    await client.end();
  }
}
const copy = (productId: string) => copyIn(stack().subgraphs.products.databaseUrl, productId);

const inventoryBase = () => stack().subgraphs.inventory.url.replace(/\/graphql$/, '');
let orderCount = 0;
const run = Math.random().toString(36).slice(2, 8);
async function reservation(path: '' | '/release', productId: string, quantity: number, orderId = `copies-${run}-${++orderCount}`) {
  const response = await fetch(`${inventoryBase()}/internal/reservations${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await signIdentityToken({ id: 'orders', role: 'SERVICE' }, stack().secrets.internalToken, 'inventory') },
    body: JSON.stringify({ orderId, items: [{ productId, quantity }] }),
  });
  expect(response.status).toBe(200);
  return { orderId, body: await response.json() };
}
/** Written as inventory writes stock, with a new version but no event (not adjustStock, whose event would bring it at once): the feed carries it. */
const restock = (productId: string, units: number) =>
  sql('inventory', 'UPDATE stock_levels SET available = $2, version = version + 1, updated_at = now() WHERE product_id = $1', [productId, units]);

async function addReview(productId: string, rating: number) {
  const author = await newUser('copies');
  const added = await gql(operation('AddReview'), { input: { productId, rating, body: 'Checked by the catalog copies test' } }, author.token);
  expect(added.errors).toBeUndefined();
}

beforeAll(async () => {
  for (const [i, id] of ids.entries()) await sql('products', `UPDATE products SET name = $2 WHERE id = $1`, [id, `Wombat Copy ${i}`]);
  // Every one of them in stock, the change carried to the copies like any other.
  for (const id of ids) await restock(id, 5);
  await within(WAIT_MS, async () => (await catalog({ inStock: true })).totalCount === ids.length);
});

describe('a new review', () => {
  it('moves the product out of a minRating filter and band, re-sorts RATING, and updates the copy', async () => {
    const before = await ratingTruth(RATED);
    const band = Math.floor(before.ratingAverage);
    expect(band).toBeGreaterThanOrEqual(2); // seeded reviews: 5 per product, mostly 4s and 5s
    expect(await listed({ minRating: band })).toContain(RATED);
    const bandCount = (await catalog({})).facets.ratingBands.find((b) => b.minRating === band)!.count;

    // One-star reviews until the owner's average falls under that band (at most five).
    let truth = before;
    while (truth.ratingAverage >= band) {
      await addReview(RATED, 1);
      truth = await ratingTruth(RATED);
    }
    await within(WAIT_MS, async () => {
      const c = await copy(RATED);
      return c.reviewCount === truth.reviewCount && c.ratingAverage === truth.ratingAverage;
    });
    expect(await listed({ minRating: band })).not.toContain(RATED);
    expect((await catalog({})).facets.ratingBands.find((b) => b.minRating === band)!.count).toBe(bandCount - 1);
    // RATING lists them by the owners' averages, ties by id, both descending.
    const truths = await Promise.all(ids.map(async (id) => ({ id, ...(await ratingTruth(id)) })));
    const expected = truths.sort((a, b) => b.ratingAverage - a.ratingAverage || (a.id < b.id ? 1 : -1)).map((t) => t.id);
    expect(await listed({}, 'RATING')).toEqual(expected);
  });
});

describe('a reservation of the last unit', () => {
  it('takes the product out of the inStock filter and facet, and its release brings it back', async () => {
    await restock(STOCKED, 1);
    await within(WAIT_MS, async () => (await copy(STOCKED)).version === (await stockTruth(STOCKED)).version);
    const facetBefore = (await catalog({})).facets.stock;
    expect(await listed({ inStock: true })).toContain(STOCKED);

    const { orderId, body } = await reservation('', STOCKED, 1);
    expect(body).toEqual({ outcome: 'RESERVED' });
    expect((await stockTruth(STOCKED)).inStock).toBe(false);
    await within(WAIT_MS, async () => !(await listed({ inStock: true })).includes(STOCKED));
    expect(await listed({ inStock: false })).toContain(STOCKED);
    expect((await catalog({})).facets.stock).toEqual({ inStock: facetBefore.inStock - 1, outOfStock: facetBefore.outOfStock + 1 });
    expect(await copy(STOCKED)).toMatchObject({ inStock: false, version: (await stockTruth(STOCKED)).version });

    expect((await reservation('/release', STOCKED, 1, orderId)).body).toEqual({ releasedUnits: 1 });
    await within(WAIT_MS, async () => (await listed({ inStock: true })).includes(STOCKED));
    expect((await catalog({})).facets.stock).toEqual(facetBefore);
  });

  it('writes one stock.changed outbox row per crossing, none for a change that stays above zero', async () => {
    await restock(ORDERED, 3);
    const rows = async () => (await sql('inventory', `SELECT payload FROM outbox_events WHERE topic = 'stock.changed' AND payload->>'productId' = $1 ORDER BY id`, [ORDERED])).map((r) => r.payload);
    const already = (await rows()).length;
    await reservation('', ORDERED, 2); // 3 -> 1: still in stock
    expect(await rows()).toHaveLength(already);
    lastUnitOrder = (await reservation('', ORDERED, 1)).orderId; // 1 -> 0
    const written = (await rows()).slice(already);
    expect(written).toEqual([expect.objectContaining({ productId: ORDERED, inStock: false, available: 0, version: (await stockTruth(ORDERED)).version })]);
  });
});

describe('a redelivered or out-of-order value', () => {
  let db: PrismaClient;
  beforeAll(() => {
    db = new PrismaClient({ adapter: new PrismaPg({ connectionString: stack().subgraphs.products.databaseUrl, max: 1 }) });
  });
  afterAll(() => db.$disconnect());

  it('leaves the copy as the newest version has it (the consumer SQL, on this run database)', async () => {
    const truth = await stockTruth(ORDERED);
    await within(WAIT_MS, async () => (await copy(ORDERED)).version === truth.version);
    const newest = { productId: ORDERED, inStock: truth.inStock, version: truth.version };
    const older = { productId: ORDERED, inStock: !truth.inStock, version: String(BigInt(truth.version) - 1n) };
    expect(await applyStock(db, [newest], 'newer')).toEqual([]); // a redelivery
    expect(await applyStock(db, [older], 'newer')).toEqual([]); // a late, older one
    expect(await copy(ORDERED)).toMatchObject({ inStock: truth.inStock, version: truth.version });

    const rating = await ratingTruth(ORDERED);
    const olderRating = { productId: ORDERED, reviewCount: rating.reviewCount - 1, averageRating: 1 };
    expect(await applyRatings(db, [olderRating], 'newer')).toEqual([]);
    expect(await applyRatings(db, [{ productId: ORDERED, reviewCount: rating.reviewCount, averageRating: rating.ratingAverage }], 'newer')).toEqual([]);
    expect(await copy(ORDERED)).toMatchObject(rating);
  });

  describe.runIf(!!process.env.REDIS_URL)('on the event bus', () => {
    const metric = async (fact: string, result: string) => {
      const text = await (await fetch(stack().subgraphs.products.url.replace(/\/graphql$/, '/metrics'))).text();
      const line = text.split('\n').find((l) => l.startsWith(`catalog_copy_events_total{`) && l.includes(`fact="${fact}"`) && l.includes(`result="${result}"`));
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    };

    it('is received and left alone, and a newer one after it still applies', async () => {
      const bus = createEventBus({ redisUrl: process.env.REDIS_URL, channelPrefix: stack().eventsChannelPrefix });
      try {
        const truth = await stockTruth(ORDERED);
        await within(WAIT_MS, async () => (await copy(ORDERED)).version === truth.version);
        const unchanged = await metric('stock', 'unchanged');
        const event = (inStock: boolean, version: bigint) => ({ eventId: `${ORDERED}@${version}`, productId: ORDERED, inStock, available: inStock ? 1 : 0, version: version.toString() });
        await bus.publish('stock.changed', event(truth.inStock, BigInt(truth.version))); // redelivered
        await bus.publish('stock.changed', event(truth.inStock, BigInt(truth.version)));
        await bus.publish('stock.changed', event(!truth.inStock, BigInt(truth.version) - 1n)); // arrives after a newer one
        await within(WAIT_MS, async () => (await metric('stock', 'unchanged')) === unchanged + 3);
        expect(await copy(ORDERED)).toMatchObject({ inStock: truth.inStock, version: truth.version });

        const rating = await ratingTruth(ORDERED);
        const ratingUnchanged = await metric('ratings', 'unchanged');
        await bus.publish('review.added', { eventId: 'late', productId: ORDERED, productRating: { reviewCount: rating.reviewCount - 1, ratingSum: 1, averageRating: 1 } });
        await within(WAIT_MS, async () => (await metric('ratings', 'unchanged')) === ratingUnchanged + 1);
        expect(await copy(ORDERED)).toMatchObject(rating);

        // A real change after them still gets through: the release puts the last unit back.
        // (The 1 s feed read may get there first, so the event may find the copy already right.)
        const received = async () => (await metric('stock', 'changed')) + (await metric('stock', 'unchanged'));
        const before = await received();
        expect((await reservation('/release', ORDERED, 1, lastUnitOrder)).body).toEqual({ releasedUnits: 1 });
        await within(WAIT_MS, async () => (await received()) === before + 1);
        await within(WAIT_MS, async () => (await copy(ORDERED)).inStock);
        expect(await copy(ORDERED)).toMatchObject({ inStock: true, version: (await stockTruth(ORDERED)).version });
      } finally {
        await bus.close();
      }
    });
  });
});

describe('a copy that drifted while products was not listening', () => {
  const prefix = `cpy${Date.now().toString(36)}`;
  let dataDir: string | undefined;
  let databaseUrl: string | undefined;
  let replica: SubgraphService<unknown> | null = null;

  /** A products replica with a database of its own, seeded from the plan; only its start-up read syncs it (and its retries). */
  async function startReplica(options: { inventoryUrl?: string; log?: pino.Logger } = {}) {
    const service = await createSubgraph(productsSubgraph, {
      nodeEnv: 'test',
      databaseUrl,
      dataDir: dataDir ?? 'memory://',
      internalTokenSecret: stack().secrets.internalToken,
      seed: 'demo',
      seedProducts: stack().seedProducts,
      log: options.log ?? pino({ level: 'silent' }),
      redisUrl: stack().redisUrl,
      eventsChannelPrefix: stack().eventsChannelPrefix,
      extra: productsEnvSchema.parse({ INVENTORY_URL: options.inventoryUrl ?? inventoryBase(), REVIEWS_URL: stack().subgraphs.reviews.url.replace(/\/graphql$/, ''), CATALOG_SYNC_INTERVAL_MS: 3_600_000 }),
    });
    replica = service;
    return service;
  }
  async function agrees(service: SubgraphService<unknown>, productId: string) {
    const [c, stock, rating] = await Promise.all([copyIn(service.database.connectionString, productId), stockTruth(productId), ratingTruth(productId)]);
    return c.inStock === stock.inStock && c.reviewCount === rating.reviewCount && c.ratingAverage === rating.ratingAverage;
  }

  beforeAll(async () => {
    const serverUrl = process.env.DATABASE_URL;
    if (serverUrl) databaseUrl = (await ensureServiceDatabases(serverUrl, prefix, ['products'])).products;
    else dataDir = await mkdtemp(join(tmpdir(), 'catalog-copies-'));
  }, 120_000);
  afterAll(async () => {
    await replica?.close();
    if (process.env.DATABASE_URL) await dropServiceDatabases(process.env.DATABASE_URL, prefix, ['products']);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('converges when it starts again: the change feeds bring what it missed', async () => {
    let service = await startReplica();
    // A new database: the first read is a full one, whatever the other test files changed.
    await within(WAIT_MS, async () => (await agrees(service, LATE_STOCK)) && (await agrees(service, LATE_REVIEW)));
    await service.close();
    replica = null;

    // While it is down: the last unit sold, a review added. Their events go out (the stack's
    // products takes them); this replica hears nothing.
    await restock(LATE_STOCK, 1);
    await reservation('', LATE_STOCK, 1);
    await addReview(LATE_REVIEW, 2);
    await within(WAIT_MS, async () => (await copy(LATE_STOCK)).inStock === false);
    // On PostgreSQL its database can be read while it is down: the copy is stale there.
    if (databaseUrl) expect((await copyIn(databaseUrl, LATE_STOCK)).inStock).toBe(true);

    service = await startReplica();
    await within(WAIT_MS, async () => (await agrees(service, LATE_STOCK)) && (await agrees(service, LATE_REVIEW)));
    expect(await copyIn(service.database.connectionString, LATE_STOCK)).toMatchObject({ inStock: false });
    expect((await copyIn(service.database.connectionString, LATE_REVIEW)).reviewCount).toBe((await ratingTruth(LATE_REVIEW)).reviewCount);
  }, 120_000);

  it('catches up within seconds with an owner that starts after it (as under npm start), saying so quietly', async () => {
    await replica?.close();
    replica = null;
    // While it is down: one of this file's products sells out (no event; only inventory's feed carries it).
    const product = ids[5]!;
    await restock(product, 0);
    expect((await stockTruth(product)).inStock).toBe(false);
    // Inventory as this replica sees it: nobody listens for its first read, then it answers.
    const inventory = await lateProxy(inventoryBase(), 1_500);
    const lines: Array<{ level: number; msg: string }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    try {
      const service = await startReplica({ inventoryUrl: inventory.url, log });
      // Its sync interval is an hour (startReplica): only a retry can bring the sold-out product.
      await within(WAIT_MS, async () => (await copyIn(service.database.connectionString, product)).inStock === false);
      const about = (text: string) => lines.filter((line) => line.msg.includes(text));
      expect(about('could not read the inventory change feed yet').map((line) => line.level)).toEqual([30]);
      expect(about('catalog copy caught up with inventory').map((line) => line.level)).toEqual([30]);
      expect(lines.filter((line) => line.level >= 40 && line.msg.includes('catalog copy'))).toEqual([]);
    } finally {
      await inventory.close();
    }
  }, 120_000);
});

/** An HTTP proxy to `target` on a port of its own that starts listening only after `afterMs`. */
async function lateProxy(target: string, afterMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const server: Server = createServer((req, res) => {
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const listening = new Promise<void>((resolve) => setTimeout(() => server.listen(port, '127.0.0.1', resolve), afterMs));
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await listening;
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
