import { GraphQLError } from 'graphql';

/** Test helpers for code that throws the kit's GraphQL errors (import from '@supergraph/service-kit/testing'). */
export function graphQLErrorOf(run: () => unknown): GraphQLError {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('expected a GraphQLError, but nothing was thrown');
}

/** The `extensions.code` that `run` throws, 'not a GraphQLError', or 'no error'. */
export function errorCodeOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error instanceof GraphQLError ? error.extensions.code : 'not a GraphQLError';
  }
  return 'no error';
}
