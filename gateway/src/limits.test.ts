import { describe, expect, it } from 'vitest';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { estimateCost } from './limits.ts';

const schema = buildSchema(`
  type Query { products(first: Int! = 20): Conn!  categories: [Category!]! }
  type Conn { totalCount: Int! edges: [Edge!]! }
  type Edge { node: Product! }
  type Product { id: ID! reviews(first: Int! = 10): [Review!]! category: Category! }
  type Review { id: ID! }
  type Category { id: ID! name: String! }
`);
const cost = (query: string, variables: Record<string, unknown> = {}) => {
  const document = parse(query);
  return estimateCost(schema, document, document.definitions[0] as OperationDefinitionNode, variables, 10);
};

describe('estimated query cost', () => {
  it('multiplies by the page size once for a connection, not again for its edges', () => {
    // products 1 + totalCount 1 + edges 1 + (node 1 + id 1) x 100
    expect(cost('{ products(first: 100) { totalCount edges { node { id } } } }')).toBe(3 + 200);
  });

  it('takes page sizes from variables and from schema defaults', () => {
    expect(cost('query ($n: Int!) { products(first: $n) { edges { node { id } } } }', { n: 7 })).toBe(2 + 7 * 2);
    expect(cost('{ products { edges { node { id } } } }')).toBe(2 + 20 * 2);
  });

  it('multiplies nested pages and counts lists without a page size as 10', () => {
    expect(cost('{ products(first: 10) { edges { node { reviews(first: 5) { id } } } } }')).toBe(2 + 10 * (2 + 5));
    expect(cost('{ categories { id name } }')).toBe(1 + 10 * 2);
  });

  it('follows fragments and inline fragments', () => {
    expect(cost('{ products(first: 4) { edges { node { ...P ... on Product { id } } } } } fragment P on Product { category { name } }')).toBe(2 + 4 * (1 + 2 + 1));
  });
});
