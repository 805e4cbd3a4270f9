// openDatabase: the embedded default's settings; its data folder, which can outlive the PGlite
// that made it (a folder from another PostgreSQL major version must fail with an error that says
// so and what to do, not PGlite's bare "failed to initialize properly"); and a URL whose server is
// still starting.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../tests/support/processes.ts';
import { embeddedDatabaseUrl, openDatabase } from './database.ts';

let dataDir: string;
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('openDatabase (embedded)', () => {
  it('opens with shared memory sized for one development session, not for a server', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'embedded-'));
    const database = await openDatabase({ dataDir });
    const client = new pg.Client({ connectionString: database.connectionString });
    try {
      await client.connect();
      const { rows } = await client.query<{ shared_buffers: string; max_connections: string }>(
        "SELECT current_setting('shared_buffers') AS shared_buffers, current_setting('max_connections') AS max_connections",
      );
      expect(rows[0]).toEqual({ shared_buffers: '16MB', max_connections: '10' });
    } finally {
      await client.end();
      await database.close();
    }
  }, 60_000);

  it('names the PostgreSQL version a folder was made by when it cannot open it', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'old-embedded-'));
    await writeFile(join(dataDir, 'PG_VERSION'), '16\n');
    await expect(openDatabase({ dataDir })).rejects.toThrow(new RegExp(`embedded database in ${dataDir} could not be opened .*made by PostgreSQL 16.*move the folder aside`));
  }, 60_000);
});

describe('openDatabase (a URL whose server is still starting)', () => {
  it('waits up to DATABASE_WAIT_MS for the server to accept connections, and fails at once without it', async () => {
    const port = await freePort();
    const url = embeddedDatabaseUrl(`127.0.0.1:${port}`);
    await expect(openDatabase({ url, dataDir: 'unused' })).resolves.toMatchObject({ connectionString: url });

    await expect(openDatabase({ url, dataDir: 'unused', waitMs: 300 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const waiting = openDatabase({ url, dataDir: 'unused', waitMs: 60_000 });
    let settled = false;
    void waiting.finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(settled).toBe(false);
    const server = await openDatabase({ dataDir: 'memory://', port });
    try {
      await expect(waiting).resolves.toMatchObject({ connectionString: url });
    } finally {
      await server.close();
    }
  }, 60_000);

  it('does not wait for what waiting cannot fix (a server that is not PostgreSQL)', async () => {
    const notPostgres = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => notPostgres.listen(0, '127.0.0.1', resolve));
    const { port } = notPostgres.address() as { port: number };
    try {
      // Were it waited for, this would outlast the test's timeout.
      await expect(openDatabase({ url: embeddedDatabaseUrl(`127.0.0.1:${port}`), dataDir: 'unused', waitMs: 600_000 })).rejects.toThrow(/terminated|closed|ECONNRESET/i);
    } finally {
      notPostgres.close();
    }
  }, 30_000);
});
