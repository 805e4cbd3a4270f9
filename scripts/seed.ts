// `npm run seed`: migrates and seeds the demo data into every empty subgraph database.
// SEED_PRODUCTS sets the size (default 2,000 products; see README).
import { pino } from 'pino';
import { DEFAULT_SEED_PRODUCTS, createSubgraph } from '@supergraph/service-kit';
import { localDatabaseOf } from './service-databases.ts';
import { SUBGRAPH_NAMES } from './services.ts';
import { subgraphRegistry } from './subgraph-registry.ts';

const seedProducts = Number(process.env.SEED_PRODUCTS ?? DEFAULT_SEED_PRODUCTS);
const databases = await localDatabaseOf(SUBGRAPH_NAMES, { serverUrl: process.env.DATABASE_URL, prefix: process.env.DATABASE_PREFIX ?? 'supergraph' });
const registry = subgraphRegistry({
  userTokenSecret: process.env.JWT_SECRET ?? 'seed-does-not-sign-tokens-0123456789abcdef',
  internalTokenSecret: process.env.INTERNAL_TOKEN_SECRET ?? 'seed-does-not-sign-tokens-0123456789abcdef',
  productsUrl: 'http://127.0.0.1:4001/graphql',
  inventoryUrl: 'http://127.0.0.1:4004',
});
for (const name of SUBGRAPH_NAMES) {
  const started = Date.now();
  const service = await createSubgraph(registry[name].definition, {
    nodeEnv: 'development',
    databaseUrl: databases[name].databaseUrl,
    dataDir: databases[name].dataDir,
    internalTokenSecret: 'seed-does-not-sign-tokens-0123456789abcdef',
    seed: 'demo',
    seedProducts,
    extra: registry[name].extra,
    log: pino({ level: 'warn' }),
  });
  console.log(`${name.padEnd(10)} ${service.seeded ? JSON.stringify(service.seeded) : 'already seeded'} in ${Date.now() - started} ms`);
  await service.close();
}
