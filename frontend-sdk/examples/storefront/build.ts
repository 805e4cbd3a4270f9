// The storefront's production build (Vite), called by scripts/build.ts (`npm run build`, postinstall)
// and by `npm start` when a source is newer than the build. Vite prints each file's gzip size and
// the budget plugin (budget.ts) the total, failing the build above it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STOREFRONT_DIR = fileURLToPath(new URL('.', import.meta.url));
export const STOREFRONT_DIST = join(STOREFRONT_DIR, 'dist');
/** The SDK's sources are bundled in too: a new operation or client change means a new build. */
const SDK_SRC = fileURLToPath(new URL('../../src', import.meta.url));
const INPUTS = [join(STOREFRONT_DIR, 'src'), join(STOREFRONT_DIR, 'index.html'), join(STOREFRONT_DIR, 'vite.config.ts'), join(STOREFRONT_DIR, 'budget.ts'), join(STOREFRONT_DIR, 'package.json'), SDK_SRC];

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestMtime(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** True when there is no build, or a source is newer than it. */
export async function storefrontIsStale(): Promise<boolean> {
  const builtAt = await stat(join(STOREFRONT_DIST, 'index.html')).then((s) => s.mtimeMs, () => 0);
  if (builtAt === 0) return true;
  const times = await Promise.all(INPUTS.map(newestMtime));
  return times.some((t) => t > builtAt);
}

export async function buildStorefront(options: { quiet?: boolean } = {}): Promise<{ ms: number }> {
  const started = performance.now();
  // Its own process with NODE_ENV=production: Vite and the React plugin pick React's development
  // build (jsxDEV, dev warnings) when the building process runs with NODE_ENV=test or development,
  // as the tests and `npm start` may. It also keeps Vite out of the launcher's process.
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const child = spawn(process.execPath, [vite, 'build', '--logLevel', options.quiet ? 'warn' : 'info'], {
    cwd: STOREFRONT_DIR,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new Error(`the storefront build failed (${signal ?? `exit code ${code}`}); Vite's output is above`);
  return { ms: Math.round(performance.now() - started) };
}
