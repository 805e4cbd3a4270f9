import { ensureServiceDatabases } from './local-databases.ts';
import { repoPath } from './paths.ts';
import type { SubgraphName } from './services.ts';

/**
 * Where each service's database is for the local tools: a `<prefix>_<service>` database on the
 * PostgreSQL server named by DATABASE_URL, or the embedded PGlite folder `npm start` uses.
 */
export async function localDatabaseOf<Name extends string = SubgraphName>(
  names: readonly Name[],
  options: { serverUrl?: string | undefined; prefix: string; dataDir?: string },
): Promise<Record<Name, { databaseUrl?: string; dataDir: string }>> {
  const urls = options.serverUrl ? await ensureServiceDatabases(options.serverUrl, options.prefix, names) : {};
  return Object.fromEntries(
    names.map((name) => [name, { databaseUrl: urls[name], dataDir: options.dataDir ?? repoPath('.data', name) }]),
  ) as Record<Name, { databaseUrl?: string; dataDir: string }>;
}
