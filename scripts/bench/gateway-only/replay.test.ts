import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../paths.ts';
import { buildGraph, cacheControlPolicy, mostRestrictive, subgraphSchemas, type Exchange } from './recording.ts';
import { SubgraphStubs, withSubgraphUrls } from './stub-server.ts';
import { median, summaryTable, type Measurement } from './report.ts';

// The real supergraph (its subgraph schemas and @keys), with exchanges shaped as the gateway records them.
const supergraphSdl = readFileSync(repoPath('supergraph.graphql'), 'utf8');
const schemas = subgraphSchemas(supergraphSdl);
const P1 = { __typename: 'Product', id: 'p1' };
const P2 = { __typename: 'Product', id: 'p2' };

const exchange = (subgraph: string, query: string, variables: Record<string, unknown>, data: Record<string, unknown>, cacheControl = 'max-age=60, public'): Exchange => ({
  subgraph,
  body: JSON.stringify({ query, variables }),
  status: 200,
  cacheControl,
  response: { data },
});

const PAGE = 'query Q__products__0($first:Int!){products(first:$first){edges{node{__typename id name price{amountCents currency}weight}}}}';
const STOCK = 'query Q__inventory__1($representations:[_Any!]!){_entities(representations:$representations){...on Product{stock inStock}}}';
const AUTHORS = 'query Q__users__2($representations:[_Any!]!){_entities(representations:$representations){...on User{name}}}';
const exchanges: Exchange[] = [
  exchange('products', PAGE, { first: 2 }, {
    products: {
      edges: [
        { node: { __typename: 'Product', id: 'p1', name: 'Lamp', price: { amountCents: 100, currency: 'USD' }, weight: 5 } },
        { node: { __typename: 'Product', id: 'p2', name: 'Kettle', price: { amountCents: 200, currency: 'USD' }, weight: 7 } },
      ],
    },
  }),
  exchange('inventory', STOCK, { representations: [{ ...P1, weight: 5 }, { ...P2, weight: 7 }] }, { _entities: [{ stock: 3, inStock: true }, { stock: 0, inStock: false }] }, 'max-age=5, public'),
  exchange('users', AUTHORS, { representations: [{ __typename: 'User', id: 'u1' }, { __typename: 'User', id: 'u2' }] }, { _entities: [{ name: 'Ada' }, { name: 'Sam' }] }),
];
const graph = buildGraph(supergraphSdl, schemas, exchanges);
const replay = (subgraph: string, query: string, variables: Record<string, unknown>) => graph.replay(schemas.get(subgraph)!, { query, variables });

describe('recorded graph replay', () => {
  it('answers every recorded request exactly as recorded', () => {
    for (const e of exchanges) {
      const { query, variables } = JSON.parse(e.body) as { query: string; variables: Record<string, unknown> };
      const { result, misses } = replay(e.subgraph, query, variables);
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual(e.response.data);
      expect(misses).toBe(0);
    }
  });

  it('answers _entities per representation, whatever the batch: reordered, duplicated, split, unknown', () => {
    const reps = [P2, P1, P2, { __typename: 'Product', id: 'nope' }];
    const { result, representations, misses } = replay('inventory', STOCK, { representations: reps });
    expect(result.data).toEqual({ _entities: [{ stock: 0, inStock: false }, { stock: 3, inStock: true }, { stock: 0, inStock: false }, null] });
    expect(representations).toBe(4);
    expect(misses).toBe(1); // the unknown product, answered null
    // Split into one batch per entity, as a planner that does not batch would send.
    expect(replay('users', AUTHORS, { representations: [{ __typename: 'User', id: 'u2' }] }).result.data).toEqual({ _entities: [{ name: 'Sam' }] });
  });

  it('answers other fetch shapes: aliases, a merged fetch, and fields recorded under another subgraph or path', () => {
    // One request with two aliased _entities fields (a planner that merges fetches), fields renamed by alias.
    const merged = 'query($a:[_Any!]!,$b:[_Any!]!){one:_entities(representations:$a){...on Product{units:stock}} two:_entities(representations:$b){...on Product{stock}}}';
    expect(replay('inventory', merged, { a: [P1], b: [P2] }).result.data).toEqual({ one: [{ units: 3 }], two: [{ stock: 0 }] });
    // name was recorded under products(first:2); the same entity answers it through _entities.
    const byEntity = 'query($r:[_Any!]!){_entities(representations:$r){...on Product{__typename id name price{currency}}}}';
    expect(replay('products', byEntity, { r: [P2] }).result.data).toEqual({ _entities: [{ __typename: 'Product', id: 'p2', name: 'Kettle', price: { currency: 'USD' } }] });
  });

  it('keeps fields apart by their arguments and counts what the recording lacks', () => {
    const otherPage = replay('products', PAGE, { first: 3 }); // recorded with first: 2 only
    expect(otherPage.misses).toBe(1);
    expect(otherPage.result.data).toBeNull(); // products is non-null: the miss nulls the answer, as a subgraph error would
  });
});

describe('subgraph stubs', () => {
  it('count requests and representations per subgraph, memoised answers counted every time', () => {
    const stubs = new SubgraphStubs(graph, schemas, cacheControlPolicy(exchanges));
    const body = JSON.stringify({ query: STOCK, variables: { representations: [P1, P2, P1] } });
    const first = stubs.answer('inventory', body);
    const second = stubs.answer('inventory', body);
    stubs.answer('users', exchanges[2]!.body);
    expect(second).toBe(first); // the same memoised answer
    expect(JSON.parse(first.payload.toString())).toEqual({ data: { _entities: [{ stock: 3, inStock: true }, { stock: 0, inStock: false }, { stock: 3, inStock: true }] } });
    expect(stubs.snapshot()).toEqual({
      requests: 3,
      representations: 8,
      misses: 0,
      bySubgraph: { inventory: { requests: 2, representations: 6 }, users: { requests: 1, representations: 2 } },
    });
  });

  it('send the recorded Cache-Control for a recorded body, else the most restrictive the subgraph sent', () => {
    const policy = cacheControlPolicy([...exchanges, exchange('inventory', STOCK, { representations: [P1] }, { _entities: [{ stock: 3, inStock: true }] }, 'max-age=1, private')]);
    expect(policy('inventory', exchanges[1]!.body)).toBe('max-age=5, public');
    expect(policy('inventory', '{"query":"other"}')).toBe('max-age=1, private');
    expect(policy('orders', '{}')).toBeNull();
    expect(mostRestrictive(['max-age=60, public', null])).toBeNull();
    expect(mostRestrictive(['max-age=60, public', 'no-store'])).toBe('no-store');
  });

  it('route the supergraph to the stubs', () => {
    const routed = withSubgraphUrls(supergraphSdl, { users: 'http://127.0.0.1:9/graphql' });
    expect(routed).toContain('USERS @join__graph(name: "users", url: "http://127.0.0.1:9/graphql")');
    expect(routed).toContain('@join__graph(name: "products", url: "http://localhost:4001/graphql")');
  });
});

describe('report', () => {
  it('takes medians over rounds and ratios to the baseline', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    const m = (variant: string, perSecond: number): Measurement => ({
      round: 1, variant, query: 'q', perSecond, requests: 10, seconds: 1, p50: 1, p95: 2, p99: 3, outcomes: { ok: 10 }, bytes: 1,
      cpuMsPerRequest: 2, subgraphRequestsPerQuery: 4, representationsPerQuery: 7, stubMisses: 0,
    });
    const table = summaryTable('q', [m('a', 10), m('a', 30), m('a', 20), m('b', 60)], ['a', 'b'], 'a');
    expect(table).toContain('| a | 20.0 | 1.00x |');
    expect(table).toContain('| b | 60.0 | 3.00x |');
  });
});
