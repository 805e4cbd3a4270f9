import pg from 'pg';

/**
 * Per-service databases on one PostgreSQL server (development and tests): the server URL's
 * database is only used to create `<prefix>_<service>` databases, one per subgraph, so that
 * each subgraph keeps its own database as it would in production.
 */
export async function ensureServiceDatabases(serverUrl: string, prefix: string, services: readonly string[]): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const urls: Record<string, string> = {};
    for (const service of services) {
      const name = `${prefix}_${service}`;
      if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`Unsafe database name ${name}`);
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
      urls[service] = withDatabase(serverUrl, name);
    }
    return urls;
  } finally {
    await client.end();
  }
}

export async function dropServiceDatabases(serverUrl: string, prefix: string, services: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (const service of services) await client.query(`DROP DATABASE IF EXISTS "${prefix}_${service}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
