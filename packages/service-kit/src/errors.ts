import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';

/**
 * The stable error codes clients can branch on. Anything else that escapes a resolver is an
 * internal error and is masked outside development.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const EXPOSED_CODES = new Set<string>([
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.NOT_FOUND,
  // Apollo Server's own request-level codes: their messages are about the request, not internals.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  // The gateway's partial answers: a subgraph is down, the rest of the response is there.
  'SUBGRAPH_UNAVAILABLE',
  // Too many attempts (the gateway's sign-up/log-in budgets): says when to retry.
  'RATE_LIMITED',
  // A subgraph refused the work for now (admission control, ADR 0012): retry after a moment.
  'SERVICE_OVERLOADED',
  // A subgraph refused the request the gateway sent it (HTTP 4xx), typically a field it does not serve yet.
  'SUBGRAPH_REQUEST_REFUSED',
]);

export function userError(code: Exclude<ErrorCode, 'INTERNAL_SERVER_ERROR'>, message: string, extra: Record<string, unknown> = {}) {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const badUserInput = (message: string, extra?: Record<string, unknown>) => userError('BAD_USER_INPUT', message, extra);
export const notFound = (message: string) => userError('NOT_FOUND', message);
export const forbidden = (message = 'You are not allowed to do this') => userError('FORBIDDEN', message);
export const unauthenticated = (message = 'Sign in first') => userError('UNAUTHENTICATED', message);

/**
 * An argument that names a thing (an id, a slug): blank is the client's bug (an unset route
 * parameter), refused as BAD_USER_INPUT naming the argument, not looked up and answered NOT_FOUND.
 */
export function nonBlankArgument(value: string, argument: string): string {
  if (value.trim() === '') throw badUserInput(`${argument} must not be empty`, { argument });
  return value;
}

/** Longest message an error carries out; longer ones are cut (with a mark) after quoted values are shortened. */
export const MAX_ERROR_MESSAGE_LENGTH = 500;
/** Longest run of input an error message quotes back (graphql-js's coercion errors quote the value). */
export const MAX_ECHOED_VALUE_LENGTH = 64;

const LONG_QUOTED = new RegExp(`"((?:[^"\\\\]|\\\\.){${MAX_ECHOED_VALUE_LENGTH + 1},})"`, 'g');
const LONG_WORD = new RegExp(`[^\\s"]{${MAX_ECHOED_VALUE_LENGTH + 1},}`, 'g');

/**
 * An error message with the client's input cut short: graphql-js's own messages quote the
 * offending value ("Variable \"$id\" got invalid value \"…900 KB…\""), and a message must not
 * echo unbounded input. Quoted values and overlong words keep their start and a mark; the
 * sentence around them (what was wrong, what to do) stays whole, and the total is capped.
 */
export function boundErrorMessage(message: string): string {
  if (message.length <= MAX_ECHOED_VALUE_LENGTH) return message;
  const shortened = message
    .replace(LONG_QUOTED, (_match, value: string) => `"${value.slice(0, MAX_ECHOED_VALUE_LENGTH)}…" (${value.length} characters, shortened)`)
    .replace(LONG_WORD, (word) => `${word.slice(0, MAX_ECHOED_VALUE_LENGTH)}…`);
  return shortened.length <= MAX_ERROR_MESSAGE_LENGTH ? shortened : `${shortened.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…`;
}

// SQLSTATE of text PostgreSQL cannot store: NUL bytes (22021) and characters without a mapping
// in the database encoding (22P05). The kit refuses NUL before resolvers run (nul-bytes.ts); this
// catches what gets past it (a value built inside a resolver, a service outside the kit's plugin).
const UNSTORABLE_TEXT_SQLSTATES = new Set(['22021', '22P05']);

/** True when the error, or what it wraps (Prisma's driver adapter error, pg's), carries one of those SQLSTATEs. */
export function isUnstorableTextError(error: unknown): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value: error, depth: 0 }];
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    if (value === null || typeof value !== 'object' || depth > 5) continue;
    const record = value as Record<string, unknown>;
    for (const key of ['code', 'originalCode']) {
      if (typeof record[key] === 'string' && UNSTORABLE_TEXT_SQLSTATES.has(record[key])) return true;
    }
    for (const key of ['cause', 'meta', 'driverAdapterError', 'originalError']) pending.push({ value: record[key], depth: depth + 1 });
  }
  return false;
}

const MAX_ECHOED_LIST_LENGTH = 20;

/** Extension values that echo input (`productIds: [...]`) get the same bound as messages. */
function boundExtensionValue(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_ECHOED_VALUE_LENGTH ? `${value.slice(0, MAX_ECHOED_VALUE_LENGTH)}…` : value;
  if (Array.isArray(value)) return value.slice(0, MAX_ECHOED_LIST_LENGTH).map((item) => (typeof item === 'string' ? boundExtensionValue(item) : item));
  return value;
}

// Development only: stack lines stay readable, but the first line repeats the message.
const boundStacktrace = (value: unknown) => (Array.isArray(value) ? value.map((line) => (typeof line === 'string' ? boundErrorMessage(line) : line)) : value);

/**
 * An error the caller caused (an exposed code) carries no stack trace, in development too: the
 * trace is about our code, not their request, and it shows absolute paths. Only internal errors
 * keep theirs in development (includeStacktraceInErrorResponses), where they help debugging.
 */
function withoutStacktrace(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('stacktrace' in formatted.extensions)) return formatted;
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

function bounded(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = formatted.extensions && Object.fromEntries(Object.entries(formatted.extensions).map(([key, value]) => [key, key === 'stacktrace' ? boundStacktrace(value) : boundExtensionValue(value)]));
  return { ...formatted, message: boundErrorMessage(formatted.message), ...(extensions ? { extensions } : {}) };
}

/**
 * Apollo `formatError`: keeps the known codes, masks everything else as an internal error
 * (logged with its stack) so no database or library detail leaks outside development. Every
 * message that goes out is bounded (boundErrorMessage), whatever its code; errors with a known
 * code never carry a stack trace, only internal ones do, and only in development.
 */
export function createErrorFormatter(options: { development: boolean; log: (error: unknown) => void }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && EXPOSED_CODES.has(code)) return bounded(withoutStacktrace(formatted));
    // Errors relayed from a subgraph by the gateway keep the subgraph's already-safe shape.
    if (formatted.extensions?.serviceName && typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR) return bounded(withoutStacktrace(formatted));
    const original = unwrapResolverError(error);
    if (isUnstorableTextError(original)) {
      return {
        message: 'Input contains characters that cannot be stored (such as NUL, \\u0000): remove them and retry',
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: ErrorCode.BAD_USER_INPUT },
      };
    }
    options.log(original);
    if (options.development) return bounded(formatted);
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
