import { describe, expect, it } from 'vitest';
import { demoIds } from '@supergraph/service-kit';
import { sql } from '../support/db.ts';
import { codes, gql, graphql, stack, type GraphQLResponse } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';
import { newUser } from '../support/users.ts';

/**
 * A NUL character (U+0000) in any input reached PostgreSQL (SQLSTATE 22021) and came back as
 * INTERNAL_SERVER_ERROR. Every one of these is BAD_USER_INPUT, says what to do, and stores nothing.
 */
const NUL = '\u0000';

function expectRefused(response: GraphQLResponse) {
  expect(codes(response)).toEqual(['BAD_USER_INPUT']);
  expect(response.errors![0]!.message).toMatch(/NUL/);
  expect(JSON.stringify(response)).not.toMatch(/prisma|invocation|22021/i);
}

describe('NUL bytes in input', () => {
  it('in a search string (Catalog filter.search), as a variable or a literal', async () => {
    expectRefused(await gql(operation('Catalog'), { first: 5, filter: { search: `shoe${NUL}` } }));
    expectRefused(await gql('{ products(first: 5, filter: { search: "sh\\u0000oe" }) { totalCount } }'));
  });

  it('in an id (ProductPage)', async () => {
    expectRefused(await gql(operation('ProductPage'), { id: `${demoIds.product(1)}${NUL}` }));
  });

  it('in a cursor (Catalog after)', async () => {
    expectRefused(await gql(operation('Catalog'), { first: 5, after: `abc${NUL}def` }));
  });

  it('in an idempotency key (PlaceOrder): no order is created', async () => {
    const user = await newUser('nul-order');
    const response = await gql(
      operation('PlaceOrder'),
      { input: { idempotencyKey: `key${NUL}1`, items: [{ productId: demoIds.product(3), quantity: 1 }], paymentToken: 'tok_visa' } },
      user.token,
    );
    expectRefused(response);
    expect(await sql('orders', 'SELECT id FROM orders WHERE user_id = $1', [user.id])).toEqual([]);
  });

  it('in a review body (AddReview): no review is stored', async () => {
    const user = await newUser('nul-review');
    const response = await gql(operation('AddReview'), { input: { productId: demoIds.product(4), rating: 4, body: `fine${NUL}` } }, user.token);
    expectRefused(response);
    expect(await sql('reviews', 'SELECT id FROM reviews WHERE author_id = $1', [user.id])).toEqual([]);
  });

  it('in a name (SignUp): no account is created', async () => {
    const email = `nul-${Date.now()}@example.com`;
    const response = await gql(operation('SignUp'), { input: { email, password: 'a-long-enough-password', name: `Nul${NUL}Name` } });
    expectRefused(response);
    expect(await sql('users', 'SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
  });

  it('is refused by every subgraph itself too, not only by the gateway (the service kit)', async () => {
    const email = `nul-direct-${Date.now()}@example.com`;
    const users = await graphql(stack().subgraphs.users.url, operation('SignUp'), { input: { email, password: 'a-long-enough-password', name: `x${NUL}` } });
    expectRefused(users);
    expect(await sql('users', 'SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
    const products = await graphql(stack().subgraphs.products.url, '{ products(first: 1, filter: { search: "\\u0000" }) { totalCount } }');
    expectRefused(products);
  });
});
