import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../scripts/paths.ts';
import { edit, REGISTRY_TEST_TOKENS, repoSubgraph, startRegistry, type TestRegistry } from '../support/registry.ts';

/** `npm run registry -- …` as CI runs it: a separate process whose exit code gates the pipeline. */
let registry: TestRegistry;
let dir: string;

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', repoPath('schema-registry', 'src', 'cli', 'main.ts'), ...args],
      { cwd: repoPath(), env: { ...process.env, REGISTRY_URL: registry.url, REGISTRY_TOKEN: REGISTRY_TEST_TOKENS.publisher, REGISTRY_AUTHOR: 'ci-bot', INIT_CWD: repoPath() } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function schemaFile(name: string, sdl: string): Promise<string> {
  const file = join(dir, `${name}.graphql`);
  await writeFile(file, sdl);
  return file;
}

beforeAll(async () => {
  registry = await startRegistry();
  dir = await mkdtemp(join(tmpdir(), 'registry-cli-'));
});

describe('the registry CLI', () => {
  it('publishes a supergraph config and registers an operation list', async () => {
    const published = await cli('publish', '--config', 'supergraph.yaml');
    expect(published).toMatchObject({ code: 0 });
    expect(published.stdout).toContain('supergraph version 1 is now current');
    const registered = await cli('operations', 'storefront', '--manifest', 'gateway/persisted-operations/storefront.json');
    expect(registered.code).toBe(0);
    expect(registered.stdout).toContain('storefront operation list version 1');
  });

  it('fails a check (exit 1) that breaks a registered operation, naming the client and operation', async () => {
    const file = await schemaFile('products-no-slug', edit(await repoSubgraph('products'), /\n  slug: String!/, ''));
    const result = await cli('check', 'products', '--schema', file);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAILED');
    expect(result.stdout).toMatch(/✗ BREAKING .*Category\.slug.*used by .*storefront\/ProductPage/);
    expect(result.stdout).toMatch(/storefront ProductPage: /);
  });

  it('passes a check (exit 0) that only removes a field nobody uses, and says why it is safe', async () => {
    const file = await schemaFile('users', edit(await repoSubgraph('users'), /\n  "When the account was created, ISO 8601."\n  createdAt: String!/, ''));
    const result = await cli('check', 'users', '--schema', file, '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: true, brokenOperations: [], changes: [{ path: 'User.createdAt', level: 'safe', safeBasedOnUsage: true }] });
  });

  it('exits 1 with the composition error when a publish does not compose, and 2 on misuse', async () => {
    const file = await schemaFile('products-broken', edit(await repoSubgraph('products'), 'type Query {', 'type Query {\n  featured: FeaturedShelf'));
    const refused = await cli('publish', 'products', '--schema', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('COMPOSITION_FAILED');
    expect(refused.stderr).toContain('Unknown type FeaturedShelf');
    expect((await cli('publish', 'products')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
  });

  it('shows history and rolls back', async () => {
    const file = await schemaFile('users-v2', edit(await repoSubgraph('users'), /\n  "When the account was created, ISO 8601."\n  createdAt: String!/, ''));
    expect((await cli('publish', 'users', '--schema', file)).code).toBe(0);
    const history = await cli('history', 'users');
    expect(history.stdout).toMatch(/^\* v2 .* ci-bot /m);
    const rollback = await cli('rollback', 'users', '--to', '1');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain('supergraph version 3 is now current');
    expect((await cli('history')).stdout).toMatch(/^\* #3 .* rollback users {2}by ci-bot/m);
  });
});
