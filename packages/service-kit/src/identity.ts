import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

/**
 * Two kinds of token, two keys:
 * - the user token, issued by the users subgraph at sign-up/log-in and sent by clients to the
 *   gateway as `Authorization: Bearer …`;
 * - the identity token, minted by the gateway for each subgraph request after it verified the
 *   user token, in the `x-supergraph-identity` header. Subgraphs trust only this one, so a
 *   client that sends its own identity header (to the gateway or straight to a subgraph)
 *   cannot forge it without the internal key, and a stolen user token alone does not work
 *   against a subgraph. Each identity token is minted for one service (its audience) and lives
 *   about as long as one request, so whoever captures one cannot take it elsewhere or keep it.
 */
/** SERVICE is one service calling another's internal API (never a person, never from a client). */
export type Role = 'USER' | 'ADMIN' | 'SERVICE';
export interface Viewer {
  id: string;
  role: Role;
}

export const IDENTITY_HEADER = 'x-supergraph-identity';

const USER_TOKEN = { issuer: 'supergraph:users', audience: 'supergraph:storefront' } as const;
const IDENTITY_ISSUER = 'supergraph:gateway';
/**
 * An identity token names the one service it was minted for: a token captured by whoever
 * answers at one routing URL does not work at any other subgraph (issue 9).
 */
const identityAudience = (service: string) => `supergraph:service:${service}`;
/** How far apart the clocks of two services may be. */
const CLOCK_TOLERANCE_SECONDS = 5;

const keyCache = new Map<string, Uint8Array>();
function key(secret: string): Uint8Array {
  let k = keyCache.get(secret);
  if (!k) {
    k = new TextEncoder().encode(secret);
    keyCache.set(secret, k);
  }
  return k;
}

async function sign(viewer: Viewer, secret: string, claims: { issuer: string; audience: string }, ttl: string | number) {
  return new SignJWT({ role: viewer.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(viewer.id)
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setIssuedAt()
    .setExpirationTime(typeof ttl === 'number' ? Math.floor(Date.now() / 1000) + ttl : ttl)
    .sign(key(secret));
}

export type VerifyResult = { ok: true; viewer: Viewer } | { ok: false; reason: 'expired' | 'invalid' };

async function verify(token: string, secret: string, claims: { issuer: string; audience: string }, clockTolerance = 0): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { ...claims, algorithms: ['HS256'], clockTolerance });
    const role = payload.role === 'ADMIN' || payload.role === 'USER' || payload.role === 'SERVICE' ? payload.role : null;
    if (!payload.sub || !role) return { ok: false, reason: 'invalid' };
    return { ok: true, viewer: { id: payload.sub, role } };
  } catch (error) {
    return { ok: false, reason: error instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
  }
}

export const signUserToken = (viewer: Viewer, secret: string, ttl = '7d') => sign(viewer, secret, USER_TOKEN, ttl);
export const verifyUserToken = (token: string, secret: string) => verify(token, secret, USER_TOKEN);

/** Default lifetime of an identity token: one subgraph request, with room for a slow one. */
export const IDENTITY_TOKEN_TTL_SECONDS = 15;

/**
 * The identity the gateway (or a calling service) vouches for, for one request to `audience`,
 * the receiving service's name; valid for `ttlSeconds`.
 */
export const signIdentityToken = (viewer: Viewer, secret: string, audience: string, ttlSeconds = IDENTITY_TOKEN_TTL_SECONDS) =>
  sign(viewer, secret, { issuer: IDENTITY_ISSUER, audience: identityAudience(audience) }, ttlSeconds);
/** Verifies a token minted for `service` (this service's own name). */
export const verifyIdentityToken = (token: string, secret: string, service: string) =>
  verify(token, secret, { issuer: IDENTITY_ISSUER, audience: identityAudience(service) }, CLOCK_TOLERANCE_SECONDS);

export function isSelfOrAdmin(viewer: Viewer | null, userId: string): boolean {
  return viewer !== null && (viewer.id === userId || viewer.role === 'ADMIN');
}

const SERVICE_TOKEN_TTL_SECONDS = 60;
const serviceTokens = new Map<string, { token: Promise<string>; renewAt: number }>();

/**
 * The identity service `caller` presents to service `target`'s internal API. Reused for half its
 * 60 s lifetime: signing one per call was measurable CPU on the checkout path. Bound to `target`,
 * so it opens no other service's door.
 */
export function serviceIdentityToken(caller: string, target: string, secret: string): Promise<string> {
  const key = `${caller}\u0000${target}\u0000${secret}`;
  const cached = serviceTokens.get(key);
  if (cached && cached.renewAt > Date.now()) return cached.token;
  const token = signIdentityToken({ id: caller, role: 'SERVICE' }, secret, target, SERVICE_TOKEN_TTL_SECONDS);
  serviceTokens.set(key, { token, renewAt: Date.now() + (SERVICE_TOKEN_TTL_SECONDS * 1000) / 2 });
  return token;
}
