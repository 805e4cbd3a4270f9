import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { badUserInput, boundErrorMessage, createErrorFormatter, isUnstorableTextError, MAX_ERROR_MESSAGE_LENGTH, nonBlankArgument } from './errors.ts';

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

  it('keeps a stack trace only on internal errors in development, never on an error the caller caused', () => {
    const development = createErrorFormatter({ development: true, log: () => {} });
    const stacktrace = ['GraphQLError: rating must be 1..5', '    at /home/dev/supergraph/subgraphs/reviews/src/resolvers.ts:42:11'];
    for (const code of ['BAD_USER_INPUT', 'BAD_REQUEST', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'GRAPHQL_VALIDATION_FAILED', 'RATE_LIMITED']) {
      const formatted = development({ message: 'rating must be 1..5', extensions: { code, field: 'rating', stacktrace } }, new GraphQLError('x'));
      expect(formatted.extensions, code).toEqual({ code, field: 'rating' });
    }
    // A subgraph's error relayed by the gateway, with the subgraph's code.
    const relayed = development({ message: 'No such product', extensions: { code: 'NOT_FOUND', serviceName: 'products', stacktrace } }, new GraphQLError('x'));
    expect(relayed.extensions).toEqual({ code: 'NOT_FOUND', serviceName: 'products' });
    // An internal error keeps it in development (that is what it is for), and loses it outside.
    const internal = development({ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace } }, new Error('boom'));
    expect(internal.extensions?.stacktrace).toEqual(stacktrace);
    expect(production({ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace } }, new Error('boom')).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('never echoes unbounded input: quoted values are shortened, the explanation kept', () => {
    const id = 'x'.repeat(900_000);
    const message = `Variable "$id" got invalid value "${id}"; ID cannot represent this value`;
    const formatted = production({ message, extensions: { code: 'BAD_USER_INPUT' } }, new GraphQLError(message));
    expect(formatted.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_LENGTH);
    expect(formatted.message).toMatch(/^Variable "\$id" got invalid value "x{64}…" \(900000 characters, shortened\); ID cannot represent this value$/);
    // Relayed subgraph errors and development messages are bounded too.
    const relayed = production({ message, extensions: { code: 'NOT_FOUND', serviceName: 'products' } }, new GraphQLError(message));
    expect(relayed.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_LENGTH);
    const development = createErrorFormatter({ development: true, log: () => {} });
    expect(development({ message }, new Error(message)).message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_LENGTH);
    const echoed = production({ message: "Unknown product ids", extensions: { code: "BAD_USER_INPUT", productIds: Array.from({ length: 50 }, () => id) } }, new GraphQLError("x"));
    expect(JSON.stringify(echoed).length).toBeLessThan(2_000);
  });

  it('leaves ordinary messages alone and caps long unquoted ones', () => {
    expect(boundErrorMessage('rating must be 1..5')).toBe('rating must be 1..5');
    expect(boundErrorMessage('Cannot query field "foo" on type "Query". Did you mean "food"?')).toBe('Cannot query field "foo" on type "Query". Did you mean "food"?');
    expect(boundErrorMessage(`Unknown ${'y'.repeat(10_000)} here`)).toBe(`Unknown ${'y'.repeat(64)}… here`);
    expect(boundErrorMessage('word '.repeat(1_000)).length).toBe(MAX_ERROR_MESSAGE_LENGTH);
  });

  it('answers BAD_USER_INPUT for text PostgreSQL cannot store (22021, 22P05), not an internal error', () => {
    // The shape Prisma 7's driver adapter throws for a NUL byte (P2010 wrapping SQLSTATE 22021).
    const prismaError = Object.assign(new Error('Raw query failed. Code: `22021`'), {
      code: 'P2010',
      meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { originalCode: '22021', kind: 'postgres' } } },
    });
    expect(isUnstorableTextError(prismaError)).toBe(true);
    expect(isUnstorableTextError(Object.assign(new Error('untranslatable'), { code: '22P05' }))).toBe(true);
    expect(isUnstorableTextError(Object.assign(new Error('unique'), { code: 'P2002' }))).toBe(false);
    const wrapped = new GraphQLError('Raw query failed', { originalError: prismaError, path: ['signUp'] });
    const formatted = production({ message: wrapped.message, path: ['signUp'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }, wrapped);
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(formatted.message).not.toContain('prisma');
    expect(formatted.path).toEqual(['signUp']);
  });
});

describe('nonBlankArgument', () => {
  it('passes a value through and refuses a blank one as BAD_USER_INPUT naming the argument', () => {
    expect(nonBlankArgument('o-1', 'id')).toBe('o-1');
    for (const blank of ['', ' ', '\t\n']) {
      expect(() => nonBlankArgument(blank, 'orderId')).toThrow(expect.objectContaining({ message: 'orderId must not be empty', extensions: { code: 'BAD_USER_INPUT', argument: 'orderId' } }));
    }
  });
});
