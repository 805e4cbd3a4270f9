import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { DEMO_ACCOUNTS, IDENTITY_HEADER, demoIds, signIdentityToken } from '@supergraph/service-kit';
import { sql } from '../support/db.ts';
import { codes, gql, graphql, stack } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';

const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@Example.com`;

async function signUp(email = uniqueEmail('new'), password = 'correct horse battery', name = 'Nora New') {
  return gql(operation('SignUp'), { input: { email, password, name } });
}

describe('sign-up, log-in and me', () => {
  it('signs up, stores a scrypt hash (never the password), and returns a working token', async () => {
    const email = uniqueEmail('signup');
    const response = await signUp(email);
    expect(response.errors).toBeUndefined();
    const { token, user } = response.data!.signUp;
    expect(user).toMatchObject({ name: 'Nora New', email: email.toLowerCase() });
    const [row] = await sql('users', 'SELECT password_hash FROM users WHERE id = $1', [user.id]);
    expect(row!.password_hash).toMatch(/^scrypt\$/);
    expect(row!.password_hash).not.toContain('correct horse');

    const me = await gql(operation('Me'), {}, token);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toMatchObject({ id: user.id, name: 'Nora New', email: email.toLowerCase(), orders: [], reviews: [] });
  });

  it('logs in with the right password only, with one error for wrong password and unknown e-mail', async () => {
    const email = uniqueEmail('login');
    await signUp(email, 'a-good-long-password');
    const ok = await gql(operation('LogIn'), { input: { email: email.toUpperCase(), password: 'a-good-long-password' } });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.logIn.user.name).toBe('Nora New');
    const wrong = await gql(operation('LogIn'), { input: { email, password: 'not-the-password' } });
    const unknown = await gql(operation('LogIn'), { input: { email: uniqueEmail('ghost'), password: 'whatever-password' } });
    expect(codes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(codes(unknown)).toEqual(['UNAUTHENTICATED']);
    expect(wrong.errors![0]!.message).toBe(unknown.errors![0]!.message);
  });

  it('logs in the seeded demo accounts; other seeded accounts cannot log in', async () => {
    const shopper = await gql(operation('LogIn'), { input: { email: DEMO_ACCOUNTS.shopper.email, password: DEMO_ACCOUNTS.shopper.password } });
    expect(shopper.data!.logIn.user.id).toBe(demoIds.user(1));
    const seeded = await gql(operation('LogIn'), { input: { email: 'user5@example.com', password: '!seeded-account-cannot-log-in' } });
    expect(codes(seeded)).toEqual(['UNAUTHENTICATED']);
  });

  it.each([
    ['an invalid e-mail', { email: 'not-an-email', password: 'long-enough-password', name: 'X' }],
    ['a short password', { email: 'short@example.com', password: 'short', name: 'X' }],
    ['an empty name', { email: 'noname@example.com', password: 'long-enough-password', name: '   ' }],
  ])('refuses sign-up with %s (BAD_USER_INPUT) and stores nothing', async (_, input) => {
    const before = await sql('users', 'SELECT count(*)::int AS n FROM users');
    const response = await gql(operation('SignUp'), { input });
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(await sql('users', 'SELECT count(*)::int AS n FROM users')).toEqual(before);
  });

  it('refuses a duplicate sign-up, whatever the e-mail case', async () => {
    const email = uniqueEmail('dup');
    expect((await signUp(email)).errors).toBeUndefined();
    const again = await signUp(email.toUpperCase());
    expect(codes(again)).toEqual(['BAD_USER_INPUT']);
  });

  it('answers me with null without a token', async () => {
    const response = await gql(operation('Me'));
    expect(response.errors).toBeUndefined();
    expect(response.data!.me).toBeNull();
  });

  it('refuses a bad or foreign token with 401 UNAUTHENTICATED', async () => {
    const forged = await new SignJWT({ role: 'ADMIN' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(demoIds.user(0))
      .setIssuer('supergraph:users')
      .setAudience('supergraph:storefront')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-real-secret-not-the-real-secret'));
    for (const token of [forged, 'garbage']) {
      const response = await gql(operation('Me'), {}, token);
      expect(response.status).toBe(401);
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('ignores an identity header a client sends, to the gateway or straight to a subgraph', async () => {
    const forgedIdentity = await signIdentityToken({ id: demoIds.user(0), role: 'ADMIN' }, 'a-guessed-internal-secret-0123456789', 'users');
    const viaGateway = await graphql(stack().gatewayUrl, operation('Me'), {}, { [IDENTITY_HEADER]: forgedIdentity });
    expect(viaGateway.data!.me).toBeNull();
    const direct = await graphql(stack().subgraphs.users.url, '{ me { id email } }', {}, { [IDENTITY_HEADER]: forgedIdentity });
    expect(direct.data!.me).toBeNull();
    // A user token is not an identity token either: subgraphs accept only the gateway's.
    const login = await gql(operation('LogIn'), { input: { email: DEMO_ACCOUNTS.admin.email, password: DEMO_ACCOUNTS.admin.password } });
    const withUserToken = await graphql(stack().subgraphs.users.url, '{ me { id } }', {}, { [IDENTITY_HEADER]: login.data!.logIn.token });
    expect(withUserToken.data!.me).toBeNull();
  });

  it('shows an e-mail only to its owner and to admins', async () => {
    const authorQuery = `query ($id: ID!) { product(id: $id) { reviews(first: 1) { author { id email } } } }`;
    const stranger = (await signUp()).data!.signUp.token;
    const asStranger = await gql(authorQuery, { id: demoIds.product(0) }, stranger);
    expect(asStranger.data!.product.reviews[0].author.email).toBeNull();
    expect(codes(asStranger)).toEqual(['FORBIDDEN']);
    const anonymous = await gql(authorQuery, { id: demoIds.product(0) });
    expect(codes(anonymous)).toEqual(['FORBIDDEN']);

    const admin = await gql(operation('LogIn'), { input: { email: DEMO_ACCOUNTS.admin.email, password: DEMO_ACCOUNTS.admin.password } });
    const asAdmin = await gql(authorQuery, { id: demoIds.product(0) }, admin.data!.logIn.token);
    expect(asAdmin.errors).toBeUndefined();
    const authorId = asAdmin.data!.product.reviews[0].author.id;
    const [row] = await sql('users', 'SELECT email FROM users WHERE id = $1', [authorId]);
    expect(asAdmin.data!.product.reviews[0].author.email).toBe(row!.email);
  });
});
