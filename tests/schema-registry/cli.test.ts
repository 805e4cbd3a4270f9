import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../scripts/paths.ts';
import { edit, REGISTRY_TEST_TOKENS, repoSubgraph, startRegistry, type TestRegistry, withoutField } from '../support/registry.ts';
import { persistedList } from '@supergraph/sdk/persisted-lists';

/** `npm run registry -- …` as CI runs it: a separate process whose exit code gates the pipeline. */
let registry: TestRegistry;
let dir: string;

const cli = (...args: string[]) => cliWith(REGISTRY_TEST_TOKENS.publisher, ...args);

function cliWith(token: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', repoPath('schema-registry', 'src', 'cli', 'main.ts'), ...args],
      { cwd: repoPath(), env: { ...process.env, REGISTRY_URL: registry.url, REGISTRY_TOKEN: token, REGISTRY_AUTHOR: 'ci-bot', INIT_CWD: repoPath() } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A port nothing listens on. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

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
    // supergraph.yaml routes to the development ports, where nothing of this test runs: the deploy follows.
    const published = await cli('publish', '--config', 'supergraph.yaml', '--deploy-follows');
    expect(published).toMatchObject({ code: 0 });
    expect(published.stdout).toContain('supergraph version 1 is now current');
    expect(published.stdout).toContain('Not checked against what products, users, orders, inventory, reviews serve(s) (--deploy-follows)');
    // The list this build's SDK holds (what ships), and a partner's from a file in Apollo's format.
    const registered = await cli('operations', 'storefront', '--sdk');
    expect(registered.code).toBe(0);
    expect(registered.stdout).toContain('storefront operation list version 1');
    const manifest = join(dir, 'partner-catalog.json');
    await writeFile(manifest, JSON.stringify(persistedList('partner-catalog')));
    const fromFile = await cli('operations', 'partner-catalog', '--manifest', manifest);
    expect(fromFile.stdout).toContain('partner-catalog operation list version 1');
    const served = (await (await fetch(`${registry.url}/v1/operations`, { headers: { authorization: `Bearer ${REGISTRY_TEST_TOKENS.gateway}` } })).json()) as {
      lists: Record<string, { manifest: { operations: Array<{ id: string }> } }>;
    };
    expect(served.lists.storefront!.manifest.operations.map((o) => o.id).sort()).toEqual(persistedList('storefront').operations.map((o) => o.id).sort());
    expect((await cli('operations', 'nobody', '--sdk')).code).toBe(2);
    // A list that drops an operation clients may still send: refused (exit 1) and named, unless --force.
    const shorter = persistedList('partner-catalog');
    const droppedName = shorter.operations.shift()!.name;
    await writeFile(manifest, JSON.stringify(shorter));
    const refused = await cli('operations', 'partner-catalog', '--manifest', manifest);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('OPERATIONS_REMOVED');
    expect(refused.stderr).toContain(`Dropped: ${droppedName}`);
    const forced = await cli('operations', 'partner-catalog', '--manifest', manifest, '--force');
    expect(forced.stdout).toContain('partner-catalog operation list version 2');
  });

  it('fails a check (exit 1) that breaks a registered operation, naming the client and operation', async () => {
    const file = await schemaFile('products-no-slug', withoutField(await repoSubgraph('products'), 'Category', 'slug'));
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

  it('says where it could not reach a registry, and what to check (exit 2)', async () => {
    const port = await closedPort();
    const down = await cli('history', '--registry', `http://127.0.0.1:${port}`);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(`cannot reach the registry at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(down.stderr).toContain('REGISTRY_URL');
    const notUrl = await cli('history', '--registry', 'registry.internal');
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toContain('--registry (or REGISTRY_URL) is not a URL: "registry.internal"');
  });

  it('shows history and rolls back', async () => {
    const file = await schemaFile('users-v2', edit(await repoSubgraph('users'), /\n  "When the account was created, ISO 8601."\n  createdAt: String!/, ''));
    expect((await cli('publish', 'users', '--schema', file, '--deploy-follows')).code).toBe(0);
    const history = await cli('history', 'users');
    expect(history.stdout).toMatch(/^\* v2 .* ci-bot /m);
    const rollback = await cli('rollback', 'users', '--to', '1');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain('supergraph version 3 is now current');
    expect((await cli('history')).stdout).toMatch(/^\* #3 .* rollback users {2}by ci-bot/m);
  });

  it('refuses a publisher’s routing-URL change (exit 1, FORBIDDEN: an admin must) and shows an admin’s as a routing-URL change', async () => {
    const users = 'subgraphs/users/src/schema.graphql';
    const change = '⇄ ROUTING URL users: http://localhost:4002/graphql → http://127.0.0.1:4012/graphql';
    const refused = await cli('publish', 'users', '--schema', users, '--url', 'http://127.0.0.1:4012/graphql');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^FORBIDDEN: .*routing URL of users.*an admin must make this change/m);
    expect(refused.stderr).toContain(change);

    const published = await cliWith(REGISTRY_TEST_TOKENS.admin, 'publish', 'users', '--schema', users, '--url', 'http://127.0.0.1:4012/graphql', '--deploy-follows');
    expect(published.code).toBe(0);
    expect(published.stdout).toContain(change);
    expect((await cli('history')).stdout).toContain(change);
    expect((await cliWith(REGISTRY_TEST_TOKENS.admin, 'publish', 'users', '--schema', users, '--url', 'http://localhost:4002/graphql', '--deploy-follows')).code).toBe(0);
  });

  it('refuses (exit 1) to publish a subgraph it cannot ask for its served schema, and says what to do; --deploy-follows publishes it', async () => {
    const file = await schemaFile('wishlists', 'type Query { wishlist: [String!] }');
    const closed = `http://127.0.0.1:${await closedPort()}/graphql`;
    const refused = await cli('publish', 'wishlists', '--schema', file, '--url', closed);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^SUBGRAPH_UNREACHABLE: wishlists at .* could not be asked for its schema: unreachable \(ECONNREFUSED\)\. Deploy the subgraph first, then publish; .*--deploy-follows/m);
    expect((await cli('history', 'wishlists')).code).toBe(2); // nothing was published (NOT_FOUND)

    const ahead = await cli('publish', 'wishlists', '--schema', file, '--url', closed, '--deploy-follows');
    expect(ahead.code).toBe(0);
    expect(ahead.stdout).toContain('! Not checked against what wishlists serve(s) (--deploy-follows): deploy now');
  });

  it('creates (shown once), lists and revokes partner keys with an admin token', async () => {
    const admin = (...args: string[]) => cliWith(REGISTRY_TEST_TOKENS.admin, ...args);
    const created = await admin('partner-key', 'create', 'partner-catalog');
    expect(created.code).toBe(0);
    const key = /(sgpk_\S+)/.exec(created.stdout)![1]!;
    expect(created.stdout).toContain('Shown once');
    const id = /#(\d+)/.exec(created.stdout)![1]!;
    const listed = await admin('partner-key', 'list');
    expect(listed.stdout).toMatch(new RegExp(`^#${id}  partner-catalog  created .*  active$`, 'm'));
    expect(listed.stdout).not.toContain(key);
    expect((await admin('partner-key', 'revoke', id)).code).toBe(0);
    expect((await admin('partner-key', 'list', 'partner-catalog')).stdout).toMatch(new RegExp(`^#${id} .* REVOKED `, 'm'));
    const notAdmin = await cli('partner-key', 'create', 'partner-catalog');
    expect([notAdmin.code, notAdmin.stderr]).toEqual([1, expect.stringContaining('FORBIDDEN')]);
  });
});
