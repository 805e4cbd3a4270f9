import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { pino } from 'pino';
import { createRegistryService, type RegistryService } from '../../schema-registry/src/service.ts';
import { RegistryClient, RegistryRequestError, type SubgraphSubmission } from '../../schema-registry/src/client.ts';
import { dropServiceDatabases, ensureServiceDatabases } from '../../scripts/local-databases.ts';
import { repoPath } from '../../scripts/paths.ts';
import { SUBGRAPH_NAMES } from '../../scripts/services.ts';

export const REGISTRY_TEST_TOKENS = {
  admin: 'test-registry-admin-token-0123456789abcdef',
  publisher: 'test-registry-publish-token-0123456789abcdef',
  gateway: 'test-registry-gateway-token-0123456789abcdef',
};

export interface TestRegistry {
  url: string;
  service: RegistryService;
  /** A publisher's client. */
  client: RegistryClient;
  /** An admin's client (routing-URL changes, tokens, partner keys). */
  admin: RegistryClient;
  clientWith(token: string): RegistryClient;
  /** Stops serving (the database stays) until `restart`. */
  stop(): Promise<void>;
  restart(): Promise<void>;
}

const running: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of running.splice(0)) await close();
});

/**
 * A schema registry of a test's own on a fresh database: a new PostgreSQL database when
 * DATABASE_URL is set (CI), PGlite in a temporary folder otherwise (so that a restart keeps the
 * data either way). Dropped after the test file. `routingUrlHosts`: REGISTRY_ROUTING_URL_HOSTS.
 */
export async function startRegistry(options: { routingUrlHosts?: string[] } = {}): Promise<TestRegistry> {
  const runId = `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const serverUrl = process.env.DATABASE_URL;
  const databaseUrl = serverUrl ? (await ensureServiceDatabases(serverUrl, runId, ['registry'])).registry : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), 'registry-test-'));
  const start = () =>
    createRegistryService({
      databaseUrl,
      dataDir,
      tokens: REGISTRY_TEST_TOKENS,
      routingUrlHosts: options.routingUrlHosts,
      log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
  let service = await start();
  let port = (await service.listen(0)).port;
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  running.push(async () => {
    if (!stopped) await service.close();
    if (serverUrl) await dropServiceDatabases(serverUrl, runId, ['registry']);
    await rm(dataDir, { recursive: true, force: true });
  });
  const registry: TestRegistry = {
    url,
    service,
    client: new RegistryClient(url, REGISTRY_TEST_TOKENS.publisher),
    admin: new RegistryClient(url, REGISTRY_TEST_TOKENS.admin),
    clientWith: (token) => new RegistryClient(url, token),
    async stop() {
      stopped = true;
      await service.close();
    },
    async restart() {
      service = await start();
      port = (await service.listen(port)).port;
      registry.service = service;
      stopped = false;
    },
  };
  return registry;
}

/** The repository's subgraph schemas, routed to the given URLs. */
export async function repoSubgraphs(urls: Record<string, string>): Promise<SubgraphSubmission[]> {
  return Promise.all(
    SUBGRAPH_NAMES.map(async (name) => ({ name, url: urls[name]!, sdl: await readFile(repoPath('subgraphs', name, 'src', 'schema.graphql'), 'utf8') })),
  );
}

export async function repoSubgraph(name: string): Promise<string> {
  return readFile(repoPath('subgraphs', name, 'src', 'schema.graphql'), 'utf8');
}

/** An edited copy of a subgraph schema; fails loudly if the text to change is not there. */
export function edit(sdl: string, from: string | RegExp, to: string): string {
  const edited = sdl.replace(from, to);
  if (edited === sdl) throw new Error(`test fixture: ${String(from)} not found in the schema`);
  return edited;
}

/** The SDL without one field of one type (the field's description and directives go with it). */
export function withoutField(sdl: string, type: string, field: string): string {
  const block = new RegExp(`((?:extend )?type ${type}\\b[^{]*\\{)([\\s\\S]*?)(\\n\\})`);
  const match = block.exec(sdl);
  if (!match) throw new Error(`test fixture: type ${type} not found in the schema`);
  // The field's line, its description line before it, and its directive lines after it.
  const body = edit(match[2]!, new RegExp(`(\\n\\s*"[^"\\n]*")?\\n\\s*${field}\\b[^\\n]*(\\n\\s+@[^\\n]*)*`), '');
  return sdl.slice(0, match.index) + match[1] + body + match[3] + sdl.slice(match.index + match[0].length);
}

/** The registry's refusal of a request (the test fails if it was accepted). */
export async function refusal(promise: Promise<unknown>): Promise<RegistryRequestError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(RegistryRequestError);
  return error as RegistryRequestError;
}
