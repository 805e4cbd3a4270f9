import { createHash, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { demoIds, readCounter } from '@supergraph/service-kit';
import { REQUEST_LIMITS } from '../../gateway/src/limits.ts';
import { stack } from '../support/graphql.ts';
import { startCachingReplica, startGatewayReplica } from '../support/gateways.ts';

/**
 * Attacks on the gateway's cost and size limits (issue 9, §2), each sent as the issue sent it:
 * page sizes hidden in variable defaults, a list size the schema states, a 950 KB comment, APQ
 * registrations filling Redis, variables nested 450,000 levels, an unknown operationName, and
 * the refusals' codes. Every refusal is HTTP 400 with a documented code (README), nothing runs.
 */
interface Answer {
  status: number;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
}

async function post(url: string, body: unknown): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const productsStatements = async () =>
  readCounter(await (await fetch(stack().subgraphs.products.url.replace(/\/graphql$/, '/metrics'))).text(), 'db_queries_total');

/** Refused with 400 and `code` (and `limit`), before any subgraph ran a statement. */
async function expectRefused(url: string, body: unknown, code: string, limit?: string) {
  const before = await productsStatements();
  const answer = await post(url, body);
  expect(answer.status).toBe(400);
  expect(answer.body.data ?? null).toBeNull();
  expect(answer.body.errors).toHaveLength(1);
  expect(answer.body.errors![0]!.extensions).toMatchObject({ code, ...(limit ? { limit } : {}) });
  expect(answer.body.errors![0]!.message).toMatch(/: [a-z]/); // says what is wrong, then what to do
  expect(await productsStatements()).toBe(before);
  return answer;
}

const gateway = () => stack().gatewayUrl;

const THREE_LEVELS = (a: string, b: string, c: string) =>
  `products(first: ${a}) { edges { node { id name reviews(first: ${b}) { id body author { id name reviews(first: ${c}) { id rating } } } } } }`;

describe('cost that cannot be dodged', () => {
  it('counts page sizes given as variable defaults: refused like the same query with literals', async () => {
    const literals = await expectRefused(gateway(), { query: `{ ${THREE_LEVELS('100', '100', '100')} }` }, 'BAD_REQUEST', 'MAX_COST');
    const defaults = await expectRefused(
      gateway(),
      { query: `query($a: Int! = 100, $b: Int! = 100, $c: Int! = 100) { ${THREE_LEVELS('$a', '$b', '$c')} }` },
      'BAD_REQUEST',
      'MAX_COST',
    );
    expect(defaults.body.errors![0]!.message).toBe(literals.body.errors![0]!.message); // the same estimate
  });

  it('sizes an unpaged list by the @listSize the served supergraph gives it, not a flat 10', async () => {
    // categories carries @listSize(assumedSize: 50): 1 + 50 x 2 = 101; counted as 10 it would be 21.
    const strict = await startGatewayReplica({ limits: { maxCost: 100 } });
    await expectRefused(strict.url, { query: '{ categories { id name } }' }, 'BAD_REQUEST', 'MAX_COST');
    expect((await post(strict.url, { query: '{ categories { id } }' })).body.errors).toBeUndefined(); // 51
  });
});

describe('document size', () => {
  const comment = `# ${'x'.repeat(950_000)}\n{ categories { id } }`;

  it('refuses a 950 KB comment by the document-size limit, with a message that says what to do', async () => {
    const answer = await expectRefused(gateway(), { query: comment }, 'BAD_REQUEST', 'MAX_DOCUMENT_BYTES');
    expect(answer.body.errors![0]!.message).toMatch(/remove comments/);
    // Registered as an automatic persisted query, it is refused the same way (so never stored).
    const hash = createHash('sha256').update(comment).digest('hex');
    await expectRefused(gateway(), { query: comment, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, 'BAD_REQUEST', 'MAX_DOCUMENT_BYTES');
  });
});

describe.runIf(!!process.env.REDIS_URL)('APQ store in Redis', () => {
  const prefix = `sec-apq-${randomUUID()}:`;
  const redis = new Redis(stack().redisUrl ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('stays within its entry and byte budgets however many large documents are registered', async () => {
    const limits = { apqMaxEntries: 5, apqMaxBytes: 24_000, maxDocumentBytes: 8_000 };
    const replica = await startGatewayReplica({ redisUrl: stack().redisUrl, redisKeyPrefix: prefix, limits });
    const documents = Array.from({ length: 20 }, (_, i) => `# ${String(i).padStart(2, '0')} ${'x'.repeat(7_000)}\n{ categories { id } }`);
    for (const query of documents) {
      const sha256Hash = createHash('sha256').update(query).digest('hex');
      const answer = await post(replica.url, { query, extensions: { persistedQuery: { version: 1, sha256Hash } } });
      expect(answer.status).toBe(200);
    }
    // A document over the per-entry bound is refused before it could be stored.
    const tooLarge = `# ${'x'.repeat(9_000)}\n{ categories { id } }`;
    await expectRefused(replica.url, { query: tooLarge, extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(tooLarge).digest('hex') } } }, 'BAD_REQUEST', 'MAX_DOCUMENT_BYTES');

    await new Promise((resolve) => setTimeout(resolve, 200)); // Apollo stores APQ documents without awaiting
    const entries = await redis.keys(`${prefix}apq:doc:*`);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.length).toBeLessThanOrEqual(limits.apqMaxEntries);
    const stored = (await Promise.all(entries.map((key) => redis.strlen(key)))).reduce((a, b) => a + b, 0);
    expect(stored).toBeLessThanOrEqual(limits.apqMaxBytes);
    const memory = (await Promise.all((await redis.keys(`${prefix}apq:*`)).map((key) => redis.memory('USAGE', key)))).reduce<number>((a, b) => a + (b ?? 0), 0);
    expect(memory).toBeLessThan(limits.apqMaxBytes * 2); // 20 x 7 KB = 140 KB unbounded

    // The most recent registrations still answer by hash alone; the oldest were evicted.
    const hashOnly = (query: string) => post(replica.url, { extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } } });
    expect((await hashOnly(documents.at(-1)!)).body.data?.categories).toBeDefined();
    expect((await hashOnly(documents[0]!)).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('deeply nested variables and unknown operation names', () => {
  const DEPTH = 450_000;
  const nested = `{"query":"query($f: ProductFilter) { products(first: 1, filter: $f) { totalCount } }","variables":{"f":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}}`;

  it('answers variables nested 450,000 levels deep with 400 MAX_VARIABLES_DEPTH, not 500', async () => {
    await expectRefused(gateway(), nested, 'BAD_REQUEST', 'MAX_VARIABLES_DEPTH');
  });

  it.runIf(!!process.env.REDIS_URL)('... also with the response cache on, which hashes the variables', async () => {
    const cached = await startCachingReplica();
    await expectRefused(cached.url, nested, 'BAD_REQUEST', 'MAX_VARIABLES_DEPTH');
  });

  it('answers an operationName that names no operation of the document with 400 OPERATION_RESOLUTION_FAILURE, not 500', async () => {
    const answer = await expectRefused(gateway(), { query: 'query A { categories { id } }', operationName: `B${'x'.repeat(10_000)}` }, 'OPERATION_RESOLUTION_FAILURE');
    expect(answer.body.errors![0]!.message.length).toBeLessThan(300); // the name is not echoed
  });
});

describe('limits are settings', () => {
  it('a raised limit admits a legitimate large query that the defaults refuse', async () => {
    // A query documented inline (40 KB of comments) with 100 products x 100 reviews (cost 10,302).
    const large = `# ${'Catalog page with every review. '.repeat(1_250)}\n{ products(first: 100) { edges { node { id reviews(first: 100) { id } } } } }`;
    expect(Buffer.byteLength(large)).toBeGreaterThan(REQUEST_LIMITS.maxDocumentBytes);
    await expectRefused(gateway(), { query: large }, 'BAD_REQUEST', 'MAX_DOCUMENT_BYTES');
    await expectRefused(gateway(), { query: large.slice(large.indexOf('\n') + 1) }, 'BAD_REQUEST', 'MAX_COST');
    const raised = await startGatewayReplica({ limits: { maxDocumentBytes: 100_000, maxCost: 20_000 } });
    const answer = await post(raised.url, { query: large });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.products.edges).toHaveLength(100);
  });
});

describe('every refusal has one documented code', () => {
  const product = `product(id: "${demoIds.product(0)}")`;

  it('depth, aliases and directives: BAD_REQUEST naming the limit, not GRAPHQL_VALIDATION_FAILED "Syntax Error"', async () => {
    let deep = 'id';
    for (let i = 0; i < REQUEST_LIMITS.maxDepth; i++) deep = `reviews(first: 1) { product { ${deep} } }`;
    const depth = await expectRefused(gateway(), { query: `{ ${product} { ${deep} } }` }, 'BAD_REQUEST', 'MAX_DEPTH');
    expect(depth.body.errors![0]!.message).not.toMatch(/Syntax Error/);
    const aliases = Array.from({ length: REQUEST_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: id`).join(' ');
    await expectRefused(gateway(), { query: `{ ${product} { ${aliases} } }` }, 'BAD_REQUEST', 'MAX_ALIASES');
    const directives = Array.from({ length: REQUEST_LIMITS.maxDirectives + 1 }, () => 'id @include(if: true)').join(' ');
    await expectRefused(gateway(), { query: `{ categories { ${directives} } }` }, 'BAD_REQUEST', 'MAX_DIRECTIVES');
  });

  it('depth counts fields, not the fragments clients compose queries of; fragments do not hide depth either', async () => {
    // A selection depth of 2 wrapped in more fragments than the depth limit (Relay and codegen nest them so).
    let wrapped = 'id name';
    for (let i = 0; i < REQUEST_LIMITS.maxDepth; i++) wrapped = `... on Product { ${wrapped} }`;
    const spreads = Array.from({ length: REQUEST_LIMITS.maxDepth }, (_, i) => `fragment F${i} on Product { ${i + 1 < REQUEST_LIMITS.maxDepth ? `...F${i + 1}` : 'id'} }`).join(' ');
    for (const query of [`{ ${product} { ${wrapped} } }`, `{ ${product} { ...F0 } } ${spreads}`]) {
      const answer = await post(gateway(), { query });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.data?.product).toMatchObject({ id: demoIds.product(0) });
    }
    // The fields inside a fragment still count.
    let deep = 'id';
    for (let i = 0; i < REQUEST_LIMITS.maxDepth; i++) deep = `reviews(first: 1) { product { ${deep} } }`;
    await expectRefused(gateway(), { query: `{ ${product} { ...Deep } } fragment Deep on Product { ${deep} }` }, 'BAD_REQUEST', 'MAX_DEPTH');
  });

  it('an unknown documentId: PERSISTED_QUERY_NOT_FOUND, not "must contain a non-empty `query`"', async () => {
    const answer = await expectRefused(gateway(), { documentId: `sha256:${'0'.repeat(64)}` }, 'PERSISTED_QUERY_NOT_FOUND');
    expect(answer.body.errors![0]!.message).not.toMatch(/non-empty/);
  });

  it('an APQ hash that does not match its query: 400 PERSISTED_QUERY_HASH_MISMATCH, not INTERNAL_SERVER_ERROR', async () => {
    await expectRefused(gateway(), { query: '{ categories { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }, 'PERSISTED_QUERY_HASH_MISMATCH');
  });

  it('an APQ extension of another version or shape: 400 BAD_REQUEST, not INTERNAL_SERVER_ERROR', async () => {
    const query = '{ categories { id } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    for (const persistedQuery of [{ version: 2, sha256Hash }, sha256Hash, null, [sha256Hash], { version: 1 }]) {
      const answer = await expectRefused(gateway(), { query, extensions: { persistedQuery } }, 'BAD_REQUEST');
      expect(answer.body.errors![0]!.message, JSON.stringify(persistedQuery)).toMatch(/version 1/);
    }
  });
});
