// The build keeps some node_modules packages external (RUN_TIME_PACKAGES), so a bundle resolves them
// again at run time from its own folder. Where npm installed two copies of a package, that can be
// another copy than the one the sources (and their tests) import: the build must refuse rather than
// ship it (ADR 0022). Every other package is bundled, from where the sources import it.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { externalPackages } from '../scripts/build.ts';

let root: string;
afterEach(() => rm(root, { recursive: true, force: true }));

async function write(path: string, text: string) {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

/** A workspace like ours: a package's source imports `dup`, and its bundle is written to dist/. */
async function workspace(copies: { hoisted: string; nestedUnderPackage?: string }) {
  root = await mkdtemp(join(tmpdir(), 'build-external-'));
  await write('node_modules/dup/package.json', JSON.stringify({ name: 'dup', version: copies.hoisted, main: 'index.js' }));
  await write('node_modules/dup/index.js', `exports.version = '${copies.hoisted}';`);
  if (copies.nestedUnderPackage) {
    await write('packages/kit/node_modules/dup/package.json', JSON.stringify({ name: 'dup', version: copies.nestedUnderPackage, main: 'index.js' }));
    await write('packages/kit/node_modules/dup/index.js', `exports.version = '${copies.nestedUnderPackage}';`);
  }
  await write('packages/kit/src/index.ts', `import { version } from 'dup';\nconsole.log(version);\n`);
}

const bundle = (runTime: string[] = ['dup']) => {
  const outdir = join(root, 'service', 'dist');
  return esbuild.build({
    entryPoints: [join(root, 'packages/kit/src/index.ts')],
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    absWorkingDir: root,
    plugins: [externalPackages(outdir, runTime)],
    logLevel: 'silent',
  });
};

describe('build: external packages', () => {
  it('refuses a bundle that would load another copy of a package at run time than its sources import', async () => {
    await workspace({ hoisted: '1.0.0', nestedUnderPackage: '2.0.0' });
    await expect(bundle()).rejects.toThrow(/dup would load a different copy at run time \(node_modules\/dup\/index\.js\) than the sources import \(packages\/kit\/node_modules\/dup\/index\.js\): pin/);
  });

  it('keeps a package external when the bundle finds the same copy as its sources', async () => {
    await workspace({ hoisted: '1.0.0' });
    await bundle();
    const output = await readFile(join(root, 'service', 'dist', 'index.js'), 'utf8');
    expect(output).toMatch(/from "dup"/);
    expect(output).not.toContain("exports.version");
  });

  it('bundles a package that is not a run-time package, the copy its sources import', async () => {
    await workspace({ hoisted: '1.0.0', nestedUnderPackage: '2.0.0' });
    await bundle([]);
    const output = await readFile(join(root, 'service', 'dist', 'index.js'), 'utf8');
    expect(output).not.toMatch(/from "dup"/);
    expect(output).toMatch(/exports\.version = "2\.0\.0"/);
  });
});
