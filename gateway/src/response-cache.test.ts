import { describe, expect, it } from 'vitest';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { entityTags } from './response-cache.ts';

const schema = buildSchema(`
  type Query { product(id: ID!): Product  products: Conn! }
  type Conn { edges: [Edge!]! }
  type Edge { node: Product! }
  type Product { id: ID! name: String! category: Category! reviews: [Review!]! }
  type Category { id: ID! name: String! }
  type Review { id: ID! author: User! }
  type User { id: ID! name: String! }
`);
const tags = (query: string, data: Record<string, unknown>) => {
  const document = parse(query);
  return [...entityTags(schema, document, document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode, data)].sort();
};

describe('entity tags of a cached response', () => {
  it('tags every entity whose id was selected, through lists, aliases and fragments', () => {
    expect(
      tags('{ p: product(id: "1") { id ...F } } fragment F on Product { reviews { id author { id } } }', {
        p: { id: 'p1', reviews: [{ id: 'r1', author: { id: 'u1' } }, { id: 'r2', author: { id: 'u2' } }] },
      }),
    ).toEqual(['id:p1', 'id:r1', 'id:r2', 'id:u1', 'id:u2']);
  });

  it('tags the whole type when an entity appears without its id', () => {
    expect(tags('{ products { edges { node { name category { name } } } } }', { products: { edges: [{ node: { name: 'A', category: { name: 'C' } } }] } })).toEqual([
      'type:Category',
      'type:Product',
    ]);
  });

  it('reads an id under the alias its id field was selected as, never a key that merely reads "id"', () => {
    expect(tags('{ product(id: "1") { id: name productId: id } }', { product: { id: 'A lamp', productId: 'p1' } })).toEqual(['id:p1']);
    expect(tags('{ product(id: "1") { id: name } }', { product: { id: 'A lamp' } })).toEqual(['type:Product']);
  });
});
