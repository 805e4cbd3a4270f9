import { describe, expect, it } from 'vitest';
import { demoIds } from '@supergraph/service-kit';
import { operationId } from '../../gateway/src/persisted-operations/manifest.ts';
import { repoPath } from '../../scripts/paths.ts';
import { startGatewayReplica } from '../support/gateways.ts';
import { operation } from '../support/operations.ts';
import { persistedLists } from '@supergraph/sdk/persisted-lists';


const gauge = (metrics: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(metrics)?.[1] ?? NaN);

describe('query plan warm-up', () => {
  it('plans every listed operation before the gateway serves, so listed requests hit the plan cache', async () => {
    const lists = persistedLists();
    const gateway = await startGatewayReplica({ trustedDocuments: { lists, partnerKeys: new Map() } });
    const metrics = gateway.metrics;

    const before = await metrics();
    // Every listed operation (the storefront list holds every contract query and mutation).
    expect(gauge(before, 'query_plans_warmed')).toBe(lists.get('storefront')!.size);
    const entries = gauge(before, 'query_plan_cache_entries');
    expect(entries).toBe(2 * gauge(before, 'query_plans_warmed'));

    const post = (body: unknown) => fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ documentId: operationId(operation('ProductPage')), variables: { id: demoIds.product(1) } })).status).toBe(200);
    expect((await post({ query: operation('Catalog'), operationName: 'Catalog', variables: { first: 3 } })).status).toBe(200);
    const afterListed = await metrics();
    expect(gauge(afterListed, 'query_plan_cache_entries')).toBe(entries); // served from warmed plans
    expect(afterListed).toMatch(/query_plan_cache_lookups_total\{[^}]*result="hit"[^}]*\} 2/);
    expect((await post({ query: '{ categories { name } }' })).status).toBe(200);
    const afterUnlisted = await metrics();
    expect(gauge(afterUnlisted, 'query_plan_cache_entries')).toBe(entries + 1); // an unlisted one is planned on demand
    expect(afterUnlisted).toMatch(/query_plan_cache_lookups_total\{[^}]*result="miss"[^}]*\} 1/);
  });
});
