import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { SERVICE_OVERLOADED } from './subgraph-fetcher.ts';

/**
 * When a subgraph's overload refusal (SERVICE_OVERLOADED, ADR 0012) left the answer with no data
 * at all (`data: null`, or every root field null), the gateway answers as the subgraph did:
 * HTTP 503 with `Retry-After`, so HTTP clients and proxies that know nothing of GraphQL error
 * codes still see a retryable refusal. A partial answer stays 200: the client has data to show.
 */
export function overloadRefusalPlugin<Ctx extends object>(): ApolloServerPlugin<Ctx> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const retryAfter = overloadRetryAfterSeconds(errors);
          if (retryAfter === null || !hasNoData(data)) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(retryAfter));
        },
      };
    },
  };
}

/** The longest retry hint of the overload refusals among the errors; null when there is none. */
export function overloadRetryAfterSeconds(errors: readonly GraphQLFormattedError[] | undefined): number | null {
  let longest: number | null = null;
  for (const error of errors ?? []) {
    if (error.extensions?.code !== SERVICE_OVERLOADED) continue;
    const hint = error.extensions.retryAfterSeconds;
    const seconds = typeof hint === 'number' && Number.isInteger(hint) && hint >= 1 ? Math.min(hint, 3_600) : 1;
    longest = Math.max(longest ?? 0, seconds);
  }
  return longest;
}

function hasNoData(data: Record<string, unknown> | null | undefined): boolean {
  return !data || Object.values(data).every((value) => value === null);
}
