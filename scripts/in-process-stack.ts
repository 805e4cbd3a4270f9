import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { createSubgraph, type SubgraphService } from '@supergraph/service-kit';
import { createGateway } from '../gateway/src/server.ts';
import { dropServiceDatabases, ensureServiceDatabases } from './local-databases.ts';
import { repoPath } from './paths.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from './services.ts';
import { subgraphRegistry } from './subgraph-registry.ts';
import { persistedLists } from '@supergraph/sdk/persisted-lists';

/**
 * The whole supergraph in one process on ephemeral ports, for end-to-end tests and benchmarks: real HTTP
 * between gateway and subgraphs, each subgraph on its own fresh database: a new PostgreSQL
 * database per run when DATABASE_URL is set (CI), in-memory PGlite otherwise.
 */
export const TEST_SECRETS = {
  userToken: 'test-user-token-secret-0123456789abcdef',
  internalToken: 'test-internal-token-secret-0123456789abcdef',
  /** The API key of the stack's one partner, whose list is gateway/persisted-operations/partner-catalog.json. */
  partnerApiKey: 'test-partner-api-key-0123456789abcdef',
};

export interface StackInfo {
  gatewayUrl: string;
  subgraphs: Record<SubgraphName, { url: string; databaseUrl: string }>;
  secrets: typeof TEST_SECRETS;
  seedProducts: number;
  redisUrl: string | undefined;
  eventsChannelPrefix: string;
}

export interface Stack extends StackInfo {
  close(): Promise<void>;
}

export async function startStack(options: { seedProducts: number }): Promise<Stack> {
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const serverUrl = process.env.DATABASE_URL;
  const runId = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const databaseUrls: Partial<Record<SubgraphName, string>> = serverUrl
    ? await ensureServiceDatabases(serverUrl, runId, SUBGRAPH_NAMES)
    : {};

  // Channels of this run only: the machine's Redis is shared with other runs and leftovers.
  const eventsChannelPrefix = `${runId}:`;
  const common = (name: SubgraphName) => ({
    nodeEnv: 'test' as const,
    databaseUrl: databaseUrls[name],
    dataDir: 'memory://',
    internalTokenSecret: TEST_SECRETS.internalToken,
    seed: 'demo' as const,
    seedProducts: options.seedProducts,
    log: log.child({ service: name }),
    redisUrl: process.env.REDIS_URL,
    eventsChannelPrefix,
    redisKeyPrefix: eventsChannelPrefix,
  });

  const services: SubgraphService<unknown>[] = [];
  const urls: Partial<Record<SubgraphName, string>> = {};
  const extras: Partial<Record<SubgraphName, object>> = {};
  const start = async (name: SubgraphName) => {
    const registry = subgraphRegistry({
      userTokenSecret: TEST_SECRETS.userToken,
      internalTokenSecret: TEST_SECRETS.internalToken,
      productsUrl: urls.products ?? 'http://127.0.0.1:1/unused',
      inventoryUrl: (urls.inventory ?? 'http://127.0.0.1:1/unused').replace(/\/graphql$/, ''),
      // Relays are woken by every status change; slow polls keep background statements rare.
      orders: { RECOVERY_INTERVAL_MS: 30_000, RECOVERY_GRACE_MS: 10_000, OUTBOX_INTERVAL_MS: 5_000 },
      reviews: { OUTBOX_INTERVAL_MS: 5_000 },
      inventory: { OUTBOX_INTERVAL_MS: 5_000 },
      // Without Redis no event crosses services, so the change feeds are what keeps the catalog's
      // copies current there: read often (tests wait for them), and cheap when nothing changed.
      products: { CATALOG_SYNC_INTERVAL_MS: 1_000, REVIEWS_URL: 'http://127.0.0.1:1' },
    });
    const { definition, extra } = registry[name];
    extras[name] = extra;
    const service = await createSubgraph(definition, { ...common(name), extra });
    services.push(service);
    urls[name] = `${(await service.listen(0)).url}/graphql`;
  };
  // Products and inventory first: reviews and orders call them.
  await Promise.all([start('products'), start('inventory')]);
  await Promise.all(SUBGRAPH_NAMES.filter((name) => name !== 'products' && name !== 'inventory').map(start));
  // Products reads inventory's and reviews' change feeds, and reviews calls products: on ephemeral
  // ports one of them learns the other's address late. Products reads these at every sync.
  Object.assign(extras.products!, { INVENTORY_URL: urls.inventory!.replace(/\/graphql$/, ''), REVIEWS_URL: urls.reviews!.replace(/\/graphql$/, '') });

  const gateway = await createGateway({
    supergraphSdl: await readFile(repoPath('supergraph.graphql'), 'utf8'),
    subgraphUrls: urls as Record<string, string>,
    userTokenSecret: TEST_SECRETS.userToken,
    internalTokenSecret: TEST_SECRETS.internalToken,
    development: false,
    log: log.child({ service: 'gateway' }),
    redisUrl: process.env.REDIS_URL,
    redisKeyPrefix: eventsChannelPrefix,
    // Generous: the tests and benchmarks send bursts from few users; limits have their own tests.
    rateLimit: { pointsPerMinute: 1_000_000, whenRedisDown: 'open' },
    // Likewise: every test signs up from 127.0.0.1; tests/security/account-enumeration.test.ts tests the budgets.
    credentialAttempts: { perIp: 1_000_000, perEmail: 1_000_000, windowSeconds: 900 },
    // Off here: many tests change data behind the API's back (SQL) and read it back through it.
    // tests/e2e/response-cache.test.ts runs gateways of its own with the cache on.
    responseCache: false,
    trustedDocuments: {
      lists: persistedLists(),
      partnerKeys: new Map([[TEST_SECRETS.partnerApiKey, 'partner-catalog']]),
    },
  });
  const gatewayServer = await gateway.listen(0);

  const subgraphs = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => {
      const service = services.find((s) => s.name === name)!;
      return [name, { url: urls[name]!, databaseUrl: service.database.connectionString }];
    }),
  ) as StackInfo['subgraphs'];

  return {
    gatewayUrl: `${gatewayServer.url}/graphql`,
    subgraphs,
    secrets: TEST_SECRETS,
    seedProducts: options.seedProducts,
    redisUrl: process.env.REDIS_URL,
    eventsChannelPrefix,
    async close() {
      await gateway.close();
      await Promise.all(services.map((s) => s.close()));
      if (serverUrl) await dropServiceDatabases(serverUrl, runId, SUBGRAPH_NAMES);
    },
  };
}
