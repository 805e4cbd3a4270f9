import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import type { Request, Response } from 'express';
import { depthExceeds, documentLimitGuard, requestLimits } from './limits.ts';
import { estimateCost, readCostDirectives, type CostDirectives } from './query-cost.ts';

const COST_LINK = 'schema @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"]) { query: Query }';
const COST_DEFINITIONS = `
  directive @link(url: String, as: String, import: [link__Import]) repeatable on SCHEMA
  scalar link__Import
  directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
`;

const sdl = `${COST_LINK} ${COST_DEFINITIONS}
  type Query {
    products(first: Int! = 20): Conn! @listSize(slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false)
    categories: [Category!]! @listSize(assumedSize: 50)
    tags: [String!]!
    legacy(first: Int = 5): LegacyConn!
  }
  type Conn { totalCount: Int! edges: [Edge!]! }
  type LegacyConn { edges: [Edge!]! }
  type Edge { node: Product! }
  type Product {
    id: ID!
    reviews(first: Int! = 10): [Review!] @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
    category: Category!
    recommendations(first: Int): [Product!]
  }
  type Review { id: ID! author: User }
  type User { id: ID! reviews(first: Int! = 20): [Review!] @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false) }
  type Category { id: ID! name: String! }
`;
const schema = buildSchema(sdl);
const directives = readCostDirectives(sdl);
const cost = (query: string, variables: Record<string, unknown> = {}, on = schema, with_: CostDirectives = directives) => {
  const document = parse(query);
  return estimateCost(on, document, document.definitions[0] as OperationDefinitionNode, variables, 10, with_);
};

describe('estimated query cost', () => {
  it('multiplies by the page size once for a connection (sizedFields), not again for its edges', () => {
    // products 1 + totalCount 1 + edges 1 + (node 1 + id 1) x 100
    expect(cost('{ products(first: 100) { totalCount edges { node { id } } } }')).toBe(3 + 200);
  });

  it('takes page sizes from variables, from the variables\' defaults and from the arguments\' defaults', () => {
    expect(cost('query ($n: Int!) { products(first: $n) { edges { node { id } } } }', { n: 7 })).toBe(2 + 7 * 2);
    expect(cost('query ($n: Int! = 7) { products(first: $n) { edges { node { id } } } }')).toBe(2 + 7 * 2);
    expect(cost('{ products { edges { node { id } } } }')).toBe(2 + 20 * 2);
  });

  it('costs a query whose page sizes are variable defaults exactly like the same query with literals (issue 9)', () => {
    const shape = (a: string, b: string, c: string) =>
      `products(first: ${a}) { edges { node { id reviews(first: ${b}) { id author { id reviews(first: ${c}) { id } } } } } }`;
    const withDefaults = cost(`query ($a: Int! = 100, $b: Int! = 100, $c: Int! = 100) { ${shape('$a', '$b', '$c')} }`);
    const withLiterals = cost(`{ ${shape('100', '100', '100')} }`);
    expect(withDefaults).toBe(withLiterals);
    expect(withDefaults).toBeGreaterThan(1_000_000);
    // A variable that is given wins over its default.
    expect(cost(`query ($a: Int! = 100, $b: Int! = 100, $c: Int! = 100) { ${shape('$a', '$b', '$c')} }`, { a: 1, b: 1, c: 1 })).toBe(cost(`{ ${shape('1', '1', '1')} }`));
  });

  it('never lets a page size that is not a number lower the estimate', () => {
    const query = 'query ($n: Int!) { products(first: $n) { edges { node { id } } } }';
    expect(cost(query, { n: '100' })).toBe(cost(query, { n: 100 }));
    for (const n of ['many', { a: 1 }, [100], true, -5, Number.NaN]) expect(cost(query, { n }), JSON.stringify(n)).toBe(2 + 10 * 2);
  });

  it('multiplies nested pages; an unsized list counts its assumedSize, else the default', () => {
    expect(cost('{ products(first: 10) { edges { node { reviews(first: 5) { id } } } } }')).toBe(2 + 10 * (2 + 5));
    expect(cost('{ categories { id name } }')).toBe(1 + 50 * 2);
    expect(cost('{ tags }')).toBe(1);
    expect(cost('{ products(first: 2) { edges { node { recommendations { id } } } } }')).toBe(2 + 2 * (2 + 10));
  });

  it('without @listSize, sizes a paged object\'s lists by its `first` (the connection convention)', () => {
    expect(cost('{ legacy { edges { node { id } } } }')).toBe(2 + 5 * 2);
    expect(cost('{ legacy(first: 3) { edges { node { id } } } }')).toBe(2 + 3 * 2);
  });

  it('follows fragments and inline fragments on the same type', () => {
    expect(cost('{ products(first: 4) { edges { node { ...P ... on Product { id } } } } } fragment P on Product { category { name } }')).toBe(2 + 4 * (1 + 2 + 1));
  });

  it('weighs fields, types and arguments by @cost', () => {
    const weighted = `${COST_LINK} ${COST_DEFINITIONS}
      type Query { search(text: String @cost(weight: 20)): [Hit!]! @listSize(assumedSize: 5) @cost(weight: 3) hit: Hit }
      type Hit @cost(weight: 4) { id: ID! score: Float @cost(weight: 2) }`;
    const on = buildSchema(weighted);
    const given = readCostDirectives(weighted);
    expect(cost('{ search { id score } }', {}, on, given)).toBe(3 + 5 * (1 + 2));
    expect(cost('{ search(text: "x") { id } }', {}, on, given)).toBe(3 + 20 + 5 * 1);
    expect(cost('{ hit { id } }', {}, on, given)).toBe(4 + 1);
  });

  it('counts the most expensive of mutually exclusive type conditions, not their sum', () => {
    const accounts = `${COST_LINK} ${COST_DEFINITIONS}
      type Query { accounts(first: Int = 5): [Account!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false) }
      interface Account { id: ID! similarAccounts: [Account!]! }
      type Person implements Account { id: ID! name: String! similarAccounts: [Account!]! @listSize(assumedSize: 2) }
      type Company implements Account { id: ID! employees: [Person!]! @listSize(assumedSize: 3) similarAccounts: [Account!]! @listSize(assumedSize: 2) }
      union Result = Person | Company`;
    const on = buildSchema(accounts);
    const given = readCostDirectives(accounts);
    const person = 'id ... on Person { name }';
    const company = '... on Company { employees { id name } }';
    // Person: 2; Company: 1 + 1 + 3 x 2 = 8; one account costs the larger, 8, and 5 accounts 1 + 5 x 8.
    expect(cost(`{ accounts { ${person} ${company} } }`, {}, on, given)).toBe(1 + 5 * 8);
    // Fragment spreads and nesting, three levels deep as in the issue: the max at every level.
    const query = `{ accounts { ...A similarAccounts { ...A similarAccounts { ...A } } } }
      fragment A on Account { ...P ...C } fragment P on Person { id name } fragment C on Company { id employees { id } }`;
    // Level 3: max(2, 1 + 1 + 3) = 5; level 2: max(2 + 1 + 2 x 5, 5 + 1 + 2 x 5) = 16; level 1: 5 + 1 + 2 x 16 = 38.
    expect(cost(query, {}, on, given)).toBe(1 + 5 * 38);
  });

  it('costs repeated fragment spreads once per type, so the estimate stays cheap to compute', () => {
    const spreads = (name: string) => Array.from({ length: 30 }, () => `...${name}`).join(' ');
    let fragments = 'fragment F0 on Product { id }';
    for (let i = 1; i <= 8; i++) fragments += ` fragment F${i} on Product { category { id } recommendations(first: 1) { ${spreads(`F${i - 1}`)} } }`;
    const estimate = cost(`{ products(first: 1) { edges { node { ${spreads('F8')} } } } } ${fragments}`);
    expect(estimate).toBeGreaterThan(30 ** 8);
  });
});

describe('cost directives read from a supergraph', () => {
  it('reads the composed supergraph, whose cost link imports @listSize and keeps @cost as the namesake', () => {
    const supergraph = readCostDirectives(readFileSync(new URL('../../supergraph.graphql', import.meta.url), 'utf8'));
    expect(supergraph.listSizes.get('Query.products')).toEqual({ slicingArguments: ['first'], sizedFields: ['edges'], requireOneSlicingArgument: false });
    expect(supergraph.listSizes.get('Product.reviews')?.slicingArguments).toEqual(['first']);
    expect(supergraph.listSizes.get('Query.categories')?.assumedSize).toBeGreaterThan(0);
  });

  it('follows renamed imports and namespaces', () => {
    const renamed = readCostDirectives(`
      schema @link(url: "https://specs.apollo.dev/cost/v0.1", import: [{ name: "@cost", as: "@weight" }, { name: "@listSize", as: "@size" }]) { query: Query }
      type Query { a: [Int] @size(assumedSize: 7) @weight(weight: 3) b: Int @cost(weight: 9) }`);
    expect(renamed.listSizes.get('Query.a')?.assumedSize).toBe(7);
    expect(renamed.fields.get('Query.a')).toBe(3);
    expect(renamed.fields.has('Query.b')).toBe(false); // @cost is not the cost spec's here
    const namespaced = readCostDirectives(`
      schema @link(url: "https://specs.apollo.dev/cost/v0.1", as: "demand") { query: Query }
      type Query { a: [Int] @demand__listSize(assumedSize: 4) @demand(weight: 2) }`);
    expect(namespaced.listSizes.get('Query.a')?.assumedSize).toBe(4);
    expect(namespaced.fields.get('Query.a')).toBe(2);
  });
});

describe('document limit guard', () => {
  const run = (body: Record<string, unknown>, limits = requestLimits()) => {
    let status = 200;
    let sent: any;
    let passed = false;
    const res = { status: (s: number) => ((status = s), res), json: (b: unknown) => (sent = b) } as unknown as Response;
    documentLimitGuard(limits)({ method: 'POST', body } as Request, res, () => (passed = true));
    return { status, passed, error: sent?.errors?.[0] };
  };

  it('refuses a document over the size limit, whatever it holds (a huge comment is not "zero tokens")', () => {
    const comment = `# ${'x'.repeat(950_000)}\n{ categories { id } }`;
    expect(run({ query: comment })).toMatchObject({ status: 400, passed: false, error: { extensions: { code: 'BAD_REQUEST', limit: 'MAX_DOCUMENT_BYTES' } } });
    expect(run({ query: comment }, requestLimits({ maxDocumentBytes: 2_000_000 })).passed).toBe(true);
    // The comment is one token: 7 with the six of the operation.
    expect(run({ query: comment }, requestLimits({ maxDocumentBytes: 2_000_000, maxTokens: 6 })).error.extensions.limit).toBe('MAX_TOKENS');
  });

  it('counts comments as tokens', () => {
    const query = `${Array.from({ length: 20 }, (_, i) => `# ${i}`).join('\n')}\n{ a }`;
    expect(run({ query }, requestLimits({ maxTokens: 15 })).error?.extensions.limit).toBe('MAX_TOKENS');
    expect(run({ query }, requestLimits({ maxTokens: 30 })).passed).toBe(true);
  });

  it('refuses variables nested deeper than the limit, without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 450_000; i++) deep = [deep];
    expect(depthExceeds(deep, 32)).toBe(true);
    expect(run({ query: '{ a }', variables: { v: deep } })).toMatchObject({ status: 400, error: { extensions: { code: 'BAD_REQUEST', limit: 'MAX_VARIABLES_DEPTH' } } });
    expect(run({ query: '{ a }', variables: { input: { items: [{ productId: 'p', quantity: 1 }] } } }).passed).toBe(true);
  });

  it('answers an unknown documentId and a mismatched APQ hash with their own codes', () => {
    expect(run({ documentId: 'sha256:nope' })).toMatchObject({ status: 400, error: { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } } });
    const mismatch = run({ query: '{ a }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    expect(mismatch).toMatchObject({ status: 400, error: { extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' } } });
  });
});
