import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '@supergraph/service-kit';
import type { CredentialAttemptLimits } from '../../gateway/src/credential-attempts.ts';
import { sql } from '../support/db.ts';
import { startGatewayReplica } from '../support/gateways.ts';
import { codes, stack } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';

/**
 * Sign-up tells whether an e-mail has an account (it must: it answers with a token at once).
 * ADR 0010: what bounds enumeration and password guessing is a budget of failed attempts per
 * client IP and per e-mail, shared by every replica through Redis; log-in failures are uniform.
 */
const PASSWORD = 'a-long-enough-password';
let counter = 0;
const freshEmail = (tag: string) => `${tag}-${Date.now()}-${counter++}-${Math.random().toString(36).slice(2, 8)}@example.com`;

/** Gateway replicas with small budgets of their own (a fresh Redis namespace per test when Redis is on). */
async function replicas(limits: Partial<CredentialAttemptLimits>, count = 1) {
  const prefix = `enum-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}:`;
  const credentialAttempts = { perIp: 100, perEmail: 100, windowSeconds: 900, ...limits };
  return Promise.all(
    Array.from({ length: count }, () => startGatewayReplica({ redisUrl: stack().redisUrl, redisKeyPrefix: prefix, responseCache: false, credentialAttempts })),
  );
}

async function send(url: string, name: 'SignUp' | 'LogIn', input: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: operation(name), variables: { input } }) });
  const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), ...body };
}
const signUp = (url: string, email: string) => send(url, 'SignUp', { email, password: PASSWORD, name: 'Probe' });
const logIn = (url: string, email: string, password: string) => send(url, 'LogIn', { email, password });

describe('account enumeration and password guessing', () => {
  it('probing sign-up for taken addresses from one IP is cut off after the budget, for taken and free addresses alike', async () => {
    const [gateway] = await replicas({ perIp: 3 });
    const url = gateway!.url;
    // Successful sign-ups are not failures: a family behind one address can still sign up.
    for (let i = 0; i < 4; i++) expect((await signUp(url, freshEmail('legit'))).data?.signUp).toBeTruthy();

    const taken = [DEMO_ACCOUNTS.admin.email, DEMO_ACCOUNTS.shopper.email, freshEmail('never-there')];
    await signUp(url, taken[2]!); // now taken too
    for (const email of taken) expect(codes(await signUp(url, email))).toEqual(['BAD_USER_INPUT']);

    // Over the budget: the same answer whether the address is taken or not, and nothing is created.
    const free = freshEmail('free');
    for (const email of [DEMO_ACCOUNTS.admin.email, free]) {
      const refused = await signUp(url, email);
      expect(refused.status).toBe(429);
      expect(codes(refused)).toEqual(['RATE_LIMITED']);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(refused.errors![0]!.message).not.toMatch(/exists|taken/i);
    }
    expect(await sql('users', 'SELECT id FROM users WHERE email = $1', [free])).toEqual([]);
    // Log-in attempts from that IP are in the same budget.
    expect(codes(await logIn(url, DEMO_ACCOUNTS.shopper.email, DEMO_ACCOUNTS.shopper.password))).toEqual(['RATE_LIMITED']);
  });

  it('log-in failures are uniform, and guessing one account\'s password is cut off after the per-e-mail budget', async () => {
    const [gateway] = await replicas({ perEmail: 3 });
    const url = gateway!.url;
    const victim = freshEmail('victim');
    expect((await signUp(url, victim)).data?.signUp).toBeTruthy();

    // Unknown address and wrong password: one message, one code.
    const unknown = await logIn(url, freshEmail('nobody'), 'wrong-password-123');
    const wrong = await logIn(url, victim, 'wrong-password-123');
    expect(unknown.errors).toEqual(wrong.errors);
    expect(codes(wrong)).toEqual(['UNAUTHENTICATED']);

    // A success starts the address's count over; then three more failures, and the fourth try is refused.
    expect((await logIn(url, victim, PASSWORD)).data?.logIn).toBeTruthy();
    for (let i = 0; i < 3; i++) expect(codes(await logIn(url, victim, `guess-number-${i}`))).toEqual(['UNAUTHENTICATED']);
    const locked = await logIn(url, ` ${victim.toUpperCase()} `, PASSWORD); // the address as stored: trimmed, lower-cased
    expect(locked, JSON.stringify(locked)).toMatchObject({ status: 429 });
    expect(codes(locked)).toEqual(['RATE_LIMITED']);
    // Other accounts are untouched.
    expect((await logIn(url, DEMO_ACCOUNTS.shopper.email, DEMO_ACCOUNTS.shopper.password)).data?.logIn).toBeTruthy();
  });

  it('charges the e-mail\'s budget however the document gives the address: literal, variable, or a variable\'s default', async () => {
    const [gateway] = await replicas({ perEmail: 3 });
    const victim = freshEmail('defaults');
    expect((await signUp(gateway!.url, victim)).data?.signUp).toBeTruthy();
    const post = async (query: string, variables: Record<string, unknown> = {}) => {
      const response = await fetch(gateway!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      return { status: response.status, ...((await response.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> }) };
    };
    const attempts = [
      () => post(`mutation { logIn(input: { email: ${JSON.stringify(victim)}, password: "guess-1" }) { token } }`),
      () => post(`mutation ($e: String! = ${JSON.stringify(victim)}) { logIn(input: { email: $e, password: "guess-2" }) { token } }`),
      () => post(`mutation ($i: LogInInput! = { email: ${JSON.stringify(victim)}, password: "guess-3" }) { logIn(input: $i) { token } }`),
    ];
    for (const attempt of attempts) expect(codes(await attempt())).toEqual(['UNAUTHENTICATED']);
    // The budget is spent: the right password, given as a default too, is refused without being tried.
    const locked = await post(`mutation ($e: String! = ${JSON.stringify(victim)}) { logIn(input: { email: $e, password: "${PASSWORD}" }) { token } }`);
    expect(locked.status).toBe(429);
    expect(codes(locked)).toEqual(['RATE_LIMITED']);
  });

  it.runIf(Boolean(process.env.REDIS_URL))('two replicas on one Redis share the budget', async () => {
    const [first, second] = await replicas({ perIp: 2 }, 2);
    expect(codes(await signUp(first!.url, DEMO_ACCOUNTS.admin.email))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await signUp(second!.url, DEMO_ACCOUNTS.admin.email))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await signUp(first!.url, DEMO_ACCOUNTS.shopper.email))).toEqual(['RATE_LIMITED']);
    expect(codes(await signUp(second!.url, DEMO_ACCOUNTS.shopper.email))).toEqual(['RATE_LIMITED']);
  });
});
