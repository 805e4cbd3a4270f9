import { describe, expect, it } from 'vitest';
import { demoIds } from '@supergraph/service-kit';
import { persistedLists, persistedOperations } from '@supergraph/sdk/persisted-lists';
import { runEveryOperation } from '../../frontend-sdk/examples/node/every-operation.ts';
import { codes, graphql, stack } from '../support/graphql.ts';
import { startGatewayReplica } from '../support/gateways.ts';

// Demo product 190 (orders and reviews change it).
describe('the SDK from Node, with no DOM (the mobile and server case)', () => {
  it('runs every public operation, a subscription included, against a gateway that accepts persisted ids only', async () => {
    const gateway = await startGatewayReplica({
      trustedDocuments: { lists: persistedLists(), partnerKeys: new Map([[stack().secrets.partnerApiKey, 'partner-catalog']]), persistedOnly: true },
    });
    // The gateway really refuses text: the example's success means it sent ids only.
    expect(codes(await graphql(gateway.url, '{ categories { id } }'))).toEqual(['PERSISTED_QUERY_ID_REQUIRED']);

    const report = await runEveryOperation({ gatewayUrl: gateway.url, productId: demoIds.product(190) });
    expect([...report.operations].sort()).toEqual(persistedOperations.map((o) => o.name).sort());
    expect(report.liveStatuses.at(-1)).toBe('CONFIRMED');
    expect(report.liveReviewId).toMatch(/.+/);
    expect(report.cancelledStatus).toBe('CANCELLED');
  });
});
