import { describe, expect, it } from 'vitest';
import { sitePath } from './site-path.ts';

const origin = 'http://localhost:3000';

describe('where a shopper goes after signing in', () => {
  it('a path of this site, query and fragment kept', () => {
    expect(sitePath('/checkout', origin)).toBe('/checkout');
    expect(sitePath('/products/lamp?tab=reviews#r1', origin)).toBe('/products/lamp?tab=reviews#r1');
  });

  it('never another site, however the path is spelled', () => {
    for (const next of ['https://evil.example/x', '//evil.example/x', '/\\evil.example/x', '/\\/evil.example', '\\\\evil.example', '/%5Cevil.example/x'.replace('%5C', '\\'), 'javascript:alert(1)', ' /checkout']) {
      expect(sitePath(next, origin), next).toBe('/');
    }
  });

  it('not back to the sign-in pages, and home without a next', () => {
    expect(sitePath('/login?next=/login', origin)).toBe('/');
    expect(sitePath('/signup', origin)).toBe('/');
    expect(sitePath(null, origin)).toBe('/');
  });
});
