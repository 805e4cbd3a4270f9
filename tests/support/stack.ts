import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { createSubgraph, type SubgraphService } from '@supergraph/service-kit';
import { createGateway } from '../../gateway/src/server.ts';
import { productsSubgraph } from '../../subgraphs/products/src/subgraph.ts';
import { usersSubgraph } from '../../subgraphs/users/src/subgraph.ts';
import { ordersSubgraph } from '../../subgraphs/orders/src/subgraph.ts';
import { inventorySubgraph } from '../../subgraphs/inventory/src/subgraph.ts';
import { reviewsSubgraph } from '../../subgraphs/reviews/src/subgraph.ts';
import { dropServiceDatabases, ensureServiceDatabases } from '../../scripts/local-databases.ts';
import { repoPath } from '../../scripts/paths.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../scripts/services.ts';

/**
 * The whole supergraph in one process on ephemeral ports, for end-to-end tests: real HTTP
 * between gateway and subgraphs, each subgraph on its own fresh database: a new PostgreSQL
 * database per run when DATABASE_URL is set (CI), in-memory PGlite otherwise.
 */
export const TEST_SECRETS = {
  userToken: 'test-user-token-secret-0123456789abcdef',
  internalToken: 'test-internal-token-secret-0123456789abcdef',
};

export interface StackInfo {
  gatewayUrl: string;
  subgraphs: Record<SubgraphName, { url: string; databaseUrl: string }>;
  secrets: typeof TEST_SECRETS;
  seedProducts: number;
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

  const common = (name: SubgraphName) => ({
    nodeEnv: 'test' as const,
    databaseUrl: databaseUrls[name],
    dataDir: 'memory://',
    internalTokenSecret: TEST_SECRETS.internalToken,
    seed: 'demo' as const,
    seedProducts: options.seedProducts,
    log: log.child({ service: name }),
  });

  const services: SubgraphService<unknown>[] = [];
  const urls: Partial<Record<SubgraphName, string>> = {};
  const start = async (service: SubgraphService<unknown>, name: SubgraphName) => {
    services.push(service);
    urls[name] = `${(await service.listen(0)).url}/graphql`;
    return service;
  };
  // Products first: reviews checks products exist through it.
  await start(await createSubgraph(productsSubgraph, { ...common('products'), extra: {} }), 'products');
  await Promise.all([
    createSubgraph(usersSubgraph, { ...common('users'), extra: { JWT_SECRET: TEST_SECRETS.userToken } }).then((s) => start(s, 'users')),
    createSubgraph(ordersSubgraph, { ...common('orders'), extra: {} }).then((s) => start(s, 'orders')),
    createSubgraph(inventorySubgraph, { ...common('inventory'), extra: {} }).then((s) => start(s, 'inventory')),
    createSubgraph(reviewsSubgraph, {
      ...common('reviews'),
      extra: { PRODUCTS_SUBGRAPH_URL: urls.products!, INTERNAL_TOKEN_SECRET: TEST_SECRETS.internalToken },
    }).then((s) => start(s, 'reviews')),
  ]);

  const gateway = await createGateway({
    supergraphSdl: await readFile(repoPath('supergraph.graphql'), 'utf8'),
    subgraphUrls: urls as Record<string, string>,
    userTokenSecret: TEST_SECRETS.userToken,
    internalTokenSecret: TEST_SECRETS.internalToken,
    development: false,
    log: log.child({ service: 'gateway' }),
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
    async close() {
      await gateway.close();
      await Promise.all(services.map((s) => s.close()));
      if (serverUrl) await dropServiceDatabases(serverUrl, runId, SUBGRAPH_NAMES);
    },
  };
}
