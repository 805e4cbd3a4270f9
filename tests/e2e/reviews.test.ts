import { describe, expect, it } from 'vitest';
import { demoIds } from '@supergraph/service-kit';
import { sql } from '../support/db.ts';
import { codes, gql } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';

async function newUserToken() {
  const email = `reviewer-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const response = await gql(operation('SignUp'), { input: { email, password: 'reviewer-password', name: 'Rita Reviewer' } });
  return response.data!.signUp as { token: string; user: { id: string } };
}

describe('AddReview', () => {
  it('stores the review and returns the product with updated averageRating and reviewCount', async () => {
    const productId = demoIds.product(11);
    const { token, user } = await newUserToken();
    const before = await sql('reviews', 'SELECT count(*)::int AS n, sum(rating)::int AS total FROM reviews WHERE product_id = $1', [productId]);
    const response = await gql(operation('AddReview'), { input: { productId, rating: 1, body: '  Broke on day two.  ' } }, token);
    expect(response.errors).toBeUndefined();
    const review = response.data!.addReview;
    const expectedCount = before[0]!.n + 1;
    expect(review).toMatchObject({ rating: 1, body: 'Broke on day two.', product: { id: productId, reviewCount: expectedCount } });
    expect(review.product.averageRating).toBeCloseTo((before[0]!.total + 1) / expectedCount, 2);
    const [stored] = await sql('reviews', 'SELECT author_id, rating FROM reviews WHERE id = $1', [review.id]);
    expect(stored).toEqual({ author_id: user.id, rating: 1 });

    const me = await gql(operation('Me'), {}, token);
    expect(me.data!.me.reviews).toEqual([{ id: review.id, rating: 1, product: { id: productId, name: expect.any(String) } }]);
  });

  it('refuses a second review of the same product by the same user', async () => {
    const { token } = await newUserToken();
    const input = { productId: demoIds.product(12), rating: 5, body: 'Great' };
    expect((await gql(operation('AddReview'), { input }, token)).errors).toBeUndefined();
    expect(codes(await gql(operation('AddReview'), { input }, token))).toEqual(['BAD_USER_INPUT']);
  });

  it.each([
    ['a rating of 0', { rating: 0, body: 'ok' }, 'BAD_USER_INPUT'],
    ['a rating of 6', { rating: 6, body: 'ok' }, 'BAD_USER_INPUT'],
    ['an empty body', { rating: 4, body: '   ' }, 'BAD_USER_INPUT'],
    ['an unknown product', { rating: 4, body: 'ok', productId: 'no-such-product' }, 'NOT_FOUND'],
  ])('refuses %s and changes nothing', async (_, input, code) => {
    const { token } = await newUserToken();
    const before = await sql('reviews', 'SELECT count(*)::int AS n FROM reviews');
    const response = await gql(operation('AddReview'), { input: { productId: demoIds.product(13), ...input } }, token);
    expect(codes(response)).toEqual([code]);
    expect(await sql('reviews', 'SELECT count(*)::int AS n FROM reviews')).toEqual(before);
  });

  it('requires a signed-in user', async () => {
    const response = await gql(operation('AddReview'), { input: { productId: demoIds.product(13), rating: 4, body: 'ok' } });
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });
});
