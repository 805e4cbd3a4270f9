import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Pinned: the bench compares against these releases (not project dependencies: CI never installs them). */
export const HIVE_PACKAGES = { '@graphql-hive/gateway': '2.15.1', '@graphql-hive/router-runtime': '1.4.23' } as const;

const installedVersion = (dir: string, pkg: string) => {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
};

/** Installs Hive Gateway into `dir` (a gitignored cache) unless it is there already; returns why not when it fails. */
export async function ensureHive(dir: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const missing = Object.entries(HIVE_PACKAGES).filter(([pkg, version]) => installedVersion(dir, pkg) !== version);
  if (!missing.length) return { ok: true };
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{ "name": "bench-hive-gateway", "private": true }\n');
  console.log(`installing ${missing.map(([p, v]) => `${p}@${v}`).join(' ')} into ${dir} (once; BENCH_HIVE=0 skips Hive)…`);
  try {
    await promisify(execFile)(
      'npm',
      ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', ...Object.entries(HIVE_PACKAGES).map(([p, v]) => `${p}@${v}`)],
      { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    return { ok: false, reason: `npm install failed: ${(e.stderr || e.message).trim().split('\n').slice(-5).join(' | ')}` };
  }
  const still = Object.entries(HIVE_PACKAGES).filter(([pkg, version]) => installedVersion(dir, pkg) !== version);
  return still.length ? { ok: false, reason: `not installed after npm install: ${still.map(([p]) => p).join(', ')}` } : { ok: true };
}
