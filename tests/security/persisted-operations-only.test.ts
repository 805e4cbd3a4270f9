import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoIds, readCounter } from '@supergraph/service-kit';
import { persistedLists } from '@supergraph/sdk/persisted-lists';
import { operationId } from '../../gateway/src/persisted-operations/manifest.ts';
import { persistedOnlyFromEnv } from '../../gateway/src/config.ts';
import { startGatewayReplica } from '../support/gateways.ts';
import { stack } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';
import { subscribe } from '../support/subscriptions.ts';
import { within } from '../support/wait.ts';

/**
 * Persisted-operations-only mode (issue 12 §4, a safelist): a production gateway runs the
 * registered operations of its lists, sent by id, and nothing else; text, including automatic
 * persisted queries trying to register new text, is refused before anything runs.
 */
let gateway: Awaited<ReturnType<typeof startGatewayReplica>>;
const productsStatements = async () => readCounter(await (await fetch(stack().subgraphs.products.url.replace(/\/graphql$/, '/metrics'))).text(), 'db_queries_total');

async function post(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}
const code = (response: Awaited<ReturnType<typeof post>>) => response.body.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  gateway = await startGatewayReplica({
    trustedDocuments: { lists: persistedLists(), partnerKeys: new Map([[stack().secrets.partnerApiKey, 'partner-catalog']]), persistedOnly: true },
  });
});

describe('a gateway in persisted-operations-only mode', () => {
  it('is the production default, and can be set either way explicitly', () => {
    expect(persistedOnlyFromEnv({ NODE_ENV: 'production', PERSISTED_OPERATIONS_ONLY: undefined })).toBe(true);
    expect(persistedOnlyFromEnv({ NODE_ENV: 'development', PERSISTED_OPERATIONS_ONLY: undefined })).toBe(false);
    expect(persistedOnlyFromEnv({ NODE_ENV: 'production', PERSISTED_OPERATIONS_ONLY: 'false' })).toBe(false);
    expect(persistedOnlyFromEnv({ NODE_ENV: 'test', PERSISTED_OPERATIONS_ONLY: 'true' })).toBe(true);
  });

  it('runs the storefront’s operations by id, over POST and GET', async () => {
    const byId = await post({ documentId: operationId(operation('ProductPage')), variables: { id: demoIds.product(3) } });
    expect(byId.status).toBe(200);
    expect(byId.body.data.product.id).toBe(demoIds.product(3));
    const apqStyle = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: operationId(operation('Categories')) } } });
    expect(apqStyle.body.data.categories.length).toBeGreaterThan(0);
    const params = new URLSearchParams({ extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: operationId(operation('Categories')) } }) });
    const get = await fetch(`${gateway.url}?${params}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(200);
  });

  it('refuses text, unknown ids, new APQ registrations and a swapped text, each with its code, before anything runs', async () => {
    const before = await productsStatements();
    const text = await post({ query: '{ products(first: 5) { totalCount } }' });
    expect([text.status, code(text)]).toEqual([400, 'PERSISTED_QUERY_ID_REQUIRED']);
    // Even the exact text of a registered operation: clients send ids.
    const registeredText = await post({ query: operation('Categories') });
    expect(code(registeredText)).toBe('PERSISTED_QUERY_ID_REQUIRED');
    const unknownId = await post({ documentId: 'a'.repeat(64) });
    expect([unknownId.status, code(unknownId)]).toEqual([400, 'PERSISTED_QUERY_NOT_IN_LIST']);
    const query = '{ products(first: 7) { totalCount } }';
    const apqRegistration = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash: operationId(query) } } });
    expect(code(apqRegistration)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    const swapped = await post({ documentId: operationId(operation('Categories')), query });
    expect(code(swapped)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(await productsStatements()).toBe(before);
  });

  it('keeps partners to their own list', async () => {
    const partner = { 'x-api-key': stack().secrets.partnerApiKey };
    expect((await post({ documentId: operationId(operation('Categories')) }, partner)).status).toBe(200);
    expect(code(await post({ documentId: operationId(operation('SignUp')), variables: { input: {} } }, partner))).toBe('OPERATION_NOT_ALLOWED');
  });

  it('applies to subscriptions: an id subscribes, text is refused with the same code', async () => {
    const client = createClient({ url: gateway.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: true, retryAttempts: 0 });
    try {
      const byText = subscribe(client, operation('ReviewAdded'), { productId: demoIds.product(191) });
      await within(10_000, async () => byText.completed || byText.results.length > 0);
      const refusal = (byText.error as Array<{ extensions?: { code?: string } }> | undefined)?.[0] ?? byText.results[0]?.errors?.[0];
      expect(refusal?.extensions?.code).toBe('PERSISTED_QUERY_ID_REQUIRED');

      const received: unknown[] = [];
      let failed: unknown;
      const stop = client.subscribe(
        { query: '', variables: { productId: demoIds.product(191) }, extensions: { persistedQuery: { version: 1, sha256Hash: operationId(operation('ReviewAdded')) } } },
        { next: (r) => void received.push(r), error: (e) => void (failed = e), complete: () => {} },
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(failed).toBeUndefined();
      stop();
    } finally {
      await client.dispose();
    }
  });
});

