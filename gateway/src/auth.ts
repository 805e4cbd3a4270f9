import { GraphQLError } from 'graphql';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { signIdentityToken, verifyUserToken, type Viewer } from '@supergraph/service-kit';

/**
 * The viewer of a request, from its bearer token. No token is an anonymous request; a token that
 * does not verify is refused outright (HTTP 401), so a client learns its session ended instead
 * of silently getting anonymous answers.
 */
export async function viewerFromRequest(headers: IncomingHttpHeaders, userTokenSecret: string): Promise<Viewer | null> {
  const header = headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthenticated('Authorization must be "Bearer <token>"');
  const result = await verifyUserToken(match[1]!, userTokenSecret);
  if (!result.ok) throw unauthenticated(result.reason === 'expired' ? 'Your session has expired: log in again' : 'Invalid token');
  return result.viewer;
}

function unauthenticated(message: string) {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/**
 * The request's identity tokens, one per subgraph (each names the subgraph it is for), minted
 * lazily when a fetch needs one and living as long as a subgraph fetch may take: a token that a
 * rogue routing URL captures opens no other subgraph and expires with the request. A request
 * whose fetches run past half that lifetime gets a fresh token for the later ones.
 */
export function identityTokenMinter(viewer: Viewer | null, internalTokenSecret: string, ttlSeconds: number): (subgraph: string) => Promise<string | null> {
  const minted = new Map<string, { token: Promise<string>; at: number }>();
  return (subgraph) => {
    if (!viewer) return Promise.resolve(null);
    const cached = minted.get(subgraph);
    if (cached && Date.now() - cached.at < ttlSeconds * 500) return cached.token;
    const token = signIdentityToken(viewer, internalTokenSecret, subgraph, ttlSeconds);
    minted.set(subgraph, { token, at: Date.now() });
    return token;
  };
}

/** Identity tokens live one subgraph fetch (its timeout) plus a little slack. */
export const identityTokenTtlSeconds = (subgraphTimeoutMs: number) => Math.ceil(subgraphTimeoutMs / 1000) + 5;

/**
 * Verifies the bearer token once, before rate limiting and GraphQL: the viewer goes to
 * `res.locals.viewer`. A bad token is answered 401 by `refuseFailedAuthentication`, after the
 * rate limit charged the request to its IP, so a flood of invented tokens is throttled too.
 */
export function authenticate(userTokenSecret: string): RequestHandler {
  return async (req, res, next) => {
    try {
      res.locals.viewer = await viewerFromRequest(req.headers, userTokenSecret);
    } catch (error) {
      if (!(error instanceof GraphQLError)) return next(error);
      res.locals.viewer = null;
      res.locals.authenticationFailure = error.message;
    }
    next();
  };
}

export const refuseFailedAuthentication: RequestHandler = (_req, res, next) => {
  const failure = res.locals.authenticationFailure as string | undefined;
  if (failure === undefined) return next();
  res.status(401).json({ errors: [{ message: failure, extensions: { code: 'UNAUTHENTICATED' } }] });
};
