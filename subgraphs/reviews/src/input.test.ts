import { describe, expect, it } from 'vitest';
import { parseAddReviewInput, parseFirst } from './input.ts';
import { graphQLErrorOf } from '@supergraph/service-kit/testing';

const valid = { productId: 'product-1', rating: 4, body: 'Nice.' };

const errorOf = graphQLErrorOf;

describe('parseAddReviewInput', () => {
  it('trims the body and the product id', () => {
    expect(parseAddReviewInput({ productId: ' product-1 ', rating: 5, body: '\n  Great kettle.  ' })).toEqual({
      productId: 'product-1',
      rating: 5,
      body: 'Great kettle.',
    });
  });

  it.each([
    ['a rating of 0', { rating: 0 }, 'rating'],
    ['a rating of 6', { rating: 6 }, 'rating'],
    ['a fractional rating', { rating: 4.5 }, 'rating'],
    ['a blank body', { body: ' \n\t ' }, 'body'],
    ['a body over 5000 characters after trimming', { body: 'b'.repeat(5001) }, 'body'],
    ['an empty product id', { productId: '  ' }, 'productId'],
  ])('refuses %s with BAD_USER_INPUT naming the field', (_, change, field) => {
    const error = errorOf(() => parseAddReviewInput({ ...valid, ...change }));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('accepts the boundaries: ratings 1 and 5, a 5000-character body with surrounding spaces', () => {
    expect(parseAddReviewInput({ ...valid, rating: 1 }).rating).toBe(1);
    expect(parseAddReviewInput({ ...valid, rating: 5 }).rating).toBe(5);
    expect(parseAddReviewInput({ ...valid, body: `  ${'b'.repeat(5000)}  ` }).body).toHaveLength(5000);
  });
});

describe('parseFirst', () => {
  it('accepts 1 to 100', () => {
    expect(parseFirst(1)).toBe(1);
    expect(parseFirst(100)).toBe(100);
  });

  it.each([0, -1, 101, 2.5])('refuses %s with BAD_USER_INPUT on the `first` argument', (first) => {
    expect(errorOf(() => parseFirst(first)).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
  });
});
