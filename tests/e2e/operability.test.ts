import { describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '../../scripts/services.ts';
import { IDENTITY_HEADER, serviceIdentityToken } from '@supergraph/service-kit';
import { stack } from '../support/graphql.ts';

const base = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '');

describe('health, readiness and metrics', () => {
  it.each([...SUBGRAPH_NAMES, 'gateway' as const])('%s answers /healthz, /readyz and /metrics', async (name) => {
    const url = base(name === 'gateway' ? stack().gatewayUrl : stack().subgraphs[name].url);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('http_request_duration_seconds');
    if (name !== 'gateway') expect(metrics).toContain('db_queries_total');
  });
});

describe('requests that never reach GraphQL', () => {
  const post = (body: string) => fetch(stack().gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('answer malformed JSON with 400 BAD_REQUEST as JSON, no stack trace', async () => {
    const response = await post('{"query": ');
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
    expect(text).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('answer an oversized body with 413', async () => {
    const response = await post(JSON.stringify({ query: `{ categories { id } }`, padding: 'x'.repeat(2_000_000) }));
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('answer malformed JSON to an internal endpoint with 400 BAD_REQUEST as JSON too', async () => {
    const response = await fetch(`${base(stack().subgraphs.inventory.url)}/internal/reservations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await serviceIdentityToken('orders', 'inventory', stack().secrets.internalToken) },
      body: '{"orderId": ',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });
});

describe('observability at the gateway', () => {
  it('echoes a request id, passes it on to the subgraphs, and counts requests by operation and outcome', async () => {
    const requestId = `test-${Date.now()}-abcdef`;
    const response = await fetch(stack().gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ query: 'query ObservedCategories { categories { id } }' }),
    });
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const generated = await fetch(stack().gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'bad id!' }, body: JSON.stringify({ query: '{ categories { id } }' }) });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const metrics = await (await fetch(`${base(stack().gatewayUrl)}/metrics`)).text();
    // An operation no persisted list registers is counted in the one "other" bucket (tests/security/metric-labels.test.ts).
    expect(metrics).toMatch(/graphql_requests_total\{[^}]*operation="other"[^}]*outcome="ok"[^}]*\} \d+/);
    expect(metrics).not.toContain('ObservedCategories');
    expect(metrics).toMatch(/graphql_request_duration_seconds_count\{[^}]*operation="other"[^}]*\} \d+/);
    expect(metrics).toMatch(/subgraph_fetch_duration_seconds_count\{[^}]*subgraph="products"/);
  });
});
