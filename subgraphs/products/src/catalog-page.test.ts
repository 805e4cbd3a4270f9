import { describe, expect, it } from 'vitest';
import { MAX_PAGE_SIZE, decodeCursor, encodeCursor, parseCatalogArgs } from './catalog-page.ts';
import { errorCodeOf } from '@supergraph/service-kit/testing';

const codeOf = errorCodeOf;

describe('catalog paging rules', () => {
  it('round-trips a cursor to the product id it was made from', () => {
    const id = '00000002-0000-4000-8000-00000000002a';
    expect(decodeCursor(encodeCursor(id))).toBe(id);
  });

  it.each(['', '!!!', 'bm9wZQ', Buffer.from('product:').toString('base64url'), Buffer.from('user:1').toString('base64url')])(
    'refuses cursor %j as BAD_USER_INPUT',
    (cursor) => expect(codeOf(() => decodeCursor(cursor))).toBe('BAD_USER_INPUT'),
  );

  it('accepts page sizes 1..100 and refuses the rest', () => {
    expect(parseCatalogArgs({ first: 1 }).first).toBe(1);
    expect(parseCatalogArgs({ first: MAX_PAGE_SIZE }).first).toBe(MAX_PAGE_SIZE);
    for (const first of [0, -1, MAX_PAGE_SIZE + 1, 2.5]) expect(codeOf(() => parseCatalogArgs({ first }))).toBe('BAD_USER_INPUT');
  });

  it('trims the search term and checks price bounds', () => {
    expect(parseCatalogArgs({ first: 5, filter: { search: '  Lamp ' } }).filter.search).toBe('Lamp');
    expect(codeOf(() => parseCatalogArgs({ first: 5, filter: { minPriceCents: 10, maxPriceCents: 5 } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseCatalogArgs({ first: 5, filter: { minPriceCents: -1 } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseCatalogArgs({ first: 5, filter: { search: 'x'.repeat(201) } }))).toBe('BAD_USER_INPUT');
  });

  it('decodes `after` into the id to continue from', () => {
    expect(parseCatalogArgs({ first: 5, after: encodeCursor('abc') }).afterId).toBe('abc');
    expect(parseCatalogArgs({ first: 5, after: null }).afterId).toBeNull();
  });
});
