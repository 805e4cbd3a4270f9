import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  /** Connections in the pool for a URL (10 unless set); the embedded default has one session. */
  poolMax?: number;
  /**
   * With a URL: how long to wait for the server to accept connections while it refuses them (a
   * database starting beside the service, as `npm start`'s do); 0 fails at once.
   */
  waitMs?: number;
  /** Loopback port the embedded database is served on (0: any free one). */
  port?: number;
  /** PGlite's WebAssembly, compiled once for several databases in one process (scripts/embedded-databases.ts). */
  pgliteWasmModule?: WebAssembly.Module;
  log?: Logger;
}

/**
 * PostgreSQL's defaults size shared memory for a server (128 MB of buffers, 100 connections), and
 * PGlite zeroes all of it in unoptimised WebAssembly at every open: 0.4 s of a service's start here.
 * One session on a development database of tens of MB needs far less (`npm run bench:start`, ADR 0015).
 */
export const EMBEDDED_SETTINGS = ['-c', 'shared_buffers=16MB', '-c', 'max_connections=10'];

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseLocation> {
  if (options.url) {
    if (options.waitMs) await waitUntilAccepting(options.url, options.waitMs, options.log);
    return { connectionString: options.url, poolMax: options.poolMax ?? 10, embedded: false, close: async () => {} };
  }
  if (!options.dataDir.startsWith('memory://')) await mkdir(options.dataDir, { recursive: true });
  // Loaded only here: a service on PostgreSQL never pays for PGlite's modules.
  const [{ PGlite }, { pg_trgm }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('@electric-sql/pglite-socket'),
  ]);
  // pg_trgm ships with real PostgreSQL's contrib; PGlite must load it before a migration can
  // CREATE EXTENSION it (the products catalog's typo-tolerant search, ADR 0016).
  const db = await PGlite.create({
    dataDir: options.dataDir,
    extensions: { pg_trgm },
    startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS],
    ...(options.pgliteWasmModule ? { pgliteWasmModule: options.pgliteWasmModule } : {}),
  }).catch(async (error: Error) => {
    throw new Error(await whyNotOpened(options.dataDir, error), { cause: error });
  });
  // Never 5432 (the machine's PostgreSQL): a free port unless the caller chose one.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port ?? 0, maxConnections: 64 });
  await server.start();
  options.log?.info({ dataDir: options.dataDir, address: server.getServerConn() }, 'embedded PGlite database started');
  return {
    connectionString: embeddedDatabaseUrl(server.getServerConn()),
    poolMax: 1,
    embedded: true,
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}

async function waitUntilAccepting(url: string, waitMs: number, log: Logger | undefined): Promise<void> {
  const { default: pg } = await import('pg');
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      return;
    } catch (error) {
      // Only "nobody listens yet" is worth waiting for; a wrong password or database is not.
      if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || Date.now() >= deadline) throw error;
      if (attempt === 0) log?.info({ waitMs }, 'waiting for the database to accept connections');
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/** How a client reaches an embedded database served at `host:port`. */
export const embeddedDatabaseUrl = (address: string) => `postgresql://postgres:postgres@${address}/postgres?sslmode=disable`;

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
