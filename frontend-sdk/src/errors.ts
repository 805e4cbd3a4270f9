// Errors as the storefront meets them, by `extensions.code` (the gateway's and the subgraphs'
// stable codes; README lists them). Messages are for people; codes are for code.
import type { CombinedError } from '@urql/core';

/** Every code the supergraph answers with today; an unknown one still comes through as a string. */
export const KNOWN_ERROR_CODES = [
  // the caller's input or state
  'BAD_USER_INPUT', 'BAD_REQUEST', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND',
  'OUT_OF_STOCK', 'PAYMENT_DECLINED', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  // persisted operations
  'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'PERSISTED_QUERY_ID_REQUIRED',
  'PERSISTED_QUERY_NOT_IN_LIST', 'PERSISTED_QUERY_HASH_MISMATCH', 'OPERATION_NOT_ALLOWED',
  // limits and load: wait and try again
  'RATE_LIMITED', 'SERVICE_OVERLOADED', 'SUBGRAPH_UNAVAILABLE', 'SERVICE_UNAVAILABLE',
  'SUBGRAPH_REQUEST_REFUSED', 'TOO_MANY_SUBSCRIPTIONS', 'SUBSCRIPTION_UPSTREAM_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
  // the SDK's own: no answer at all
  'NETWORK_ERROR',
] as const;
export type KnownErrorCode = (typeof KNOWN_ERROR_CODES)[number];
/** A known code, or any other string a newer gateway may send. */
export type ErrorCode = KnownErrorCode | (string & {});

/** Codes after which the same request may succeed later (the gateway refused it before running it, or a part was down). */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['NETWORK_ERROR', 'RATE_LIMITED', 'SERVICE_OVERLOADED', 'SUBGRAPH_UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'SUBSCRIPTION_UPSTREAM_UNAVAILABLE']);

export interface StorefrontError {
  code: ErrorCode;
  message: string;
  /** Where in the answer it happened (partial answers carry data beside it). */
  path?: readonly (string | number)[];
  /** Everything else the server put in `extensions` (for example `reason` of a declined card, `limit` of a refused query). */
  extensions: Readonly<Record<string, unknown>>;
  retryable: boolean;
}

/** Every error of a result, typed by code; an empty array when there is none. */
export function storefrontErrors(error: CombinedError | undefined | null): StorefrontError[] {
  if (!error) return [];
  const errors: StorefrontError[] = error.graphQLErrors.map((e) => {
    const code = typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL_SERVER_ERROR';
    return { code, message: e.message, ...(e.path ? { path: e.path } : {}), extensions: e.extensions ?? {}, retryable: RETRYABLE_CODES.has(code) };
  });
  if (error.networkError) {
    errors.push({ code: 'NETWORK_ERROR', message: error.networkError.message, extensions: {}, retryable: true });
  }
  return errors;
}

/** True when the result failed with this code (or one of these codes). */
export function hasErrorCode(error: CombinedError | undefined | null, ...codes: ErrorCode[]): boolean {
  return storefrontErrors(error).some((e) => codes.includes(e.code));
}
