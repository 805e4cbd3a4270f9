import { describe, expect, it } from 'vitest';
import { classify } from './outcome.ts';

describe('what the gate counts as an error', () => {
  it('counts any HTTP status but 200', () => {
    expect(classify('Catalog', 503, { errors: [{ extensions: { code: 'SERVICE_OVERLOADED' } }] })).toEqual({ kind: 'error', label: 'http_503' });
    expect(classify('Catalog', 429, undefined)).toEqual({ kind: 'error', label: 'http_429' });
  });

  it('counts GraphQL errors, load shedding included, under their code', () => {
    expect(classify('ProductPage', 200, { data: { product: null }, errors: [{ extensions: { code: 'SERVICE_OVERLOADED' } }] })).toEqual({ kind: 'error', label: 'SERVICE_OVERLOADED' });
    expect(classify('Me', 200, { errors: [{ extensions: { code: 'A' } }, { extensions: { code: 'B' } }] })).toEqual({ kind: 'error', label: 'graphql_errors' });
    expect(classify('Me', 200, { errors: [{ message: 'boom' }] })).toEqual({ kind: 'error', label: 'NO_CODE' });
  });

  it('counts a 200 without data or body', () => {
    expect(classify('Me', 200, {})).toEqual({ kind: 'error', label: 'no_data' });
    expect(classify('Me', 200, undefined)).toEqual({ kind: 'error', label: 'no_body' });
  });

  it('does not count a rejected order or a duplicate review: healthy business answers', () => {
    expect(classify('PlaceOrder', 200, { data: { placeOrder: { status: 'REJECTED' } } })).toEqual({ kind: 'refused', label: 'order_rejected' });
    expect(classify('AddReview', 200, { data: null, errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] })).toEqual({ kind: 'refused', label: 'duplicate_review' });
  });

  it('counts BAD_USER_INPUT on any other operation (the bench sends only valid input)', () => {
    expect(classify('PlaceOrder', 200, { data: null, errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] }).kind).toBe('error');
  });

  it('passes a plain answer', () => {
    expect(classify('PlaceOrder', 200, { data: { placeOrder: { status: 'CONFIRMED' } } })).toEqual({ kind: 'ok', label: 'ok' });
  });
});
