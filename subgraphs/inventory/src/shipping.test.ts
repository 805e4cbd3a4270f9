import { describe, it, expect } from 'vitest';
import { parseShippingInputs, shippingEstimate } from './shipping.ts';
import { errorCodeOf } from '@supergraph/service-kit/testing';

const usd = (amountCents: number) => ({ amountCents, currency: 'USD' });

describe('shippingEstimate', () => {
  it('is free from 50.00 up, in the price currency', () => {
    expect(shippingEstimate(usd(5000), 20_000)).toEqual({ amountCents: 0, currency: 'USD' });
    expect(shippingEstimate({ amountCents: 12_345, currency: 'EUR' }, 1)).toEqual({ amountCents: 0, currency: 'EUR' });
  });

  it('charges just below the free-shipping threshold', () => {
    expect(shippingEstimate(usd(4999), 1000)).toEqual({ amountCents: 649, currency: 'USD' });
  });

  it('charges 499 plus 150 per started kilogram', () => {
    expect(shippingEstimate(usd(1000), 1).amountCents).toBe(649);
    expect(shippingEstimate(usd(1000), 999).amountCents).toBe(649);
    expect(shippingEstimate(usd(1000), 1000).amountCents).toBe(649);
    expect(shippingEstimate(usd(1000), 1001).amountCents).toBe(799);
    expect(shippingEstimate(usd(1000), 2000).amountCents).toBe(799);
    expect(shippingEstimate(usd(1000), 2001).amountCents).toBe(949);
    expect(shippingEstimate(usd(1000), 20_000).amountCents).toBe(499 + 150 * 20);
  });

  it('charges the base fee alone for a weightless product', () => {
    expect(shippingEstimate(usd(1000), 0).amountCents).toBe(499);
  });

  it('keeps the currency of the price, trimmed like every Money', () => {
    expect(shippingEstimate({ amountCents: 100, currency: 'GBP' }, 500)).toEqual({ amountCents: 649, currency: 'GBP' });
  });
});

describe('parseShippingInputs', () => {
  const codeOf = errorCodeOf;

  it('reads the @requires fields of a representation', () => {
    expect(parseShippingInputs({ __typename: 'Product', id: 'p1', price: { amountCents: 1999, currency: 'USD' }, weight: 1200 })).toEqual({
      price: { amountCents: 1999, currency: 'USD' },
      weightGrams: 1200,
    });
  });

  it('accepts a CHAR(3)-padded currency and trims it', () => {
    expect(parseShippingInputs({ price: { amountCents: 1, currency: 'USD ' }, weight: 1 }).price.currency).toBe('USD');
  });

  it('refuses representations without or with malformed price and weight as BAD_USER_INPUT', () => {
    expect(codeOf(() => parseShippingInputs({ id: 'p1' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseShippingInputs({ id: 'p1', weight: 100 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseShippingInputs({ price: { amountCents: 100, currency: 'USD' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseShippingInputs({ price: { amountCents: 100, currency: 'USD' }, weight: -1 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseShippingInputs({ price: { amountCents: 100, currency: 'USD' }, weight: 1.5 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseShippingInputs({ price: { amountCents: 100, currency: 'dollars' }, weight: 1 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseShippingInputs({ price: { amountCents: '100', currency: 'USD' }, weight: 1 }))).toBe('BAD_USER_INPUT');
  });
});
