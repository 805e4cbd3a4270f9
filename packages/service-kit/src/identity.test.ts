import { describe, expect, it } from 'vitest';
import { SignJWT, decodeJwt } from 'jose';
import { IDENTITY_TOKEN_TTL_SECONDS, serviceIdentityToken, signIdentityToken, signUserToken, verifyIdentityToken, verifyUserToken } from './identity.ts';

const secret = 'identity-test-secret-0123456789abcdef';
const viewer = { id: 'u1', role: 'USER' as const };

describe('user and identity tokens', () => {
  it('verify with the key and kind they were signed for', async () => {
    expect(await verifyUserToken(await signUserToken(viewer, secret), secret)).toEqual({ ok: true, viewer });
    expect(await verifyIdentityToken(await signIdentityToken(viewer, secret, 'orders'), secret, 'orders')).toEqual({ ok: true, viewer });
  });

  it('do not stand in for each other, even under the same key', async () => {
    expect((await verifyIdentityToken(await signUserToken(viewer, secret), secret, 'orders')).ok).toBe(false);
    expect((await verifyUserToken(await signIdentityToken(viewer, secret, 'orders'), secret)).ok).toBe(false);
  });

  it('fail with another key, when expired, or with an unknown role', async () => {
    expect(await verifyUserToken(await signUserToken(viewer, 'another-secret-0123456789abcdefghij'), secret)).toEqual({ ok: false, reason: 'invalid' });
    const expired = await signUserToken(viewer, secret, '-1s');
    expect(await verifyUserToken(expired, secret)).toEqual({ ok: false, reason: 'expired' });
    const superuser = await new SignJWT({ role: 'ROOT' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1')
      .setIssuer('supergraph:users')
      .setAudience('supergraph:storefront')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    expect((await verifyUserToken(superuser, secret)).ok).toBe(false);
  });
});

describe('identity tokens are bound to one service and one request', () => {
  it('work only at the service they were minted for', async () => {
    const forUsers = await signIdentityToken({ id: 'admin', role: 'ADMIN' }, secret, 'users');
    expect((await verifyIdentityToken(forUsers, secret, 'users')).ok).toBe(true);
    for (const other of ['orders', 'inventory', 'products', 'reviews']) {
      expect(await verifyIdentityToken(forUsers, secret, other)).toEqual({ ok: false, reason: 'invalid' });
    }
    const service = await serviceIdentityToken('orders', 'inventory', secret);
    expect((await verifyIdentityToken(service, secret, 'inventory')).ok).toBe(true);
    expect((await verifyIdentityToken(service, secret, 'products')).ok).toBe(false);
  });

  it('live seconds, not minutes, and are refused once expired', async () => {
    const claims = decodeJwt(await signIdentityToken(viewer, secret, 'orders'));
    expect(claims.exp! - claims.iat!).toBe(IDENTITY_TOKEN_TTL_SECONDS);
    expect(IDENTITY_TOKEN_TTL_SECONDS).toBeLessThanOrEqual(20);
    // Expired beyond the allowed clock skew between services.
    const stale = await signIdentityToken(viewer, secret, 'orders', -10);
    expect(await verifyIdentityToken(stale, secret, 'orders')).toEqual({ ok: false, reason: 'expired' });
  });
});
