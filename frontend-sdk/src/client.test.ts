import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createStorefrontClient } from './client.ts';
import { hasErrorCode, storefrontErrors } from './errors.ts';
import { CategoriesDocument, PlaceOrderDocument } from './generated/graphql.ts';
import { persistedOperations } from './persisted-lists.ts';

/** A gateway stand-in: records every request and answers from a script. */
function fakeGateway(answers: Array<(body: any) => unknown>) {
  const requests: Array<{ body: any; headers: Record<string, string> }> = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body));
    requests.push({ body, headers: Object.fromEntries(new Headers(init.headers).entries()) });
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)]!(body);
    if (answer instanceof Error) throw answer;
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}
const idOf = (name: string) => persistedOperations.find((o) => o.name === name)!.id;
const categories = { data: { categories: [{ id: 'c1', name: 'Shoes', slug: 'shoes' }] } };
const overloaded = { errors: [{ message: 'busy', extensions: { code: 'SERVICE_OVERLOADED' } }] };
const placeOrderInput = { input: { idempotencyKey: 'k-1', items: [{ productId: 'p', quantity: 1 }], paymentToken: 'tok_visa' } };

describe('the storefront client', () => {
  it('sends only the persisted id in production, with the shopper’s token', async () => {
    const gateway = fakeGateway([() => categories]);
    const { urql } = createStorefrontClient({ url: 'http://gateway.test/graphql', fetch: gateway.fetch, getToken: () => 'token-1', clientName: 'web' });
    const result = await urql.query(CategoriesDocument, {}).toPromise();
    expect(result.data?.categories[0]?.slug).toBe('shoes');
    expect(gateway.requests).toHaveLength(1);
    const [{ body, headers }] = gateway.requests as [(typeof gateway.requests)[number]];
    expect(body.query).toBeUndefined();
    expect(body.extensions.persistedQuery).toEqual({ version: 1, sha256Hash: idOf('Categories') });
    expect(headers.authorization).toBe('Bearer token-1');
    expect(headers['apollographql-client-name']).toBe('web');
  });

  it('sends mutations by id too, and never retries them', async () => {
    const gateway = fakeGateway([() => overloaded]);
    const { urql } = createStorefrontClient({ url: 'http://gateway.test/graphql', fetch: gateway.fetch });
    const result = await urql.mutation(PlaceOrderDocument, placeOrderInput).toPromise();
    expect(gateway.requests).toHaveLength(1);
    expect(gateway.requests[0]!.body.extensions.persistedQuery.sha256Hash).toBe(idOf('PlaceOrder'));
    expect(hasErrorCode(result.error, 'SERVICE_OVERLOADED')).toBe(true);
  });

  it('retries a query after a retryable refusal or a network failure, up to its attempts', async () => {
    const gateway = fakeGateway([() => overloaded, () => new TypeError('fetch failed'), () => categories]);
    const { urql } = createStorefrontClient({ url: 'http://gateway.test/graphql', fetch: gateway.fetch, maxQueryAttempts: 3 });
    const result = await urql.query(CategoriesDocument, {}).toPromise();
    expect(gateway.requests).toHaveLength(3);
    expect(result.data?.categories).toHaveLength(1);
  });

  it('does not retry a query the caller got wrong', async () => {
    const gateway = fakeGateway([() => ({ errors: [{ message: 'no', extensions: { code: 'BAD_USER_INPUT' } }] })]);
    const { urql } = createStorefrontClient({ url: 'http://gateway.test/graphql', fetch: gateway.fetch });
    const result = await urql.query(CategoriesDocument, {}).toPromise();
    expect(gateway.requests).toHaveLength(1);
    expect(storefrontErrors(result.error).map((e) => [e.code, e.retryable])).toEqual([['BAD_USER_INPUT', false]]);
  });

  it('in development, asks by hash and sends the text once the gateway does not know it (automatic persisted queries)', async () => {
    const gateway = fakeGateway([() => ({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] }), () => categories]);
    const { urql } = createStorefrontClient({ url: 'http://gateway.test/graphql', fetch: gateway.fetch, mode: 'development' });
    const result = await urql.query(CategoriesDocument, {}).toPromise();
    expect(result.data?.categories).toHaveLength(1);
    const [first, second] = gateway.requests;
    expect(first!.body.query).toBeUndefined();
    expect(second!.body.query).toContain('categories');
    // The hash is of the very text sent, as the APQ protocol requires.
    expect(first!.body.extensions.persistedQuery.sha256Hash).toBe(createHash('sha256').update(second!.body.query).digest('hex'));
  });

  it('types every error by code, and a failed connection as NETWORK_ERROR', async () => {
    const gateway = fakeGateway([() => new TypeError('fetch failed')]);
    const { urql } = createStorefrontClient({ url: 'http://gateway.test/graphql', fetch: gateway.fetch, maxQueryAttempts: 1 });
    const result = await urql.query(CategoriesDocument, {}).toPromise();
    expect(storefrontErrors(result.error).map((e) => e.code)).toEqual(['NETWORK_ERROR']);
    expect(storefrontErrors(undefined)).toEqual([]);
  });
});
