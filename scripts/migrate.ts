// `npm run migrate`: applies every subgraph's pending migrations, without starting anything.
import { applyMigrations, openDatabase } from '@supergraph/service-kit';
import { repoPath } from './paths.ts';
import { localDatabaseOf } from './service-databases.ts';
import { SUBGRAPH_NAMES } from './services.ts';

const databases = await localDatabaseOf(SUBGRAPH_NAMES, { serverUrl: process.env.DATABASE_URL, prefix: process.env.DATABASE_PREFIX ?? 'supergraph' });
for (const name of SUBGRAPH_NAMES) {
  const location = await openDatabase({ url: databases[name].databaseUrl, dataDir: databases[name].dataDir });
  try {
    const result = await applyMigrations(location.connectionString, repoPath('subgraphs', name, 'prisma', 'migrations'));
    console.log(`${name.padEnd(10)} applied ${result.applied.length}, already applied ${result.alreadyApplied.length}`);
  } finally {
    await location.close();
  }
}
