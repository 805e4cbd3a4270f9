import { describe, expect, it } from 'vitest';
import { missingFromServed } from './served-schema.ts';

const served = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { product(id: ID!): Product }
  type Product @key(fields: "id") { id: ID! name: String! price: Int! }
`;

describe('what a submitted subgraph schema has that the served one lacks', () => {
  it('nothing when they are the same, whatever the formatting and order', async () => {
    const reordered = `type Product @key(fields: "id") {\n  price: Int!\n  id: ID!\n  name: String!\n}\nextend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\ntype Query { product(id: ID!): Product }`;
    expect(await missingFromServed(reordered, served)).toEqual([]);
  });

  it('a field published before it is deployed', async () => {
    const submitted = served.replace('price: Int!', 'price: Int! brand: String');
    expect(await missingFromServed(submitted, served)).toEqual([expect.objectContaining({ path: 'Product.brand' })]);
  });

  it('a type or an argument the subgraph does not serve, and a field it serves with another type', async () => {
    const submitted = served.replace('product(id: ID!)', 'product(id: ID!, locale: String)').replace('price: Int!', 'price: Float!') + '\ntype Brand { name: String }';
    const paths = (await missingFromServed(submitted, served)).map((m) => m.path);
    expect(paths).toEqual(expect.arrayContaining(['Query.product.locale', 'Product.price', 'Brand']));
  });

  it('nothing for a removal the subgraph still serves: gateways just stop asking for it', async () => {
    expect(await missingFromServed(served.replace('name: String!', ''), served)).toEqual([]);
  });
});
