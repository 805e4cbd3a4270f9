import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { startStack } from '../../in-process-stack.ts';
import { repoPath } from '../../paths.ts';
import { createGateway } from '../../../gateway/src/server.ts';
import type { RequestLimits } from '../../../gateway/src/limits.ts';
import type { Exchange } from './recording.ts';

/**
 * Runs the real stack once (PGlite, or PostgreSQL with DATABASE_URL) behind a recording proxy per
 * subgraph, sends every bench request through our gateway (response cache off), and returns each
 * subgraph exchange and each client answer.
 */
export async function recordExchanges(options: { bodies: string[]; seedProducts: number; limits: Partial<RequestLimits> }) {
  const stack = await startStack({ seedProducts: options.seedProducts });
  const exchanges: Exchange[] = [];
  const proxies: Server[] = [];
  const gateway = await (async () => {
    const proxyUrls: Record<string, string> = {};
    for (const [subgraph, { url }] of Object.entries(stack.subgraphs)) {
      const proxy = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', async () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const headers = Object.fromEntries(
            Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)),
          ) as Record<string, string>;
          try {
            const upstream = await fetch(url, { method: 'POST', headers, body });
            const text = await upstream.text();
            exchanges.push({
              subgraph,
              body,
              status: upstream.status,
              cacheControl: upstream.headers.get('cache-control'),
              response: JSON.parse(text) as Exchange['response'],
            });
            const out: Record<string, string> = { 'content-type': upstream.headers.get('content-type') ?? 'application/json' };
            const cacheControl = upstream.headers.get('cache-control');
            if (cacheControl) out['cache-control'] = cacheControl;
            res.writeHead(upstream.status, out).end(text);
          } catch (error) {
            res.writeHead(502).end(String(error));
          }
        });
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      proxies.push(proxy);
      proxyUrls[subgraph] = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`;
    }
    return createGateway({
      supergraphSdl: await readFile(repoPath('supergraph.graphql'), 'utf8'),
      subgraphUrls: proxyUrls,
      userTokenSecret: stack.secrets.userToken,
      internalTokenSecret: stack.secrets.internalToken,
      development: false,
      log: pino({ level: 'silent' }),
      rateLimit: { pointsPerMinute: 100_000_000, whenRedisDown: 'open' },
      responseCache: false,
      limits: options.limits,
    });
  })();
  try {
    const url = `${(await gateway.listen(0, '127.0.0.1')).url}/graphql`;
    const answers: Record<string, unknown> = {};
    // One at a time: each client request's subgraph fetches are recorded whole.
    for (const body of options.bodies) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const answer = (await response.json()) as { data?: unknown; errors?: unknown[] };
      if (response.status !== 200 || answer.errors) {
        throw new Error(`recording: the real stack answered ${response.status} ${JSON.stringify(answer.errors ?? answer).slice(0, 600)} to ${body.slice(0, 200)}`);
      }
      answers[body] = answer.data;
    }
    const failed = exchanges.filter((e) => e.status !== 200 || e.response.errors);
    if (failed.length) throw new Error(`recording: a subgraph answered with errors: ${JSON.stringify(failed[0]).slice(0, 600)}`);
    return { exchanges, answers };
  } finally {
    await gateway.close();
    for (const proxy of proxies) proxy.closeAllConnections();
    await Promise.all(proxies.map((p) => new Promise((resolve) => p.close(resolve))));
    await stack.close();
  }
}
