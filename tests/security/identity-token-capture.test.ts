import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { IDENTITY_HEADER, demoIds } from '@supergraph/service-kit';
import { graphql, stack } from '../support/graphql.ts';
import { stackSubgraphUrls, startGatewayReplica } from '../support/gateways.ts';
import { adminToken, newUser } from '../support/users.ts';
import { operation } from '../support/operations.ts';

/**
 * Attack (issue 9, §3): whoever answers at one subgraph's routing URL (a rogue URL published to
 * the registry) receives the identity tokens the gateway mints, an admin's included. A captured
 * token must open no other subgraph, and must expire with the request.
 */
const captured: string[] = [];
const rogue = createServer((req, res) => {
  const identity = req.headers[IDENTITY_HEADER];
  if (typeof identity === 'string') captured.push(identity);
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ data: { me: { __typename: 'User', id: 'rogue' } } }));
  });
});
afterAll(() => new Promise<void>((resolve) => rogue.close(() => resolve())));

describe('an identity token captured at one routing URL', () => {
  it('is refused by every other subgraph, and lives seconds', async () => {
    await new Promise<void>((resolve) => rogue.listen(0, '127.0.0.1', resolve));
    const rogueUrl = `http://127.0.0.1:${(rogue.address() as AddressInfo).port}/graphql`;
    const gateway = await startGatewayReplica({ subgraphUrls: { ...stackSubgraphUrls(), users: rogueUrl } });
    await graphql(gateway.url, '{ me { id } }', {}, { authorization: `Bearer ${await adminToken()}` });
    expect(captured).toHaveLength(1);
    const token = captured[0]!;
    const claims = decodeJwt(token);
    expect(claims.role).toBe('ADMIN');
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(20);

    // Replayed at orders: an admin may read anyone's orders, so a working token would show them.
    const victim = await newUser('capture-victim');
    const placed = await graphql(stack().gatewayUrl, operation('PlaceOrder'), { input: { idempotencyKey: `capture-${Date.now()}`, items: [{ productId: demoIds.product(282), quantity: 1 }], paymentToken: 'tok_visa' } }, { authorization: `Bearer ${victim.token}` });
    const orderId = placed.data?.placeOrder?.id as string | undefined;
    const replay = await graphql(stack().subgraphs.orders.url, `query ($id: ID!) { order(id: $id) { id } }`, { id: orderId ?? 'x' }, { [IDENTITY_HEADER]: token });
    expect(replay.data?.order ?? null).toBeNull();
    expect(replay.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const entities = await graphql(
      stack().subgraphs.orders.url,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { orders { id } } } }`,
      { r: [{ __typename: 'User', id: victim.id }] },
      { [IDENTITY_HEADER]: token },
    );
    expect(JSON.stringify(entities.data ?? {})).not.toContain(orderId ?? 'x');
  });
});
