import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { IDENTITY_HEADER, demoIds, signIdentityToken } from '@supergraph/service-kit';
import { gql, stack } from '../support/graphql.ts';
import { operation } from '../support/operations.ts';
import { newUser } from '../support/users.ts';
import { within } from '../support/wait.ts';

/**
 * Attack (issue 11): watching someone else's order live by going around the gateway, straight
 * to the orders subgraph's WebSocket, with an identity it did not vouch for: the user's own
 * token, an identity token forged with another key, or one minted for another subgraph. Each is
 * an anonymous caller there (as for the HTTP header): refused, nothing sent. The gateway's own
 * path (another user's order: NOT_FOUND) is in tests/e2e/subscriptions.test.ts.
 */
const clients: Client[] = [];
afterAll(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

async function watchAtOrders(orderId: string, identity: string) {
  const client = createClient({
    url: stack().subgraphs.orders.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { [IDENTITY_HEADER]: identity },
    lazy: true,
    retryAttempts: 0,
  });
  clients.push(client);
  const received: { results: Array<{ data?: any; errors?: Array<{ extensions?: { code?: string } }> }>; done: boolean } = { results: [], done: false };
  client.subscribe(
    { query: 'subscription ($id: ID!) { orderStatusChanged(orderId: $id) { id status } }', variables: { id: orderId } },
    { next: (r) => void received.results.push(r as never), error: () => void (received.done = true), complete: () => void (received.done = true) },
  );
  await within(10_000, async () => received.done || received.results.length > 0);
  return received;
}

describe("someone else's order, straight at the orders subgraph's WebSocket", () => {
  it('is refused with every identity the gateway did not mint for orders, and followed with one it did', async () => {
    const owner = await newUser('watched');
    const placed = await gql(operation('PlaceOrder'), { input: { idempotencyKey: `watch-${Date.now()}`, items: [{ productId: demoIds.product(160), quantity: 1 }], paymentToken: 'tok_visa' } }, owner.token);
    const orderId = placed.data!.placeOrder.id as string;
    const viewer = { id: owner.id, role: 'USER' as const };
    const secret = stack().secrets.internalToken;

    const attempts = {
      userToken: owner.token,
      forged: await signIdentityToken(viewer, 'an-internal-secret-the-attacker-made-up-0123', 'orders'),
      mintedForReviews: await signIdentityToken(viewer, secret, 'reviews'),
    };
    for (const [name, identity] of Object.entries(attempts)) {
      const received = await watchAtOrders(orderId, identity);
      expect(received.results.flatMap((r) => (r.errors ?? []).map((e) => e.extensions?.code)), name).toEqual(['UNAUTHENTICATED']);
      expect(received.results.every((r) => !r.data?.orderStatusChanged), name).toBe(true);
    }

    // Control: the identity the gateway would mint for orders is followed (so the refusals above are the identity's).
    const genuine = await watchAtOrders(orderId, await signIdentityToken(viewer, secret, 'orders'));
    expect(genuine.results[0]?.data?.orderStatusChanged).toEqual({ id: orderId, status: 'CONFIRMED' });
  });
});
