import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { stack } from '../support/graphql.ts';

/**
 * Attack (issue 11): memory by one huge WebSocket message. ws alone takes messages up to
 * 100 MiB and graphql-ws parses each as JSON; the gateway bounds a message like an HTTP body
 * (LIMIT_MAX_BODY_BYTES) and closes the connection with 1009 (message too big) instead.
 */
describe('a graphql-ws message larger than an HTTP body may be', () => {
  it('closes the connection with 1009 before it is parsed', async () => {
    const socket = new WebSocket(stack().gatewayUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    await new Promise((resolve) => socket.once('message', resolve)); // connection_ack
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    const query = `subscription { reviewAdded(productId: "1") { id } } #${'x'.repeat(2_000_000)}`;
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
    expect(await closed).toBe(1009);
  });
});
