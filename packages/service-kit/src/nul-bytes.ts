import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import { ErrorCode } from './errors.ts';

/**
 * PostgreSQL text cannot hold a NUL character (U+0000): a string with one fails in the database
 * (SQLSTATE 22021) after the resolver already started its work, and came back as an internal
 * error. No field of the graph has a use for NUL, so every request carrying one anywhere in its
 * input — a variable (at any depth, keys included) or a string literal of the document
 * (`"\u0000"`) — is refused before any resolver runs, for every field at once.
 */
export const NUL_BYTE_MESSAGE = 'Input must not contain NUL characters (\\u0000): remove them and retry';

export function nulByteError(): GraphQLError {
  return new GraphQLError(NUL_BYTE_MESSAGE, { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
}

/** True when any string (or object key) in a JSON-like value holds U+0000. Iterative: no stack limit on deep input. */
export function containsNulByte(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return true;
    } else if (Array.isArray(current)) {
      for (const item of current) pending.push(item);
    } else if (current !== null && typeof current === 'object') {
      for (const [key, item] of Object.entries(current)) {
        if (key.includes('\u0000')) return true;
        pending.push(item);
      }
    }
  }
  return false;
}

/** True when a string literal of the document decodes to something holding U+0000. */
export function documentContainsNulByte(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.STRING](node) {
      if (node.value.includes('\u0000')) {
        found = true;
        return false;
      }
      return undefined;
    },
  });
  return found;
}

/** Apollo Server plugin: refuses requests with NUL in their input with BAD_USER_INPUT (HTTP 400). */
export function refuseNulBytesPlugin<Ctx extends object>(): ApolloServerPlugin<Ctx> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          if (containsNulByte(request.variables) || containsNulByte(request.operationName) || documentContainsNulByte(document)) {
            throw nulByteError();
          }
        },
      };
    },
  };
}
