// The code-cache runner as a service's built entry uses it: an entry built from
// scripts/code-cache-entry.ts runs a CommonJS bundle (built from TypeScript, with a source map)
// in a child process, as `node --enable-source-maps dist/index.js` does.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_CACHE_BUNDLE_OPTIONS } from './build.ts';
import { repoPath } from './paths.ts';

let dir: string;
let bundleName: string;

const FIXTURE = `
export function describeStack(): string {
  return new Error('where am I').stack ?? '';
}
function failAtStart(): never {
  throw new Error('uncaught at start');
}
// A service whose start fails exits 1 (runService does).
if (process.env.FAIL_START) process.exit(1);
if (process.env.THROW_AT_START) failAtStart();
// Read as the bundle starts, before its source map is.
const early = describeStack();
// As the services' logger asks before it writes an error's stack: its own copy of the module, as a service bundle has.
import { sourceMapsNow as mapNow } from '${repoPath('packages/service-kit/src/source-maps.ts')}';
// A dynamic import of an ES-module-only package outside the bundle (as PGlite and Prisma's query compiler are).
import('esm-only-dependency').then((module: { answer: number }) => {
  const report = (stack: string) => console.log(JSON.stringify({ answer: module.answer, early, stack }));
  if (process.env.WAIT_MS) setTimeout(() => report(describeStack()), Number(process.env.WAIT_MS));
  else {
    mapNow();
    report(describeStack());
  }
});
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'code-cache-'));
  await writeFile(join(dir, 'fixture.ts'), FIXTURE);
  await mkdir(join(dir, 'node_modules/esm-only-dependency'), { recursive: true });
  await writeFile(join(dir, 'node_modules/esm-only-dependency/package.json'), '{ "type": "module", "exports": { "default": "./index.js" } }\n');
  await writeFile(join(dir, 'node_modules/esm-only-dependency/index.js'), 'export const answer = 42;\n');
  // As scripts/build.ts builds a code-cache target.
  const bundle = await esbuild.build({
    ...CODE_CACHE_BUNDLE_OPTIONS,
    entryPoints: [join(dir, 'fixture.ts')],
    outdir: dir,
    entryNames: 'index-[hash]',
    external: ['esm-only-dependency'],
    bundle: true,
    platform: 'node',
    sourcemap: 'linked',
    sourcesContent: false,
    minifyWhitespace: true,
    metafile: true,
    logLevel: 'silent',
  });
  bundleName = Object.keys(bundle.metafile.outputs).find((path) => path.endsWith('.cjs'))!.split('/').pop()!;
  await esbuild.build({
    entryPoints: [repoPath('scripts/code-cache-entry.ts')],
    outfile: join(dir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    define: { __CODE_CACHE_BUNDLE__: JSON.stringify(bundleName) },
    logLevel: 'silent',
  });
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `node --enable-source-maps index.js` in the fixture folder; its exit code and output. */
function start(extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const { NODE_OPTIONS: _loader, ...env } = process.env;
    const child = execFile(process.execPath, ['--enable-source-maps', join(dir, 'index.js')], { cwd: dir, env: { ...env, ...extraEnv } }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode ?? -1, stdout, stderr }),
    );
  });
}

/** A start that succeeds; its one line of output. */
async function run(extraEnv: Record<string, string> = {}): Promise<{ answer: number; early: string; stack: string }> {
  const { code, stdout, stderr } = await start(extraEnv);
  if (code !== 0) throw new Error(`exited ${code}: ${stderr}`);
  return JSON.parse(stdout.trim()) as { answer: number; early: string; stack: string };
}

/** Where the fixture's describeStack is, in the TypeScript source and in the bundle. */
const inSource = () => `${join(dir, 'fixture.ts')}:3:`;

const cacheFiles = async () => (await readdir(dir)).filter((name) => name.endsWith('.v8cache'));

describe('code cache runner', () => {
  it('leaves no cache after a start that failed (it would hold little of the code, and stay)', async () => {
    expect((await start({ FAIL_START: '1' })).code).toBe(1);
    expect(await cacheFiles()).toEqual([]);
  });

  it('runs the bundle, then leaves a cache named after it that the next start reads instead of writing it again', async () => {
    const first = await run();
    expect(first.answer).toBe(42);
    const [cache] = await cacheFiles();
    expect(cache).toMatch(new RegExp(`^${bundleName.replace('.', '\\.')}\\.[0-9a-f]{12}\\.v8cache$`));
    const written = await stat(join(dir, cache!));
    expect(written.size).toBeGreaterThan(0);

    const second = await run();
    expect(second.answer).toBe(42);
    // Accepted by V8: not written again.
    expect((await stat(join(dir, cache!))).mtimeMs).toBe(written.mtimeMs);
    expect(await cacheFiles()).toEqual([cache]);
  });

  it('keeps stack traces pointing at the TypeScript source when asked for first, with the cache used too', async () => {
    for (const { stack } of [await run(), await run()]) {
      expect(stack).toContain(inSource());
      expect(stack).not.toContain('.cjs:');
    }
  });

  it('reads the source map after the start, not before it: a stack read at once is the bundle\'s, one read seconds later is mapped', async () => {
    const { early, stack } = await run({ WAIT_MS: '3500' });
    expect(early).toContain(`${bundleName}:`);
    expect(early).not.toContain(inSource());
    expect(stack).toContain(inSource());
  }, 20_000);

  it('maps the stack of an exception that ends the start', async () => {
    const { code, stderr } = await start({ THROW_AT_START: '1' });
    expect(code).toBe(1);
    expect(stderr).toContain('uncaught at start');
    expect(stderr).toContain(`${join(dir, 'fixture.ts')}:6:`);
  });

  it('replaces a cache V8 refuses (here a damaged one), and the bundle still runs', async () => {
    const [cache] = await cacheFiles();
    const damaged = Buffer.from('not a code cache, but as long as one'.repeat(100));
    await writeFile(join(dir, cache!), damaged);
    expect((await run()).answer).toBe(42);
    const replaced = await readFile(join(dir, cache!));
    expect(replaced.equals(damaged)).toBe(false);
    const mtime = (await stat(join(dir, cache!))).mtimeMs;
    expect((await run()).answer).toBe(42);
    expect((await stat(join(dir, cache!))).mtimeMs).toBe(mtime);
  });
});
