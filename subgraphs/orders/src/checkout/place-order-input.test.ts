import { describe, expect, it } from 'vitest';
import { graphQLErrorOf } from '@supergraph/service-kit/testing';
import { MAX_LINES, cartFingerprint, parsePlaceOrderInput } from './place-order-input.ts';

const valid = { idempotencyKey: 'k1', paymentToken: 'tok_visa', items: [{ productId: 'p1', quantity: 2 }] };

describe('placeOrder input', () => {
  it('accepts a valid cart', () => {
    expect(parsePlaceOrderInput(valid)).toEqual(valid);
  });

  it.each([
    ['quantity 0', { items: [{ productId: 'p1', quantity: 0 }] }, 'items.0.quantity'],
    ['quantity 101', { items: [{ productId: 'p1', quantity: 101 }] }, 'items.0.quantity'],
    ['no lines', { items: [] }, 'items'],
    ['too many lines', { items: Array.from({ length: MAX_LINES + 1 }, (_, i) => ({ productId: `p${i}`, quantity: 1 })) }, 'items'],
    ['a duplicate product line', { items: [{ productId: 'p1', quantity: 1 }, { productId: 'p1', quantity: 2 }] }, 'items'],
    ['an empty idempotency key', { idempotencyKey: '  ' }, 'idempotencyKey'],
  ])('refuses %s as BAD_USER_INPUT naming the field', (_, change, field) => {
    const error = graphQLErrorOf(() => parsePlaceOrderInput({ ...valid, ...change }));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('fingerprints the cart independent of line order, and only the cart', () => {
    const a = cartFingerprint([{ productId: 'p1', quantity: 1 }, { productId: 'p2', quantity: 3 }]);
    expect(cartFingerprint([{ productId: 'p2', quantity: 3 }, { productId: 'p1', quantity: 1 }])).toBe(a);
    expect(cartFingerprint([{ productId: 'p2', quantity: 2 }, { productId: 'p1', quantity: 1 }])).not.toBe(a);
  });
});
