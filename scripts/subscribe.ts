// `npm run subscribe -- <Operation> '<variables JSON>'`: runs one subscription of the public
// contract (frontend-sdk/operations) through the gateway over graphql-ws and prints each event.
//   npm run subscribe -- ReviewAdded '{"productId":"00000002-0000-4000-8000-000000000001"}'
//   TOKEN=<user JWT> npm run subscribe -- OrderStatusChanged '{"orderId":"…"}'
// GATEWAY_URL (default http://localhost:4000/graphql) picks the gateway. Ctrl-C ends it.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { storefrontOperations } from './operations.ts';

const [name, variablesJson = '{}'] = process.argv.slice(2);
const operations = storefrontOperations();
const query = name ? operations[name] : undefined;
if (!query || !query.trimStart().startsWith('subscription')) {
  const subscriptions = Object.keys(operations).filter((n) => operations[n]!.trimStart().startsWith('subscription'));
  console.error(`usage: npm run subscribe -- <${subscriptions.join('|')}> '<variables JSON>'`);
  process.exit(2);
}
const url = (process.env.GATEWAY_URL ?? 'http://localhost:4000/graphql').replace(/^http/, 'ws');
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: process.env.TOKEN ? { authorization: `Bearer ${process.env.TOKEN}` } : {},
  // 44xx closes (bad token, unknown key) will not get better by retrying.
  shouldRetry: (event) => !(typeof (event as { code?: unknown }).code === 'number' && (event as { code: number }).code >= 4400 && (event as { code: number }).code < 4500),
  on: { closed: (event) => console.error(`connection closed: ${(event as { code?: number }).code ?? ''} ${(event as { reason?: string }).reason ?? ''}`) },
});
console.error(`subscribed to ${name} at ${url}; Ctrl-C to stop`);
client.subscribe(
  { query, variables: JSON.parse(variablesJson) as Record<string, unknown> },
  {
    next: (result) => console.log(JSON.stringify(result)),
    error: (error) => {
      console.error('error:', Array.isArray(error) ? JSON.stringify(error) : error);
      process.exitCode = 1;
      void client.dispose();
    },
    complete: () => void client.dispose(),
  },
);
process.on('SIGINT', async () => {
  await client.dispose();
  process.exit(0);
});
