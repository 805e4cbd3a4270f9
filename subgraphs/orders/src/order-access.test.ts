import { describe, it, expect } from 'vitest';
import { GraphQLError } from 'graphql';
import { assertMayReadOrdersOf, mayReadOrder, parseOrdersFirst } from './order-access.ts';
import { errorCodeOf } from '@supergraph/service-kit/testing';

const codeOf = errorCodeOf;

const alice = { id: 'alice', role: 'USER' as const };
const admin = { id: 'root', role: 'ADMIN' as const };

describe('assertMayReadOrdersOf', () => {
  it('lets users read their own orders and admins anyone’s', () => {
    expect(codeOf(() => assertMayReadOrdersOf(alice, 'alice'))).toBe('no error');
    expect(codeOf(() => assertMayReadOrdersOf(admin, 'alice'))).toBe('no error');
  });

  it('asks anonymous callers to sign in', () => {
    expect(codeOf(() => assertMayReadOrdersOf(null, 'alice'))).toBe('UNAUTHENTICATED');
  });

  it('forbids other users', () => {
    expect(codeOf(() => assertMayReadOrdersOf(alice, 'bob'))).toBe('FORBIDDEN');
  });
});

describe('mayReadOrder', () => {
  it('shows an order to its owner and admins only', () => {
    expect(mayReadOrder(alice, { userId: 'alice' })).toBe(true);
    expect(mayReadOrder(admin, { userId: 'alice' })).toBe(true);
    expect(mayReadOrder(alice, { userId: 'bob' })).toBe(false);
    expect(mayReadOrder(null, { userId: 'alice' })).toBe(false);
  });
});

describe('parseOrdersFirst', () => {
  it('accepts 1 to 100', () => {
    expect(parseOrdersFirst(1)).toBe(1);
    expect(parseOrdersFirst(100)).toBe(100);
  });

  it('refuses anything else as BAD_USER_INPUT on `first`', () => {
    for (const first of [0, -1, 101, 1.5, Number.NaN]) {
      expect(codeOf(() => parseOrdersFirst(first))).toBe('BAD_USER_INPUT');
    }
    try {
      parseOrdersFirst(0);
    } catch (error) {
      expect((error as GraphQLError).extensions.argument).toBe('first');
    }
  });
});
