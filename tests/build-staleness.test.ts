// A bundle is rebuilt only when it is older than a source it was built from (scripts/build.ts
// skips the others; `npm start` and `npm run registry` rebuild a stale entry before running it).
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStale } from '../scripts/run-built.mjs';

let root: string;
const outfile = () => join(root, 'dist', 'index.js');
const at = (path: string, seconds: number) => utimes(path, seconds, seconds);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'build-staleness-'));
  await writeFile(join(root, 'a.ts'), 'export {};');
  await writeFile(join(root, 'b.ts'), 'export {};');
  await mkdir(join(root, 'dist'));
  await writeFile(outfile(), '');
  await writeFile(join(root, 'dist', 'index.inputs.json'), JSON.stringify({ entry: 'a.ts', inputs: ['a.ts', 'b.ts'] }));
  await at(join(root, 'a.ts'), 1_000);
  await at(join(root, 'b.ts'), 1_000);
  await at(outfile(), 2_000);
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('build staleness', () => {
  it('is fresh when every listed source is older than the bundle', () => {
    expect(isStale(outfile(), root)).toBe(false);
  });

  it('is stale when one listed source is newer than the bundle', async () => {
    await at(join(root, 'b.ts'), 3_000);
    expect(isStale(outfile(), root)).toBe(true);
  });

  it('is stale when a listed source is gone, the bundle is missing, or its inputs list is', async () => {
    await rm(join(root, 'b.ts'));
    expect(isStale(outfile(), root)).toBe(true);
    await writeFile(join(root, 'b.ts'), '');
    await at(join(root, 'b.ts'), 1_000);
    await rm(join(root, 'dist', 'index.inputs.json'));
    expect(isStale(outfile(), root)).toBe(true);
    await rm(outfile());
    expect(isStale(outfile(), root)).toBe(true);
  });
});
