import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import type { RequestHandler } from 'express';

/**
 * What HTTP caches (browsers, CDNs) may do with a gateway answer. The policy is the one the
 * subgraphs' hints make of the response (a subgraph that read the caller's identity marks it
 * PRIVATE, service-kit's request-identity.ts), but only a successful query is ever cacheable:
 * mutations, subscriptions, errors and refusals are `no-store`. Every answer varies by
 * `Authorization`, so a browser never hands one user's private answer to the next.
 */
export function cacheControlHeader(
  operation: 'query' | 'mutation' | 'subscription' | undefined,
  hasErrors: boolean,
  policy: { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } | null,
): string {
  if (operation !== 'query' || hasErrors || !policy || policy.maxAge <= 0) return 'no-store';
  return `${policy.scope === 'PRIVATE' ? 'private' : 'public'}, max-age=${policy.maxAge}`;
}

/** Apollo's own plugin keeps computing the policy; this one alone writes the headers. */
export function httpCachePolicyPlugins<Ctx extends object>(): ApolloServerPlugin<Ctx>[] {
  return [
    ApolloServerPluginCacheControl({ calculateHttpHeaders: false }) as ApolloServerPlugin<Ctx>,
    {
      async requestDidStart() {
        return {
          async willSendResponse({ response, operation, overallCachePolicy }) {
            const result = response.body.kind === 'single' ? response.body.singleResult : null;
            const hasErrors = !result || !!result.errors?.length || !result.data;
            response.http.headers.set('cache-control', cacheControlHeader(operation?.operation, hasErrors, overallCachePolicy.policyIfCacheable()));
            const vary = response.http.headers.get('vary');
            if (!vary?.toLowerCase().includes('authorization')) response.http.headers.set('vary', vary ? `${vary}, Authorization` : 'Authorization');
          },
        };
      },
    },
  ];
}

/** Refusals answered before GraphQL runs (401, 403, 413, 429) are never cacheable either. */
export const noStoreByDefault: RequestHandler = (_req, res, next) => {
  res.setHeader('cache-control', 'no-store');
  res.vary('Authorization');
  next();
};
