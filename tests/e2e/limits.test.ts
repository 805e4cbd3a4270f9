import { describe, expect, it } from 'vitest';
import { demoIds, readCounter } from '@supergraph/service-kit';
import { REQUEST_LIMITS } from '../../gateway/src/limits.ts';
import { codes, gql, stack } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';

const productsStatements = async () =>
  readCounter(await (await fetch(stack().subgraphs.products.url.replace(/\/graphql$/, '/metrics'))).text(), 'db_queries_total');

/** Sends `query` and expects it refused with HTTP 400 before any subgraph runs a statement. */
async function expectRefused(query: string, variables: Record<string, unknown> = {}) {
  const before = await productsStatements();
  const response = await gql(query, variables);
  expect(response.status).toBe(400);
  expect(response.data ?? null).toBeNull();
  expect(response.errors!.length).toBeGreaterThan(0);
  expect(await productsStatements()).toBe(before);
  return response;
}

describe('request limits at the gateway', () => {
  it('let the storefront operations through, including a full catalog page', async () => {
    expect((await gql(operation('Catalog'), { first: 100 })).errors).toBeUndefined();
    expect((await gql(operation('ProductPage'), { id: demoIds.product(0) })).errors).toBeUndefined();
    expect((await gql(operation('Categories'))).errors).toBeUndefined();
  });

  it('refuse a query nested deeper than the limit', async () => {
    let query = 'id';
    for (let i = 0; i < REQUEST_LIMITS.maxDepth; i++) query = `reviews(first: 1) { product { ${query} } }`;
    const response = await expectRefused(`{ product(id: "${demoIds.product(0)}") { ${query} } }`);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_REQUEST', limit: 'MAX_DEPTH' });
  });

  it('refuse too many aliases', async () => {
    const aliases = Array.from({ length: REQUEST_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: id`).join(' ');
    const response = await expectRefused(`{ product(id: "${demoIds.product(0)}") { ${aliases} } }`);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_REQUEST', limit: 'MAX_ALIASES' });
  });

  it('refuse too many root fields', async () => {
    const roots = Array.from({ length: REQUEST_LIMITS.maxRootFields + 1 }, (_, i) => `c${i}: categories { id }`).join(' ');
    const response = await expectRefused(`{ ${roots} }`);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_REQUEST', limit: 'MAX_ROOT_FIELDS' });
  });

  it('refuse too many directives', async () => {
    const directives = Array.from({ length: REQUEST_LIMITS.maxDirectives + 1 }, () => 'id @include(if: true)').join(' ');
    const response = await expectRefused(`{ categories { ${directives} } }`);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_REQUEST', limit: 'MAX_DIRECTIVES' });
  });

  it('refuse a document with too many tokens with a 400, not a 500', async () => {
    const fields = Array.from({ length: REQUEST_LIMITS.maxTokens }, () => 'id').join(' ');
    const response = await expectRefused(`{ categories { ${fields} } }`);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_REQUEST', limit: 'MAX_TOKENS' });
  });

  it('refuse an estimated cost over the ceiling, counting page sizes', async () => {
    const query = `query ($n: Int!) { products(first: $n) { edges { node { reviews(first: $n) { author { reviews(first: $n) { id } } } } } } }`;
    const response = await expectRefused(query, { n: 100 });
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_REQUEST', limit: 'MAX_COST' });
    // The same shape with small pages is fine.
    expect((await gql(query, { n: 5 })).errors).toBeUndefined();
  });

  it('refuse batched requests and, outside development, introspection and field suggestions', async () => {
    const batch = await fetch(stack().gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ categories { id } }' }, { query: '{ categories { id } }' }]),
    });
    expect(batch.status).toBe(400);
    await expectRefused('{ __schema { types { name } } }');
    const typo = await gql('{ categoriez { id } }');
    expect(codes(typo)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(JSON.stringify(typo.errors)).not.toMatch(/Did you mean/);
  });
});
