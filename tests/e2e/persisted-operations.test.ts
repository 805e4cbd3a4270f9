import { describe, expect, it } from 'vitest';
import { demoIds, readCounter } from '@supergraph/service-kit';
import { operationId } from '../../gateway/src/persisted-operations/manifest.ts';
import { graphql, stack } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';
import { persistedLists, persistedOperations } from '@supergraph/sdk/persisted-lists';

const partner = () => ({ 'x-api-key': stack().secrets.partnerApiKey });
const productsStatements = async () =>
  readCounter(await (await fetch(stack().subgraphs.products.url.replace(/\/graphql$/, '/metrics'))).text(), 'db_queries_total');

async function send(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(stack().gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> } };
}

describe('persisted operation lists', () => {
  it('are the SDK\'s persisted documents: the storefront every operation, the partner a subset, by the same ids', () => {
    const lists = persistedLists();
    const storefront = lists.get('storefront')!;
    expect([...storefront.keys()].sort()).toEqual(persistedOperations.map((o) => o.id).sort());
    expect(storefront.size).toBeGreaterThanOrEqual(12);
    const partnerList = lists.get('partner-catalog')!;
    expect(partnerList.size).toBe(3);
    for (const [id, body] of partnerList) expect(storefront.get(id)).toBe(body);
    for (const [id, body] of storefront) expect(operationId(body)).toBe(id);
  });

  it('let a partner run its own operations by id alone, over POST or GET', async () => {
    const id = operationId(operation('ProductPage'));
    const byId = await send({ documentId: id, variables: { id: demoIds.product(4) } }, partner());
    expect(byId.status).toBe(200);
    expect(byId.body.data.product.id).toBe(demoIds.product(4));

    const params = new URLSearchParams({
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: operationId(operation('Categories')) } }),
    });
    const get = await fetch(`${stack().gatewayUrl}?${params}`, { headers: { ...partner(), 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(200);
    expect(((await get.json()) as { data: { categories: unknown[] } }).data.categories.length).toBeGreaterThan(0);
  });

  it('refuse a partner anything else, before anything runs', async () => {
    const before = await productsStatements();
    const freeForm = await send({ query: '{ categories { id } }' }, partner());
    const notTheirs = await send({ documentId: operationId(operation('SignUp')), variables: { input: {} } }, partner());
    const swapped = await send({ documentId: operationId(operation('Categories')), query: '{ products(first: 100) { totalCount } }' }, partner());
    for (const refused of [freeForm, notTheirs, swapped]) {
      expect(refused.status).toBe(403);
      expect(refused.body.errors![0]!.extensions!.code).toBe('OPERATION_NOT_ALLOWED');
    }
    const unknownKey = await send({ documentId: operationId(operation('Categories')) }, { 'x-api-key': 'not-a-partner-key-0123456789' });
    expect(unknownKey.status).toBe(401);
    expect(await productsStatements()).toBe(before);
  });

  it('let the storefronts send the id of a storefront operation instead of its text', async () => {
    const response = await send({ documentId: `sha256:${operationId(operation('Categories'))}` });
    expect(response.status).toBe(200);
    expect(response.body.data.categories.length).toBeGreaterThan(0);
    expect((await graphql(stack().gatewayUrl, '{ categories { slug } }')).status).toBe(200); // and still any query
  });

  it('refuse an id sent with text that is not its registered operation, rather than run one of the two', async () => {
    const categories = operation('Categories');
    const id = `sha256:${operationId(categories)}`;
    const mismatch = await send({ documentId: id, query: '{ categories { id slug } }' });
    expect([mismatch.status, mismatch.body.errors?.[0]?.extensions?.code]).toEqual([400, 'PERSISTED_QUERY_NOT_IN_LIST']);
    expect(mismatch.body.data).toBeUndefined();
    const same = await send({ documentId: id, query: categories });
    expect(same.status).toBe(200);
    expect(same.body.data.categories.length).toBeGreaterThan(0);
  });
});
