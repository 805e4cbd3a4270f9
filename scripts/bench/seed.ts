// `npm run bench:seed`: how long migrating + seeding every subgraph takes at 2,000 and 100,000
// products, on fresh databases (PostgreSQL when DATABASE_URL is set, in-memory PGlite otherwise).
// Usage: npm run bench:seed [-- 2000 100000]
import { pino } from 'pino';
import { createSubgraph } from '@supergraph/service-kit';
import { dropServiceDatabases } from '../local-databases.ts';
import { localDatabaseOf } from '../service-databases.ts';
import { SUBGRAPH_NAMES } from '../services.ts';
import { subgraphRegistry } from '../subgraph-registry.ts';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const serverUrl = process.env.DATABASE_URL;
const registry = subgraphRegistry({ userTokenSecret: 'x'.repeat(32), internalTokenSecret: 'x'.repeat(32), productsUrl: 'http://127.0.0.1:1', inventoryUrl: 'http://127.0.0.1:1' });
console.log(`database: ${serverUrl ? 'PostgreSQL' : 'embedded PGlite (in memory)'}`);

for (const products of sizes.length > 0 ? sizes : [2_000, 100_000]) {
  const prefix = `bench_seed_${Date.now().toString(36)}`;
  const databases = await localDatabaseOf(SUBGRAPH_NAMES, { serverUrl, prefix, dataDir: 'memory://' });
  const timings: Record<string, string> = {};
  const started = Date.now();
  try {
    for (const name of SUBGRAPH_NAMES) {
      const t0 = Date.now();
      const service = await createSubgraph(registry[name].definition, {
        nodeEnv: 'test',
        databaseUrl: databases[name].databaseUrl,
        dataDir: 'memory://',
        internalTokenSecret: 'x'.repeat(32),
        seed: 'demo',
        seedProducts: products,
        extra: registry[name].extra,
        log: pino({ level: 'warn' }),
      });
      timings[name] = `${((Date.now() - t0) / 1000).toFixed(2)} s ${JSON.stringify(service.seeded ?? {})}`;
      await service.close();
    }
  } finally {
    if (serverUrl) await dropServiceDatabases(serverUrl, prefix, SUBGRAPH_NAMES);
  }
  console.log(`\n${products} products: ${((Date.now() - started) / 1000).toFixed(2)} s in all (sequential, migrations included)`);
  for (const [name, timing] of Object.entries(timings)) console.log(`  ${name.padEnd(10)} ${timing}`);
}
