import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { operationId } from '../../gateway/src/persisted-operations/manifest.ts';
import { repoPath } from '../../scripts/paths.ts';
import { startGatewayReplica, stackSubgraphUrls } from '../support/gateways.ts';
import { stack } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';
import { REGISTRY_TEST_TOKENS, repoSubgraphs, startRegistry, refusal, type TestRegistry } from '../support/registry.ts';
import { within } from '../support/wait.ts';
import { persistedList } from '@supergraph/sdk/persisted-lists';

/**
 * Attack (issue 9, §3): partner API keys lived only in each gateway's environment, so a leaked
 * key worked until every gateway was redeployed. They now live in the schema registry as digests
 * beside the operation lists; an admin creates (shown once), lists (no secrets) and revokes them,
 * and gateways take the change at their next poll, without a restart.
 */
const POLL_MS = 100;
const CATEGORIES = operationId(operation('Categories'));
const manifest = async (client: string) => persistedList(client).operations;

let registry: TestRegistry;

async function asPartner(url: string, key: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ documentId: CATEGORIES }) });
  await response.body?.cancel();
  return response.status;
}



beforeAll(async () => {
  registry = await startRegistry();
  await registry.client.publish(await repoSubgraphs(stackSubgraphUrls()), { author: 'security' });
  await registry.client.registerOperations('partner-catalog', await manifest('partner-catalog'), 'security');
});

describe('partner API keys in the schema registry', () => {
  it('are an admin’s to create (shown once), list without secrets and revoke; stored as digests only', async () => {
    const created = await registry.admin.createPartnerKey('partner-catalog');
    expect(created.key).toMatch(/^sgpk_[A-Za-z0-9_-]{43}$/);
    const { keys } = await registry.admin.partnerKeys();
    expect(keys).toEqual([{ id: created.id, client: 'partner-catalog', createdAt: expect.any(String), revokedAt: null }]);
    expect(JSON.stringify(keys)).not.toContain(created.key);

    const db = new pg.Client({ connectionString: registry.service.database.connectionString });
    await db.connect();
    try {
      const { rows } = await db.query<{ client: string; key_hash: string }>('SELECT * FROM partner_api_keys');
      expect(JSON.stringify(rows)).not.toContain(created.key);
      expect(rows.map((r) => r.key_hash)).toEqual([createHash('sha256').update(created.key).digest('hex')]);
    } finally {
      await db.end();
    }

    const publisher = registry.client;
    for (const attempt of [() => publisher.createPartnerKey('partner-catalog'), () => publisher.partnerKeys(), () => publisher.revokePartnerKey(created.id)]) {
      expect((await refusal(attempt())).code).toBe('FORBIDDEN');
    }
    const gatewayToken = registry.clientWith(REGISTRY_TEST_TOKENS.gateway);
    expect((await refusal(gatewayToken.createPartnerKey('partner-catalog'))).code).toBe('FORBIDDEN');
    expect((await refusal(registry.admin.createPartnerKey('Not A Client!'))).code).toBe('BAD_REQUEST');
    expect((await refusal(registry.admin.revokePartnerKey(999_999))).code).toBe('NOT_FOUND');
    await registry.admin.revokePartnerKey(created.id);
    expect((await registry.admin.partnerKeys('partner-catalog')).keys[0]!.revokedAt).not.toBeNull();
  });

  it('reach a running gateway within a poll: a new key works and a revoked key stops, with no restart', async () => {
    // The environment's key serves only until the registry answers; from then on the registry's keys are the keys.
    const gateway = await startGatewayReplica({
      registry: { url: registry.url, token: REGISTRY_TEST_TOKENS.gateway, pollIntervalMs: POLL_MS },
      trustedDocuments: { lists: new Map(), partnerKeys: new Map([[stack().secrets.partnerApiKey, 'partner-catalog']]) },
    });
    expect(await asPartner(gateway.url, stack().secrets.partnerApiKey)).toBe(401);

    const { id, key } = await registry.admin.createPartnerKey('partner-catalog');
    await within(5_000, async () => (await asPartner(gateway.url, key)) === 200);
    const other = await registry.admin.createPartnerKey('partner-catalog'); // rotation: both work for a while
    await within(5_000, async () => (await asPartner(gateway.url, other.key)) === 200);

    await registry.admin.revokePartnerKey(id);
    await within(5_000, async () => (await asPartner(gateway.url, key)) === 401);
    expect(await asPartner(gateway.url, other.key)).toBe(200);
  });

  it('still come from PARTNER_API_KEYS for a gateway without a registry', async () => {
    expect(await asPartner(stack().gatewayUrl, stack().secrets.partnerApiKey)).toBe(200);
    expect(await asPartner(stack().gatewayUrl, 'sgpk_not-a-key-of-this-gateway-0123456789')).toBe(401);
  });
});
