import { describe, expect, it } from 'vitest';
import { repoPath } from '../../scripts/paths.ts';
import { startGatewayReplica } from '../support/gateways.ts';
import { graphql } from '../support/graphql.ts';
import { persistedLists } from '@supergraph/sdk/persisted-lists';

/**
 * Client-chosen operation names became Prometheus label values: three invented names, three new
 * series each. Only operations the gateway's persisted lists register are labelled by name;
 * every other name shares one bucket, so the label set is bounded by the lists, not by clients.
 */
const series = (metrics: string, operation: string) => metrics.split('\n').filter((line) => line.includes(`operation="${operation}"`));

describe('operation names in metric labels', () => {
  it('labels registered operations by name and puts every invented name in one bucket', async () => {
    const lists = persistedLists();
    const gateway = await startGatewayReplica({ trustedDocuments: { lists, partnerKeys: new Map() } });
    const before = await gateway.metrics();

    for (const name of ['Invented1', 'Invented2', 'Invented3']) {
      expect((await graphql(gateway.url, `query ${name} { categories { id } }`)).status).toBe(200);
    }
    expect((await graphql(gateway.url, 'query Categories { categories { id } }')).status).toBe(200);
    expect((await graphql(gateway.url, '{ categories { id } }')).status).toBe(200);

    const after = await gateway.metrics();
    expect(after).not.toMatch(/Invented/);
    expect(after).toMatch(/graphql_requests_total\{[^}]*operation="other"[^}]*outcome="ok"[^}]*\} 3/);
    expect(after).toMatch(/graphql_requests_total\{[^}]*operation="Categories"[^}]*outcome="ok"[^}]*\} 1/);
    expect(after).toMatch(/graphql_requests_total\{[^}]*operation="anonymous"[^}]*outcome="ok"[^}]*\} 1/);
    // Three invented names cost no series beyond the bucket's own.
    const newSeries = after.split('\n').filter((line) => line.startsWith('graphql_') && !before.includes(line.replace(/ [^ ]+$/, ' ')));
    expect(newSeries.every((line) => /operation="(other|Categories|anonymous)"/.test(line))).toBe(true);
    expect(series(after, 'other').length).toBeGreaterThan(0);
  });

  it('follows the lists as they change (a registry replaces a list while the gateway runs)', async () => {
    const lists = new Map(persistedLists());
    const gateway = await startGatewayReplica({ trustedDocuments: { lists, partnerKeys: new Map() } });
    const query = 'query NewlyListed { categories { id } }';

    await graphql(gateway.url, query);
    expect(await gateway.metrics()).not.toMatch(/NewlyListed/);

    // What RegistrySource does on an update: the live map gets a new list object.
    lists.set('storefront', new Map([...lists.get('storefront')!, ['f'.repeat(64), query]]));
    await graphql(gateway.url, query);
    expect(await gateway.metrics()).toMatch(/graphql_requests_total\{[^}]*operation="NewlyListed"[^}]*\} 1/);
  });
});
