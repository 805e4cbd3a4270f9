import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Logger } from './logger.ts';

/**
 * Where a service's database is. With a URL it is a real PostgreSQL server; without one it is
 * the embedded default: PGlite on disk (or in memory), served over the Postgres wire protocol on
 * an ephemeral loopback port, so Prisma and `pg` reach it exactly as they reach PostgreSQL.
 */
export interface DatabaseLocation {
  connectionString: string;
  /** PGlite runs one session: every connection shares it, so transactions need a pool of one. */
  poolMax: number;
  embedded: boolean;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  url?: string | undefined;
  /** PGlite data folder for the embedded default; `memory://` keeps nothing. */
  dataDir: string;
  poolMax?: number;
  log?: Logger;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseLocation> {
  if (options.url) {
    return { connectionString: options.url, poolMax: options.poolMax ?? 10, embedded: false, close: async () => {} };
  }
  if (!options.dataDir.startsWith('memory://')) await mkdir(options.dataDir, { recursive: true });
  // pg_trgm ships with real PostgreSQL's contrib; PGlite must load it before a migration can
  // CREATE EXTENSION it (the products catalog's typo-tolerant search, ADR 0016).
  const db = await PGlite.create({ dataDir: options.dataDir, extensions: { pg_trgm } }).catch(async (error: Error) => {
    throw new Error(await whyNotOpened(options.dataDir, error), { cause: error });
  });
  // Never a fixed port: 5432 belongs to the machine's PostgreSQL.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
  await server.start();
  options.log?.info({ dataDir: options.dataDir, address: server.getServerConn() }, 'embedded PGlite database started');
  return {
    connectionString: `postgresql://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`,
    poolMax: 1,
    embedded: true,
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/**
 * PGlite says only "failed to initialize properly" (the reason goes to its debug output). The
 * common reason is a folder made by another PGlite on another PostgreSQL major version.
 */
async function whyNotOpened(dataDir: string, error: Error): Promise<string> {
  const major = await readFile(join(dataDir, 'PG_VERSION'), 'utf8').then((text) => text.trim(), () => undefined);
  const base = `the embedded database in ${dataDir} could not be opened (${error.message})`;
  if (major === undefined) return base;
  return (
    `${base}. Its files were made by PostgreSQL ${major}; if this PGlite runs another major version, it cannot open them: ` +
    'move the folder aside to start with a fresh database (`npm start` does this itself and says where it put the old one)'
  );
}
