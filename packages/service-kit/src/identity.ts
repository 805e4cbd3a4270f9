import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

/**
 * Two kinds of token, two keys:
 * - the user token, issued by the users subgraph at sign-up/log-in and sent by clients to the
 *   gateway as `Authorization: Bearer …`;
 * - the identity token, minted by the gateway for each subgraph request after it verified the
 *   user token, in the `x-supergraph-identity` header. Subgraphs trust only this one, so a
 *   client that sends its own identity header (to the gateway or straight to a subgraph)
 *   cannot forge it without the internal key, and a stolen user token alone does not work
 *   against a subgraph.
 */
/** SERVICE is one service calling another's internal API (never a person, never from a client). */
export type Role = 'USER' | 'ADMIN' | 'SERVICE';
export interface Viewer {
  id: string;
  role: Role;
}

export const IDENTITY_HEADER = 'x-supergraph-identity';

const USER_TOKEN = { issuer: 'supergraph:users', audience: 'supergraph:storefront' } as const;
const IDENTITY_TOKEN = { issuer: 'supergraph:gateway', audience: 'supergraph:subgraphs' } as const;

const keyCache = new Map<string, Uint8Array>();
function key(secret: string): Uint8Array {
  let k = keyCache.get(secret);
  if (!k) {
    k = new TextEncoder().encode(secret);
    keyCache.set(secret, k);
  }
  return k;
}

async function sign(viewer: Viewer, secret: string, claims: { issuer: string; audience: string }, ttl: string) {
  return new SignJWT({ role: viewer.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(viewer.id)
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(key(secret));
}

export type VerifyResult = { ok: true; viewer: Viewer } | { ok: false; reason: 'expired' | 'invalid' };

async function verify(token: string, secret: string, claims: { issuer: string; audience: string }): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { ...claims, algorithms: ['HS256'] });
    const role = payload.role === 'ADMIN' || payload.role === 'USER' || payload.role === 'SERVICE' ? payload.role : null;
    if (!payload.sub || !role) return { ok: false, reason: 'invalid' };
    return { ok: true, viewer: { id: payload.sub, role } };
  } catch (error) {
    return { ok: false, reason: error instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
  }
}

export const signUserToken = (viewer: Viewer, secret: string, ttl = '7d') => sign(viewer, secret, USER_TOKEN, ttl);
export const verifyUserToken = (token: string, secret: string) => verify(token, secret, USER_TOKEN);
export const signIdentityToken = (viewer: Viewer, secret: string) => sign(viewer, secret, IDENTITY_TOKEN, '60s');
export const verifyIdentityToken = (token: string, secret: string) => verify(token, secret, IDENTITY_TOKEN);

export function isSelfOrAdmin(viewer: Viewer | null, userId: string): boolean {
  return viewer !== null && (viewer.id === userId || viewer.role === 'ADMIN');
}

const serviceTokens = new Map<string, { token: Promise<string>; renewAt: number }>();

/**
 * The identity a service presents to another service's internal API. Reused for half its 60 s
 * lifetime: signing one per call was measurable CPU on the checkout path.
 */
export function serviceIdentityToken(service: string, secret: string): Promise<string> {
  const key = `${service}\u0000${secret}`;
  const cached = serviceTokens.get(key);
  if (cached && cached.renewAt > Date.now()) return cached.token;
  const token = signIdentityToken({ id: service, role: 'SERVICE' }, secret);
  serviceTokens.set(key, { token, renewAt: Date.now() + 30_000 });
  return token;
}
