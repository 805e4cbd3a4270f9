// A gateway under test, in a process of its own (pinned by the parent); tells the parent its URL
// over IPC and exits when the parent goes. BENCH_CHILD (JSON) says which gateway and how.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { pino } from 'pino';
import type { RequestLimits } from '../../../gateway/src/limits.ts';

export type ChildConfig =
  | { kind: 'apollo'; supergraphPath: string }
  | {
      kind: 'ours';
      supergraphPath: string;
      subgraphUrls: Record<string, string>;
      secrets: { userToken: string; internalToken: string };
      redisUrl?: string;
      redisKeyPrefix: string;
      responseCache: boolean;
      sharing: { subgraphFetches: boolean; publicQueries: boolean };
      limits: Partial<RequestLimits>;
    }
  | { kind: 'hive'; supergraphPath: string; installDir: string; dedupe: boolean; runtime: 'router' | 'js' };

const config = JSON.parse(process.env.BENCH_CHILD ?? 'null') as ChildConfig | null;
if (!config) throw new Error('BENCH_CHILD is not set: this file is started by scripts/bench/gateway-only.ts');

async function start(config: ChildConfig): Promise<string> {
  const supergraphSdl = await readFile(config.supergraphPath, 'utf8');
  if (config.kind === 'apollo') {
    // Defaults throughout: the stock gateway with its default fetcher and RemoteGraphQLDataSource.
    const { ApolloGateway } = await import('@apollo/gateway');
    const { ApolloServer } = await import('@apollo/server');
    const { startStandaloneServer } = await import('@apollo/server/standalone');
    const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl }) });
    const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
    return url.replace('localhost', '127.0.0.1');
  }
  if (config.kind === 'ours') {
    const { createGateway } = await import('../../../gateway/src/server.ts');
    const gateway = await createGateway({
      supergraphSdl,
      subgraphUrls: config.subgraphUrls,
      userTokenSecret: config.secrets.userToken,
      internalTokenSecret: config.secrets.internalToken,
      development: false,
      log: pino({ level: 'silent' }),
      redisUrl: config.redisUrl,
      redisKeyPrefix: config.redisKeyPrefix,
      // Not the thing measured: one client IP sends everything here.
      rateLimit: { pointsPerMinute: 1_000_000_000, whenRedisDown: 'open' },
      responseCache: config.responseCache,
      sharing: config.sharing,
      limits: config.limits,
      publicMetrics: false,
    });
    return `${(await gateway.listen(0, '127.0.0.1')).url}/graphql`;
  }
  // Hive Gateway, from the bench's own install folder (not a project dependency).
  const load = (pkg: string) => import(pathToFileURL(join(config.installDir, 'node_modules', pkg, 'dist', 'index.js')).href);
  const { createGatewayRuntime } = await load('@graphql-hive/gateway-runtime');
  const runtime = createGatewayRuntime({
    supergraph: config.supergraphPath, // a file path, as its docs show
    logging: false,
    ...(config.runtime === 'router' ? { unifiedGraphHandler: (await load('@graphql-hive/router-runtime')).unifiedGraphHandler } : {}),
    // In-flight deduplication of identical subgraph requests is on by default in Hive's HTTP transport.
    ...(config.dedupe ? {} : { transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } } }),
  });
  const server = createServer(runtime);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

// An orderly exit on SIGTERM too, so a --cpu-prof given through BENCH_OURS_NODE_FLAGS is written.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
start(config).then(
  (url) => process.send?.({ ready: url }),
  (error: Error) => {
    process.send?.({ failed: String(error?.stack ?? error) });
    process.exit(1);
  },
);
