import type { CheckReport, PublishOutcome, ServedSchemaCheck, ServedSchemaProblem, SubgraphSubmission } from './registry.ts';
import type { SchemaChange } from './checks/schema-changes.ts';
import type { RoutingUrlChange } from './routing-urls.ts';
import type { StoredOperation } from './store.ts';

export type { CheckReport, PublishOutcome, RoutingUrlChange, SchemaChange, ServedSchemaCheck, ServedSchemaProblem, SubgraphSubmission };

/** A partner API key as the registry lists it: never the key. */
export interface PartnerKeyInfo {
  id: number;
  client: string;
  createdAt: string;
  revokedAt: string | null;
}

/** A refusal from the registry, with its stable code (COMPOSITION_FAILED, …) and details. */
export class RegistryRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The registry's HTTP API for developers, CI and tests. */
export class RegistryClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  check(subgraphs: SubgraphSubmission[]): Promise<CheckReport> {
    return this.request('POST', '/v1/checks', { subgraphs });
  }

  /**
   * Publishes once the subgraphs serve what is submitted (refused with SCHEMA_NOT_DEPLOYED or
   * SUBGRAPH_UNREACHABLE otherwise); `deployFollows` skips that check, on purpose (ADR 0013).
   */
  publish(subgraphs: SubgraphSubmission[], options: { author: string; force?: boolean; deployFollows?: boolean }): Promise<PublishOutcome> {
    return this.request('POST', '/v1/publish', { subgraphs, ...options });
  }

  rollback(subgraph: string, version: number, options: { author: string; force?: boolean }): Promise<PublishOutcome> {
    return this.request('POST', `/v1/subgraphs/${encodeURIComponent(subgraph)}/rollback`, { version, ...options });
  }

  subgraphs(): Promise<{ supergraphVersion: number | null; subgraphs: Array<{ name: string; version: number; routingUrl: string }> }> {
    return this.request('GET', '/v1/subgraphs');
  }

  subgraphHistory(subgraph: string): Promise<{ versions: Array<{ version: number; author: string; createdAt: string; routingUrl: string; sdlHash: string; current: boolean }> }> {
    return this.request('GET', `/v1/subgraphs/${encodeURIComponent(subgraph)}/versions`);
  }

  supergraphHistory(limit = 50): Promise<{
    versions: Array<{ version: number; action: string; subgraph: string; author: string; createdAt: string; sdlHash: string; subgraphs: Record<string, number>; routingUrlChanges: RoutingUrlChange[] }>;
  }> {
    return this.request('GET', `/v1/supergraph/versions?limit=${limit}`);
  }

  diffSubgraph(subgraph: string, from: number, to: number): Promise<{ changes: SchemaChange[]; routingUrl?: { from: string; to: string } }> {
    return this.request('GET', `/v1/subgraphs/${encodeURIComponent(subgraph)}/diff?from=${from}&to=${to}`);
  }

  diffSupergraph(from: number, to: number): Promise<{ changes: SchemaChange[]; routingUrlChanges: RoutingUrlChange[] }> {
    return this.request('GET', `/v1/supergraph/diff?from=${from}&to=${to}`);
  }

  registerOperations(client: string, operations: StoredOperation[], author: string, options: { force?: boolean } = {}): Promise<{ status: 'registered' | 'unchanged'; version: number }> {
    return this.request('PUT', `/v1/operations/${encodeURIComponent(client)}`, { operations, author, ...(options.force ? { force: true } : {}) });
  }

  createToken(name: string, role: 'ADMIN' | 'PUBLISHER' | 'GATEWAY'): Promise<{ name: string; role: string; token: string }> {
    return this.request('POST', '/v1/tokens', { name, role });
  }

  async revokeToken(name: string): Promise<void> {
    await this.request('DELETE', `/v1/tokens/${encodeURIComponent(name)}`);
  }

  /** (admin) A new key for a partner client; the key is in this answer only. */
  createPartnerKey(client: string): Promise<PartnerKeyInfo & { key: string }> {
    return this.request('POST', '/v1/partner-keys', { client });
  }

  /** (admin) Every partner key, or one client's, without secrets. */
  partnerKeys(client?: string): Promise<{ keys: PartnerKeyInfo[] }> {
    return this.request('GET', `/v1/partner-keys${client ? `?client=${encodeURIComponent(client)}` : ''}`);
  }

  async revokePartnerKey(id: number): Promise<void> {
    await this.request('DELETE', `/v1/partner-keys/${id}`);
  }

  async supergraph(): Promise<{ version: number; sdl: string; etag: string }> {
    const response = await this.send('GET', '/v1/supergraph');
    return { version: Number(response.headers.get('x-supergraph-version')), sdl: await response.text(), etag: response.headers.get('etag') ?? '' };
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    if (response.ok) return response;
    const payload = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } & Record<string, unknown> };
    // No error object of ours: something else answered (a gateway, a proxy): say where we asked.
    const { code = 'HTTP_ERROR', message = `${method} ${path}: HTTP ${response.status} from ${new URL(this.baseUrl).origin}, which did not answer as the schema registry does`, ...details } = payload.error ?? {};
    throw new RegistryRequestError(response.status, code, message, details);
  }
}
