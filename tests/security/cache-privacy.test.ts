import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Supergraph, printSchema } from '@apollo/federation-internals';
import {
  buildSchema,
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { demoIds } from '@supergraph/service-kit';
import { repoPath } from '../../scripts/paths.ts';
import { graphql, stack } from '../support/graphql.ts';
import { startGatewayReplica } from '../support/gateways.ts';
import { operation } from '../support/operations.ts';
import { newUser } from '../support/users.ts';

/**
 * Attack: one user's data served to another from the response cache (issue 9, §1). For the
 * narrowest query reaching every field of the API schema, users A and B and an anonymous caller
 * each ask, in turns, through two gateway replicas sharing one Redis with the response cache on.
 * Each must get exactly the answer an uncached gateway gives them; whatever differs between
 * callers (depends on who asks) must never be `public`; mutations and errors are `no-store`.
 */
const apiSchema: GraphQLSchema = buildSchema(printSchema(Supergraph.build(readFileSync(repoPath('supergraph.graphql'), 'utf8')).apiSchema()));
const MAX_DEPTH = 5;

interface NarrowQuery {
  path: string;
  query: string;
}

/** Literal arguments, by `Type.field.argument`: for every required argument without a default, and optional ones to set. */
type Fixtures = Record<string, string>;

/** Every root-to-leaf path (no object type twice on one path), as the narrowest query that reaches it. */
function narrowQueries(schema: GraphQLSchema, fixtures: Fixtures): NarrowQuery[] {
  const queries: NarrowQuery[] = [];
  const argumentsOf = (type: GraphQLObjectType, field: GraphQLField<unknown, unknown>) => {
    // Required arguments, and optional ones with a fixture (`product(id:)` beside `slug:`/`sku:`: exactly one is needed).
    const required = field.args.filter((a) => (isNonNullType(a.type) && a.defaultValue === undefined) || fixtures[`${type.name}.${field.name}.${a.name}`] !== undefined);
    if (required.length === 0) return '';
    return `(${required
      .map((a) => {
        const literal = fixtures[`${type.name}.${field.name}.${a.name}`];
        if (literal === undefined) throw new Error(`No fixture for ${type.name}.${field.name}(${a.name}:): add one so the field is tested`);
        return `${a.name}: ${literal}`;
      })
      .join(', ')})`;
  };
  const walk = (type: GraphQLObjectType, prefix: string[], seen: Set<string>) => {
    for (const field of Object.values(type.getFields())) {
      const selection = `${field.name}${argumentsOf(type, field)}`;
      const named = getNamedType(field.type);
      const path = [...prefix, selection];
      if (isLeafType(named)) {
        const query = path.reduceRight((inner, outer) => `${outer} { ${inner} }`);
        queries.push({ path: path.map((p) => p.replace(/\(.*\)/, '')).join('.'), query: `query Narrow { ${query} }` });
      } else if (isObjectType(named) && !seen.has(named.name) && path.length < MAX_DEPTH) {
        walk(named, path, new Set([...seen, named.name]));
      }
    }
  };
  walk(schema.getQueryType()!, [], new Set(['Query']));
  return queries;
}

interface Answer {
  cacheControl: string | null;
  vary: string | null;
  body: { data?: unknown; codes: unknown[] };
}

async function ask(url: string, query: string, token?: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
  return {
    cacheControl: response.headers.get('cache-control'),
    vary: response.headers.get('vary'),
    body: { data: json.data, codes: (json.errors ?? []).map((e) => e.extensions?.code) },
  };
}

let callers: Array<{ name: string; token?: string }>;
let fixtures: Fixtures;

beforeAll(async () => {
  const [a, b] = [await newUser('privacy-a'), await newUser('privacy-b')];
  callers = [{ name: 'A', token: a.token }, { name: 'B', token: b.token }, { name: 'anonymous' }];
  // Each user owns an order and a review of the same product, so every viewer-dependent list
  // (me.orders, me.reviews, the product's reviews with their authors' e-mails) differs by caller.
  const productId = demoIds.product(280);
  const orderIds: string[] = [];
  for (const [i, user] of [a, b].entries()) {
    const placed = await graphql(stack().gatewayUrl, operation('PlaceOrder'), { input: { idempotencyKey: `privacy-${i}-${Date.now()}`, items: [{ productId, quantity: 1 }], paymentToken: 'tok_visa' } }, { authorization: `Bearer ${user.token}` });
    expect(placed.errors).toBeUndefined();
    orderIds.push(placed.data!.placeOrder.id);
    const reviewed = await graphql(stack().gatewayUrl, operation('AddReview'), { input: { productId, rating: 4, body: `Review by ${i}` } }, { authorization: `Bearer ${user.token}` });
    expect(reviewed.errors).toBeUndefined();
  }
  fixtures = { 'Query.product.id': JSON.stringify(productId), 'Query.order.id': JSON.stringify(orderIds[0]) };
});

const replica = () =>
  startGatewayReplica({
    redisUrl: stack().redisUrl,
    redisKeyPrefix: `${stack().eventsChannelPrefix}privacy:`,
    responseCache: true,
    rateLimit: { pointsPerMinute: 1_000_000, whenRedisDown: 'open' },
  });

describe('cached answers stay with the caller they belong to', () => {
  it('for the narrowest query of every field, through two replicas on one Redis', { timeout: 240_000 }, async () => {
    const [one, two] = [await replica(), await replica()];
    const queries = narrowQueries(apiSchema, fixtures);
    expect(queries.length).toBeGreaterThan(50);
    const viewerDependent: string[] = [];
    const failures: string[] = [];
    // Paths run a few at a time (each its own query, so its own cache entries); within a path, in order.
    const checkPath = async ({ path, query }: NarrowQuery) => {
      // The truth: what an uncached gateway answers each caller.
      const truth = await Promise.all(callers.map((c) => ask(stack().gatewayUrl, query, c.token)));
      const dependsOnCaller = truth.some((t) => JSON.stringify(t.body) !== JSON.stringify(truth[0]!.body));
      if (dependsOnCaller) viewerDependent.push(path);
      // A, B and anonymous in turns, alternating replicas, twice: each turn could hit what another stored.
      for (const round of [0, 1]) {
        for (const [i, caller] of callers.entries()) {
          const answer = await ask((i + round) % 2 === 0 ? one.url : two.url, query, caller.token);
          if (JSON.stringify(answer.body) !== JSON.stringify(truth[i]!.body)) failures.push(`${path}: ${caller.name} got ${JSON.stringify(answer.body)}, not ${JSON.stringify(truth[i]!.body)}`);
          if (dependsOnCaller && /public/.test(answer.cacheControl ?? '')) failures.push(`${path}: ${caller.name}'s viewer-dependent answer is ${answer.cacheControl}`);
          if (answer.body.codes.length > 0 && answer.cacheControl !== 'no-store') failures.push(`${path}: an error answer is ${answer.cacheControl}`);
          if (!/authorization/i.test(answer.vary ?? '')) failures.push(`${path}: no Vary: Authorization`);
        }
      }
    };
    const pending = [...queries];
    await Promise.all(Array.from({ length: 6 }, async () => {
      for (let next = pending.shift(); next; next = pending.shift()) await checkPath(next);
    }));
    expect(failures).toEqual([]);
    // The generator reached what depends on the caller (a guard against a walk that tests nothing).
    for (const expected of ['me.id', 'me.name', 'me.email', 'me.orders.id', 'me.reviews.body', 'order.status', 'product.reviews.author.email']) {
      expect(viewerDependent).toContain(expected);
    }
  });

  it('keeps the viewer private whatever the selection: `me { id name }` as A, as B, and anonymously', async () => {
    const [one, two] = [await replica(), await replica()];
    const whoAmI = 'query WhoAmI { me { id name } }';
    const [a, b] = [callers[0]!, callers[1]!];
    const asA = await ask(one.url, whoAmI, a.token);
    expect(asA.cacheControl).toMatch(/^private, max-age=\d+$/);
    const asB = await ask(two.url, whoAmI, b.token);
    expect(asB.body.data).not.toEqual(asA.body.data);
    const anonymous = await ask(one.url, '{ me { id name email } }');
    expect(anonymous.body.data).toEqual({ me: null });
    expect(anonymous.cacheControl).toMatch(/^private/);
    // The anonymous null was not stored for the signed-in either.
    expect((await ask(two.url, '{ me { id name email } }', a.token)).body.data).not.toEqual({ me: null });
  });

  it('never lets a mutation or an error answer be cached', async () => {
    const user = callers[0]!;
    const review = await ask(stack().gatewayUrl, operation('AddReview'), user.token, { input: { productId: demoIds.product(281), rating: 5, body: 'Never cached' } });
    expect(review.body.codes).toEqual([]);
    expect(review.cacheControl).toBe('no-store');
    const notFound = await ask(stack().gatewayUrl, operation('ProductPage'), undefined, { id: 'no-such-product' });
    expect(notFound.body.codes).toContain('NOT_FOUND');
    expect(notFound.cacheControl).toBe('no-store');
    // Refused before GraphQL runs (a bad token) is not cacheable either.
    expect((await ask(stack().gatewayUrl, '{ categories { id } }', 'not-a-token')).cacheControl).toBe('no-store');
  });
});
