// `npm run bench:gateway`: ProductPage through the gateway, the storefront's hottest operation,
// on a fresh in-process supergraph (PostgreSQL when DATABASE_URL is set), with the response cache
// off and, with REDIS_URL, warm, side by side in each round; quote the medians across rounds. Settings: BENCH_REQUESTS (3000), BENCH_CONCURRENCY (32),
// BENCH_ROUNDS (3), BENCH_HOT_PRODUCTS (200: how many distinct products the load spreads over).
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { demoIds } from '@supergraph/service-kit';
import { startStack } from '../in-process-stack.ts';
import { createGateway, type Gateway } from '../../gateway/src/server.ts';
import { repoPath } from '../paths.ts';
import { formatLoad, runLoad } from './load.ts';
import { storefrontOperations } from '../operations.ts';

const requests = Number(process.env.BENCH_REQUESTS ?? 3000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const hotProducts = Number(process.env.BENCH_HOT_PRODUCTS ?? 200);

const productPage = storefrontOperations().ProductPage!;

const stack = await startStack({ seedProducts: 2000 });
const gateways: Gateway[] = [];
try {
  // Cold: the stack's gateway (no response cache). Warm: a second gateway with the cache on,
  // primed with every product of the load first. Needs Redis for the warm side.
  const targets: Array<{ name: string; url: string }> = [{ name: 'cache off', url: stack.gatewayUrl }];
  if (process.env.REDIS_URL) {
    const cached = await createGateway({
      supergraphSdl: await readFile(repoPath('supergraph.graphql'), 'utf8'),
      subgraphUrls: Object.fromEntries(Object.entries(stack.subgraphs).map(([name, s]) => [name, s.url])),
      userTokenSecret: stack.secrets.userToken,
      internalTokenSecret: stack.secrets.internalToken,
      development: false,
      log: pino({ level: 'silent' }),
      redisUrl: process.env.REDIS_URL,
      redisKeyPrefix: stack.eventsChannelPrefix,
      rateLimit: { pointsPerMinute: 10_000_000, whenRedisDown: 'open' },
    });
    gateways.push(cached);
    targets.push({ name: 'cache warm', url: `${(await cached.listen(0)).url}/graphql` });
  }
  const send = (url: string) => async (n: number) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: productPage, variables: { id: demoIds.product(n % hotProducts) } }),
    });
    const body = (await response.json()) as { errors?: unknown[] };
    return response.status !== 200 ? `http_${response.status}` : body.errors ? 'errors' : 'ok';
  };
  if (targets[1]) await runLoad(hotProducts, 8, send(targets[1].url)); // prime the cache

  console.log(`database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}; ${requests} requests a round, concurrency ${concurrency}, ${hotProducts} products`);
  const results = new Map<string, Awaited<ReturnType<typeof runLoad>>[]>(targets.map((t) => [t.name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const target of targets) {
      const result = await runLoad(requests, concurrency, send(target.url));
      results.get(target.name)!.push(result);
      console.log(`round ${round} ${target.name}: ${formatLoad(result)}`);
    }
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  for (const [name, rs] of results) {
    console.log(`median of ${rounds}, ${name}: ${median(rs.map((r) => r.perSecond)).toFixed(1)}/s, p50 ${median(rs.map((r) => r.p50)).toFixed(1)} ms, p99 ${median(rs.map((r) => r.p99)).toFixed(1)} ms`);
  }
} finally {
  await Promise.all(gateways.map((g) => g.close()));
  await stack.close();
}
