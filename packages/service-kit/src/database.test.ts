// The embedded default's data folder can outlive the PGlite that made it: a folder from another
// PostgreSQL major version must fail with an error that says so and what to do, not PGlite's bare
// "failed to initialize properly".
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.ts';

let dataDir: string;
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('openDatabase (embedded)', () => {
  it('names the PostgreSQL version a folder was made by when it cannot open it', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'old-embedded-'));
    await writeFile(join(dataDir, 'PG_VERSION'), '16\n');
    await expect(openDatabase({ dataDir })).rejects.toThrow(new RegExp(`embedded database in ${dataDir} could not be opened .*made by PostgreSQL 16.*move the folder aside`));
  }, 60_000);
});
