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
]);

export function userError(code: Exclude<ErrorCode, 'INTERNAL_SERVER_ERROR'>, message: string, extra: Record<string, unknown> = {}) {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const badUserInput = (message: string, extra?: Record<string, unknown>) => userError('BAD_USER_INPUT', message, extra);
export const notFound = (message: string) => userError('NOT_FOUND', message);
export const forbidden = (message = 'You are not allowed to do this') => userError('FORBIDDEN', message);
export const unauthenticated = (message = 'Sign in first') => userError('UNAUTHENTICATED', message);

/**
 * Apollo `formatError`: keeps the known codes, masks everything else as an internal error
 * (logged with its stack) so no database or library detail leaks outside development.
 */
export function createErrorFormatter(options: { development: boolean; log: (error: unknown) => void }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && EXPOSED_CODES.has(code)) return formatted;
    // Errors relayed from a subgraph by the gateway keep the subgraph's already-safe shape.
    if (formatted.extensions?.serviceName && typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR) return formatted;
    options.log(unwrapResolverError(error));
    if (options.development) return formatted;
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
