import { describe, expect, it } from 'vitest';
import { demoIds, readCounter } from '@supergraph/service-kit';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../scripts/services.ts';
import { gql, stack } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';

/**
 * DataLoader batching, checked from the outside: the SQL statements each subgraph sends
 * (its db_queries_total counter) must not grow with the number of items in a response.
 */
async function statementCounts(): Promise<Record<SubgraphName, number>> {
  const entries = await Promise.all(
    SUBGRAPH_NAMES.map(async (name) => {
      const metricsUrl = stack().subgraphs[name].url.replace(/\/graphql$/, '/metrics');
      return [name, readCounter(await (await fetch(metricsUrl)).text(), 'db_queries_total')] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<SubgraphName, number>;
}

/**
 * Statements per subgraph for one run of the operation: the least seen over three runs, since a
 * background loop (orders' outbox relay and recovery) may add a statement of its own to a run,
 * while batching mistakes add statements to every run.
 */
async function statementsFor(query: string, variables: Record<string, unknown>) {
  const runs: Array<Record<SubgraphName, number>> = [];
  for (let run = 0; run < 3; run++) {
    const before = await statementCounts();
    const response = await gql(query, variables);
    expect(response.errors).toBeUndefined();
    const after = await statementCounts();
    runs.push(Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, after[name] - before[name]])) as Record<SubgraphName, number>);
  }
  return Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, Math.min(...runs.map((r) => r[name]))])) as Record<SubgraphName, number>;
}

// The storefront catalog plus nested reviews with authors and stock: every subgraph but orders.
const NESTED_CATALOG = /* GraphQL */ `
  query NestedCatalog($first: Int!) {
    products(first: $first) {
      totalCount
      edges { node {
        id name price { amountCents currency } category { name }
        stock inStock shippingEstimate { amountCents }
        averageRating reviewCount
        reviews(first: 3) { id rating author { id name } }
      } }
    }
  }`;

describe('SQL statements per operation', () => {
  it('are the same for Catalog at 10 and 100 items in every subgraph', async () => {
    const small = await statementsFor(operation('Catalog'), { first: 10 });
    const large = await statementsFor(operation('Catalog'), { first: 100 });
    console.log('Catalog statements per subgraph', { first10: small, first100: large });
    expect(large).toEqual(small);
    expect(small.products).toBeLessThanOrEqual(2);
    expect(small.inventory).toBe(1);
    expect(small.reviews).toBe(1);
  });

  it('are the same for a nested catalog (reviews, authors, stock) at 10 and 100 items', async () => {
    const small = await statementsFor(NESTED_CATALOG, { first: 10 });
    const large = await statementsFor(NESTED_CATALOG, { first: 100 });
    console.log('Nested catalog statements per subgraph', { first10: small, first100: large });
    expect(large).toEqual(small);
    expect(large.users).toBe(1);
    expect(large.reviews).toBeLessThanOrEqual(2);
  });

  it('stay small for ProductPage', async () => {
    const counts = await statementsFor(operation('ProductPage'), { id: demoIds.product(3) });
    console.log('ProductPage statements per subgraph', counts);
    expect(counts).toMatchObject({ inventory: 1, users: 1, orders: 0 });
    expect(counts.products).toBeLessThanOrEqual(2);
    expect(counts.reviews).toBeLessThanOrEqual(2);
  });
});
