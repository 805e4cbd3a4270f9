// `npm run migrate`: applies every service's pending migrations, without starting anything.
import { applyMigrations, openDatabase } from '@supergraph/service-kit';
import { repoPath } from './paths.ts';
import { ensureServiceDatabases } from './local-databases.ts';
import { DATABASE_SERVICES } from './services.ts';

const serverUrl = process.env.DATABASE_URL;
const prefix = process.env.DATABASE_PREFIX ?? 'supergraph';
const urls = serverUrl ? await ensureServiceDatabases(serverUrl, prefix, DATABASE_SERVICES.map((s) => s.name)) : {};
for (const service of DATABASE_SERVICES) {
  const location = await openDatabase({ url: urls[service.name], dataDir: repoPath('.data', service.dataDir) });
  try {
    const result = await applyMigrations(location.connectionString, repoPath(service.migrations));
    console.log(`${service.name.padEnd(10)} applied ${result.applied.length}, already applied ${result.alreadyApplied.length}`);
  } finally {
    await location.close();
  }
}
