import { describe, expect, it } from 'vitest';
import { brokenOperations } from './operation-checks.ts';
import { operationUsage } from './operation-usage.ts';
import { classifyChanges, schemaOf } from './schema-changes.ts';

const BASE = `
  enum SortOrder { NEWEST PRICE }
  input Filter { search: String, maxPrice: Int }
  type Product { id: ID!, name: String!, legacyCode: String, related(first: Int, skipSoldOut: Boolean): [Product!]! }
  type Query { products(filter: Filter, sort: SortOrder): [Product!]!, product(id: ID!): Product }
`;
const operations = [
  { client: 'web', name: 'Search', body: 'query Search($f: Filter) { products(filter: $f) { id name } }' },
  { client: 'mobile', name: 'Related', body: 'query Related { product(id: "1") { related(first: 3) { id } } }' },
];
const changed = (from: string | RegExp, to: string) => {
  const next = BASE.replace(from, to);
  if (next === BASE) throw new Error(`fixture: ${String(from)} not found`);
  return schemaOf(next);
};

describe('operation usage', () => {
  it('records fields, passed arguments and whole input types, not arguments left out', () => {
    const search = operationUsage(schemaOf(BASE), operations[0]!.body);
    expect([...search.coordinates]).toEqual(expect.arrayContaining(['Query.products', 'Query.products.filter', 'Filter', 'Product.name']));
    expect(search.wholeTypes.has('Filter')).toBe(true);
    expect(search.coordinates.has('Query.products.sort')).toBe(false);
    const related = operationUsage(schemaOf(BASE), operations[1]!.body);
    expect(related.coordinates.has('Product.related.first')).toBe(true);
    expect(related.coordinates.has('Product.related.skipSoldOut')).toBe(false);
  });
});

describe('change classification against registered operations', () => {
  it('reports a removed field nobody selects as safe, and one somebody selects as breaking with its users', async () => {
    const unused = await classifyChanges(schemaOf(BASE), changed(/legacyCode: String, /, ''), operations);
    expect(unused).toEqual([expect.objectContaining({ path: 'Product.legacyCode', level: 'safe', safeBasedOnUsage: true, usedBy: [] })]);
    const used = await classifyChanges(schemaOf(BASE), changed(/name: String!, /, ''), operations);
    expect(used).toEqual([expect.objectContaining({ path: 'Product.name', level: 'breaking', usedBy: [{ client: 'web', operation: 'Search' }] })]);
  });

  it('weighs a removed argument by whether operations pass it', async () => {
    const notPassed = await classifyChanges(schemaOf(BASE), changed(', skipSoldOut: Boolean', ''), operations);
    expect(notPassed.map((c) => [c.path, c.level])).toEqual([['Product.related.skipSoldOut', 'safe']]);
    const passed = await classifyChanges(schemaOf(BASE), changed('first: Int, ', ''), operations);
    expect(passed.map((c) => [c.path, c.level, c.usedBy])).toEqual([['Product.related.first', 'breaking', [{ client: 'mobile', operation: 'Related' }]]]);
  });

  it('treats a new required argument as breaking every operation that selects the field', async () => {
    const changes = await classifyChanges(schemaOf(BASE), changed('skipSoldOut: Boolean', 'skipSoldOut: Boolean, region: String!'), operations);
    expect(changes).toEqual([expect.objectContaining({ type: 'FIELD_ARGUMENT_ADDED', level: 'breaking', usedBy: [{ client: 'mobile', operation: 'Related' }] })]);
  });

  it('counts any input field of an input type a variable carries as used', async () => {
    const changes = await classifyChanges(schemaOf(BASE), changed('maxPrice: Int', 'maxPriceCents: Int'), operations);
    expect(changes.find((c) => c.type === 'INPUT_FIELD_REMOVED')).toMatchObject({ level: 'breaking', usedBy: [{ client: 'web', operation: 'Search' }] });
  });

  it('lists operations that no longer validate or that select what a breaking change altered', async () => {
    const next = changed('name: String!', 'name: Int!');
    const changes = await classifyChanges(schemaOf(BASE), next, operations);
    expect(brokenOperations(next, operations, changes)).toEqual([{ client: 'web', operation: 'Search', reasons: ["Field 'Product.name' changed type from 'String!' to 'Int!'"] }]);
    const without = changed(/product\(id: ID!\): Product/, 'item(id: ID!): Product');
    const broken = brokenOperations(without, operations, await classifyChanges(schemaOf(BASE), without, operations));
    expect(broken.map((b) => `${b.client}/${b.operation}`)).toEqual(['mobile/Related']);
    expect(broken[0]!.reasons.join('\n')).toContain('Cannot query field "product" on type "Query".');
  });

  it('refuses an operation on a root type the schema does not have', () => {
    const broken = brokenOperations(schemaOf(BASE), [{ client: 'web', name: 'Live', body: 'subscription Live { priceChanged { id } }' }], []);
    expect(broken).toEqual([{ client: 'web', operation: 'Live', reasons: ['The schema has no subscription root type'] }]);
  });
});
