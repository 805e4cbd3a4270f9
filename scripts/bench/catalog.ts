// `npm run bench:catalog`: the catalog at a retailer's size (issue 13, ADR 0016). Seeds 100,000
// products and 500,000 reviews (every subgraph's own bulk seed: multi-row INSERT … SELECT FROM
// unnest) on fresh databases of the PostgreSQL server at DATABASE_URL, then, through the gateway,
// runs four storefront queries at BENCH_CONCURRENCY (20) concurrent clients, BENCH_REQUESTS (1000)
// each, then BENCH_ONE_CLIENT_REQUESTS (200) from one client (the latency without queueing), prints
// p50/p95/p99 and the EXPLAIN plan of each query's catalog statement, and drops its databases.
// A benchmark, not a test: it asserts nothing, it reports. BENCH_PRODUCTS overrides the size.
//
// BENCH_STACK says what serves: `in-process` (the default, as every figure in the README) is every
// service in this process (tests/e2e's stack), sharing one thread with the load generator;
// `processes` is the supergraph as `npm start` and production run it, each service a process of
// its own from its built JavaScript and the gateway with a worker per core (GATEWAY_WORKERS), on
// ports +BENCH_PORT_OFFSET (22000), without Redis so that no response cache answers for the catalog.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startStack } from '../in-process-stack.ts';
import { withDatabase } from '../local-databases.ts';
import { startFullStack } from './full-stack/stack.ts';
import { formatLoad, runLoad } from './load.ts';
import { parseCatalogArgs } from '../../subgraphs/products/src/catalog-page.ts';
import { categoryCountsQuery, categoryPagesQuery, facetsQuery, pageQuery } from '../../subgraphs/products/src/catalog-query.ts';
import { Prisma } from '../../subgraphs/products/src/generated/prisma/client.ts';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('bench:catalog needs a PostgreSQL server: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:catalog');
  process.exit(2);
}
const products = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const requests = Number(process.env.BENCH_REQUESTS ?? 1_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 20);
const alone = Number(process.env.BENCH_ONE_CLIENT_REQUESTS ?? 200);
const stackKind = process.env.BENCH_STACK ?? 'in-process';
if (stackKind !== 'processes' && stackKind !== 'in-process') {
  console.error(`bench:catalog: BENCH_STACK is "in-process" (the default) or "processes", not "${stackKind}"`);
  process.exit(2);
}

interface CatalogStack {
  gatewayUrl: string;
  productsDatabaseUrl: string;
  describe: string;
  close(): Promise<void>;
}

async function startCatalogStack(serverUrl: string): Promise<CatalogStack> {
  if (stackKind === 'in-process') {
    const stack = await startStack({ seedProducts: products });
    return {
      gatewayUrl: stack.gatewayUrl,
      productsDatabaseUrl: stack.subgraphs.products.databaseUrl,
      describe: 'every service and this load generator in one process, response cache off',
      close: () => stack.close(),
    };
  }
  const prefix = `bench_cat_${Date.now().toString(36)}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-catalog-'));
  const workers = Number(process.env.GATEWAY_WORKERS ?? availableParallelism());
  const stack = startFullStack({
    databaseUrl: serverUrl,
    redisUrl: undefined,
    prefix,
    portOffset: Number(process.env.BENCH_PORT_OFFSET ?? 22_000),
    seedProducts: products,
    dataDir,
    logLevel: process.env.LOG_LEVEL ?? 'warn',
    startTimeoutMs: 600_000,
    env: { GATEWAY_WORKERS: String(workers) },
  });
  const close = async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await stack.ready;
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    gatewayUrl: stack.gatewayUrl,
    productsDatabaseUrl: withDatabase(serverUrl, `${prefix}_products`),
    describe: `BENCH_STACK=processes: each service its own process as npm start runs them, the gateway on ${workers} workers, no Redis so no response cache`,
    close,
  };
}

const SEARCH_TERMS = ['smart', 'bamboo lamp', 'speakr', 'wal', 'compact kettle', 'rugged tent', 'headphone', 'ceramic bottle', 'drone', 'vintage chair'];
const SEARCH = /* GraphQL */ `
  query Search($filter: ProductFilter) {
    products(first: 20, filter: $filter) {
      totalCount
      edges { cursor node { id slug name price { amountCents currency } } }
      facets {
        categories { category { id name slug } count }
        priceBands { minPriceCents maxPriceCents count }
        ratingBands { minRating count }
        stock { inStock outOfStock }
      }
    }
  }`;
const CATEGORY_FILTER = { minPriceCents: 1_000, maxPriceCents: 30_000, inStock: true };
const CATEGORY_PAGE = /* GraphQL */ `
  query CategoryPage($slug: String!, $after: String, $filter: ProductFilter) {
    category(slug: $slug) {
      id name
      products(first: 20, after: $after, filter: $filter, sort: PRICE_ASC) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { id slug name price { amountCents currency } } }
      }
    }
  }`;
const DEEP_PAGE = /* GraphQL */ `
  query DeepPage($slug: String!, $after: String) {
    category(slug: $slug) { products(first: 20, after: $after, sort: RATING) { pageInfo { hasNextPage endCursor } edges { node { id slug name } } } }
  }`;
const PRODUCT_PAGE = /* GraphQL */ `
  query ProductBySlug($slug: String!) {
    product(slug: $slug) {
      id sku slug name description price { amountCents currency } category { id name slug }
      inStock stock averageRating reviewCount
      reviewsConnection(first: 5) { pageInfo { hasNextPage endCursor } edges { node { id rating body createdAt author { id name } } } }
    }
  }`;

const started = Date.now();
console.log(`seeding ${products.toLocaleString('en')} products and ${(products * 5).toLocaleString('en')} reviews on PostgreSQL…`);
const stack = await startCatalogStack(databaseUrl);
const db = new pg.Client({ connectionString: stack.productsDatabaseUrl });
try {
  await db.connect();
  console.log(`stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const post = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    return { status: response.status, body };
  };
  const outcome = ({ status, body }: Awaited<ReturnType<typeof post>>) => (status !== 200 ? `http_${status}` : body.errors ? 'errors' : 'ok');

  const categories = (await db.query<{ id: string; slug: string }>('SELECT id, slug FROM categories ORDER BY slug')).rows;
  const slugs = (await db.query<{ slug: string }>('SELECT slug FROM products ORDER BY id LIMIT 2000')).rows.map((r) => r.slug);

  // The deep pages' cursors: four categories walked 50 pages of 20 under RATING (1,000 products in).
  const deepCursors: Array<{ slug: string; after: string }> = [];
  for (const category of categories.slice(0, 4)) {
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const answer = await post(DEEP_PAGE, { slug: category.slug, after });
      if (outcome(answer) !== 'ok') throw new Error(`walking ${category.slug}: ${JSON.stringify(answer.body.errors)}`);
      after = answer.body.data.category.products.pageInfo.endCursor;
    }
    deepCursors.push({ slug: category.slug, after: after! });
  }

  const scenarios = [
    { name: 'search with facets', send: (n: number) => post(SEARCH, { filter: { query: SEARCH_TERMS[n % SEARCH_TERMS.length] } }) },
    { name: 'category page, filtered + sorted', send: (n: number) => post(CATEGORY_PAGE, { slug: categories[n % categories.length]!.slug, filter: CATEGORY_FILTER }) },
    { name: 'deep page (after 50 pages)', send: (n: number) => post(DEEP_PAGE, deepCursors[n % deepCursors.length]!) },
    { name: 'product page by slug', send: (n: number) => post(PRODUCT_PAGE, { slug: slugs[(n * 7919) % slugs.length] }) },
  ];
  console.log(`\n${requests} requests a query, ${concurrency} concurrent clients, through the gateway (${stack.describe}); then ${alone} from one client`);
  const rows: Array<{ name: string; result: Awaited<ReturnType<typeof runLoad>>; oneClient: Awaited<ReturnType<typeof runLoad>> | null }> = [];
  for (const scenario of scenarios) {
    const send = async (n: number) => outcome(await scenario.send(n));
    await runLoad(100, concurrency, send); // warm-up: plans, pools, caches
    const result = await runLoad(requests, concurrency, send);
    console.log(`  ${scenario.name}: ${formatLoad(result)}`);
    // One client: the latency of the request itself, without queueing behind the others' CPU.
    const oneClient = alone > 0 ? await runLoad(alone, 1, send) : null;
    if (oneClient) console.log(`  ${scenario.name}, one client: ${formatLoad(oneClient)}`);
    rows.push({ name: scenario.name, result, oneClient });
  }
  console.log(`\n| query | p50 ms | p95 ms | p99 ms | req/s | one client: p50 ms | p95 ms |\n|---|---|---|---|---|---|---|`);
  for (const { name, result, oneClient } of rows) {
    const single = oneClient ? `${oneClient.p50.toFixed(1)} | ${oneClient.p95.toFixed(1)}` : '- | -';
    console.log(`| ${name} | ${result.p50.toFixed(1)} | ${result.p95.toFixed(1)} | ${result.p99.toFixed(1)} | ${result.perSecond.toFixed(0)} | ${single} |`);
  }

  // The catalog statements behind each query, built by the same code the subgraph runs.
  const explain = async (title: string, statement: Prisma.Sql) => {
    // Twice, the second printed: a fresh backend's first run of a statement was many times slower (283 ms against 17).
    // BUFFERS: how many pages were found in shared buffers (hit) and how many had to be read.
    await db.query(statement.text, statement.values as unknown[]);
    const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY ON) ${statement.text}`, statement.values as unknown[]);
    console.log(`\n-- ${title}\n${plan.rows.map((row) => row['QUERY PLAN']).join('\n')}`);
  };
  const search = parseCatalogArgs({ first: 20, filter: { query: SEARCH_TERMS[0] } });
  await explain(`search "${SEARCH_TERMS[0]}": page`, pageQuery(search));
  await explain(`search "${SEARCH_TERMS[0]}": facets`, facetsQuery(search.filter));
  const typo = parseCatalogArgs({ first: 20, filter: { query: 'speakr' } });
  await explain('search "speakr" (typo): page', pageQuery(typo, 'typo'));
  // Category.products runs through the per-category (LATERAL) statement, batched across categories.
  const category = parseCatalogArgs({ first: 20, filter: CATEGORY_FILTER, sort: 'PRICE_ASC' });
  await explain('category page, filtered + sorted (PRICE_ASC)', categoryPagesQuery([categories[0]!.id], category));
  await explain('category page, filtered + sorted: its count (totalCount)', categoryCountsQuery([categories[0]!.id], category.filter));
  const deep = parseCatalogArgs({ first: 20, after: deepCursors[0]!.after, sort: 'RATING' });
  await explain('deep page (RATING, after 50 pages)', categoryPagesQuery([categories[0]!.id], deep));
  await explain('product page by slug', Prisma.sql`SELECT * FROM "products" WHERE "slug" IN (${slugs[0]})`);
} finally {
  await db.end().catch(() => {});
  await stack.close();
  console.log(`\ndatabases dropped; ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
}
