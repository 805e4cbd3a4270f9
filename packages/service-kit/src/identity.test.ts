import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { signIdentityToken, signUserToken, verifyIdentityToken, verifyUserToken } from './identity.ts';

const secret = 'identity-test-secret-0123456789abcdef';
const viewer = { id: 'u1', role: 'USER' as const };

describe('user and identity tokens', () => {
  it('verify with the key and kind they were signed for', async () => {
    expect(await verifyUserToken(await signUserToken(viewer, secret), secret)).toEqual({ ok: true, viewer });
    expect(await verifyIdentityToken(await signIdentityToken(viewer, secret), secret)).toEqual({ ok: true, viewer });
  });

  it('do not stand in for each other, even under the same key', async () => {
    expect((await verifyIdentityToken(await signUserToken(viewer, secret), secret)).ok).toBe(false);
    expect((await verifyUserToken(await signIdentityToken(viewer, secret), secret)).ok).toBe(false);
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
