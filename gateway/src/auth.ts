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

/** One identity token per request, minted lazily the first time a subgraph fetch needs it. */
export function identityTokenMinter(viewer: Viewer | null, internalTokenSecret: string): () => Promise<string | null> {
  let token: Promise<string> | null = null;
  return () => {
    if (!viewer) return Promise.resolve(null);
    token ??= signIdentityToken(viewer, internalTokenSecret);
    return token;
  };
}

/**
 * Verifies the bearer token once, before rate limiting and GraphQL: the viewer goes to
 * `res.locals.viewer`; a bad token is answered 401 here.
 */
export function authenticate(userTokenSecret: string): RequestHandler {
  return async (req, res, next) => {
    try {
      res.locals.viewer = await viewerFromRequest(req.headers, userTokenSecret);
      next();
    } catch (error) {
      if (!(error instanceof GraphQLError)) return next(error);
      res.status(401).json({ errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }] });
    }
  };
}
