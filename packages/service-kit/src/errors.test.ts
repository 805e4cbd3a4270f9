import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { badUserInput, createErrorFormatter } from './errors.ts';

describe('error formatting', () => {
  const logged: unknown[] = [];
  const production = createErrorFormatter({ development: false, log: (e) => logged.push(e) });

  it('keeps known codes and their messages', () => {
    const error = badUserInput('rating must be 1..5', { field: 'rating' });
    expect(production({ message: error.message, extensions: error.extensions }, error)).toEqual({
      message: 'rating must be 1..5',
      extensions: { code: 'BAD_USER_INPUT', field: 'rating' },
    });
  });

  it('masks anything else outside development, and logs it', () => {
    const internal = new GraphQLError('connect ECONNREFUSED 10.0.0.5:5432', { extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at db.ts:1'] } });
    const formatted = production({ message: internal.message, path: ['product'], extensions: internal.extensions }, internal);
    expect(formatted).toEqual({ message: 'Internal server error', path: ['product'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(logged).toContain(internal);
  });

  it('shows the real message in development', () => {
    const development = createErrorFormatter({ development: true, log: () => {} });
    const error = new GraphQLError('boom');
    expect(development({ message: 'boom' }, error).message).toBe('boom');
  });
});
