import { describe, expect, it } from 'vitest';
import { cacheControlHeader } from './http-cache-policy.ts';

describe('cache-control of a gateway answer', () => {
  it('follows the policy for a successful query', () => {
    expect(cacheControlHeader('query', false, { maxAge: 60, scope: 'PUBLIC' })).toBe('public, max-age=60');
    expect(cacheControlHeader('query', false, { maxAge: 60 })).toBe('public, max-age=60');
    expect(cacheControlHeader('query', false, { maxAge: 30, scope: 'PRIVATE' })).toBe('private, max-age=30');
  });

  it('is no-store for mutations, subscriptions, errors and uncacheable queries', () => {
    expect(cacheControlHeader('mutation', false, { maxAge: 30, scope: 'PUBLIC' })).toBe('no-store');
    expect(cacheControlHeader('subscription', false, { maxAge: 30 })).toBe('no-store');
    expect(cacheControlHeader('query', true, { maxAge: 30 })).toBe('no-store');
    expect(cacheControlHeader('query', false, null)).toBe('no-store');
    expect(cacheControlHeader(undefined, false, { maxAge: 30 })).toBe('no-store');
  });
});
