import { request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startStorefrontServer, type RunningStorefront } from '../../frontend-sdk/examples/storefront/server.ts';
import { startGatewayReplica } from '../support/gateways.ts';
import { stack } from '../support/graphql.ts';

/**
 * Shoppers reach the gateway through a proxy: the storefront's server (`npm start`) or the ingress
 * controller. Each shopper must still be a client of their own for the per-address limits (rate
 * limit, sign-in budget, subscription connections), and a client must not choose its own address by
 * sending X-Forwarded-For. Shoppers are told apart here by the local address they connect from
 * (127.0.0.8, 127.0.0.9: all of 127/8 is this host).
 */
const storefronts: RunningStorefront[] = [];
afterAll(async () => {
  await Promise.all(storefronts.map((storefront) => storefront.close()));
});

const LOG_IN = 'mutation ($input: LogInInput!) { logIn(input: $input) { token } }';

/** POSTs a GraphQL request from a local address of the caller's choosing; answers the first error code, or 'ok'. */
function post(url: string, from: string, body: unknown, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const json = JSON.parse(Buffer.concat(chunks).toString()) as { errors?: Array<{ extensions?: { code?: string } }> };
        resolve(json.errors?.[0]?.extensions?.code ?? 'ok');
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
const failedLogIn = (url: string, from: string, headers: Record<string, string> = {}) =>
  post(url, from, { query: LOG_IN, variables: { input: { email: `nobody-${Math.random()}@example.com`, password: 'wrong-password-1' } } }, headers);

describe('the client behind a proxy', () => {
  it('each shopper behind the storefront has their own sign-in budget', async () => {
    const gateway = await startGatewayReplica({ redisUrl: stack().redisUrl, redisKeyPrefix: `addr-${Date.now()}:`, credentialAttempts: { perIp: 2, perEmail: 100, windowSeconds: 900 } });
    const storefront = await startStorefrontServer({ port: 0, gatewayUrl: gateway.url });
    storefronts.push(storefront);
    const shop = `${storefront.url}/graphql`;
    expect(await failedLogIn(shop, '127.0.0.8')).toBe('UNAUTHENTICATED');
    expect(await failedLogIn(shop, '127.0.0.8')).toBe('UNAUTHENTICATED');
    expect(await failedLogIn(shop, '127.0.0.8')).toBe('RATE_LIMITED');
    // Another shopper, through the same storefront: untouched.
    expect(await failedLogIn(shop, '127.0.0.9')).toBe('UNAUTHENTICATED');
  });

  it('a client the gateway does not trust as a proxy cannot choose its address with X-Forwarded-For', async () => {
    const gateway = await startGatewayReplica({
      redisUrl: stack().redisUrl,
      redisKeyPrefix: `addr-${Date.now()}:`,
      trustProxy: '127.0.0.1', // the storefront's address here; 127.0.0.8 is a client
      credentialAttempts: { perIp: 2, perEmail: 100, windowSeconds: 900 },
    });
    expect(await failedLogIn(gateway.url, '127.0.0.8', { 'x-forwarded-for': '203.0.113.1' })).toBe('UNAUTHENTICATED');
    expect(await failedLogIn(gateway.url, '127.0.0.8', { 'x-forwarded-for': '203.0.113.2' })).toBe('UNAUTHENTICATED');
    expect(await failedLogIn(gateway.url, '127.0.0.8', { 'x-forwarded-for': '203.0.113.3' })).toBe('RATE_LIMITED');
  });

  it('each shopper behind the storefront has their own subscription connections', async () => {
    const gateway = await startGatewayReplica({ subscriptions: { maxConnectionsPerIp: 1 } });
    const storefront = await startStorefrontServer({ port: 0, gatewayUrl: gateway.url });
    storefronts.push(storefront);
    const sockets: WebSocket[] = [];
    const connect = (from: string) =>
      new Promise<'ack' | number>((resolve) => {
        const socket = new WebSocket(`${storefront.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { localAddress: from });
        sockets.push(socket);
        socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
        socket.on('message', (data) => {
          if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') resolve('ack');
        });
        socket.once('close', (code) => resolve(code));
      });
    try {
      expect(await connect('127.0.0.8')).toBe('ack');
      expect(await connect('127.0.0.9')).toBe('ack'); // another shopper
      expect(await connect('127.0.0.8')).toBe(4429); // the first one's second connection
    } finally {
      for (const socket of sockets) socket.close();
    }
  });
});
