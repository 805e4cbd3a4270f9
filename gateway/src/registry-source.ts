import type { SupergraphManager } from '@apollo/gateway';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ShowSupergraphVersion } from './gateway-metrics.ts';
import { z } from 'zod';
import type { Logger } from '@supergraph/service-kit';
import { parseManifest } from './persisted-operations/manifest.ts';

/**
 * The gateway's supergraph, persisted operation lists and partner API keys (digests), taken from
 * the schema registry: fetched at start, then polled with If-None-Match (a 304 costs the registry
 * a few indexed reads). A new
 * supergraph is handed to @apollo/gateway, which swaps it in between requests: requests already
 * running finish on the schema and plans they started with. When the registry cannot be reached
 * the gateway keeps what it has: the last good supergraph, or at start the file it was given.
 */
export interface RegistrySourceOptions {
  url: string;
  /** A GATEWAY (read-only) registry token. */
  token: string;
  pollIntervalMs: number;
  /** Served until the registry answers: the committed supergraph.graphql. */
  fallbackSupergraphSdl: string;
  /** Lists served until the registry answers (the files under gateway/persisted-operations). */
  fallbackLists: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Partner API key digests (-> client) honoured until the registry answers (PARTNER_API_KEYS). */
  fallbackPartnerKeys?: ReadonlyMap<string, string>;
  log: Logger;
  registry: Registry;
  /** Records which supergraph runs (the server shows the file's until the registry's loads). */
  showVersion: ShowSupergraphVersion;
  requestTimeoutMs?: number;
}

const listsResponse = z.object({
  lists: z.record(z.string(), z.object({ version: z.number(), manifest: z.unknown() })),
  // The registry's active partner API keys, as sha256 digests. A registry older than this field
  // sends none: the gateway then keeps the keys it was started with.
  partnerKeys: z.array(z.object({ client: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).optional(),
});

type Fetched<T> = { status: 'changed'; value: T; etag: string; version?: string } | { status: 'unchanged' };

export class RegistrySource {
  /** client -> operation id -> text; replaced in place (synchronously) whenever the registry's lists change. */
  readonly operationLists: Map<string, ReadonlyMap<string, string>>;
  /** API key digest -> partner client; replaced in place with the lists, so a new key works and a revoked one stops within a poll. */
  readonly partnerKeys: Map<string, string>;
  private supergraphEtag: string | undefined;
  private rejectedSupergraphEtag: string | undefined;
  private listsEtag: string | undefined;
  private update: ((sdl: string) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private listeners: Array<() => void> = [];
  private readonly metrics;

  constructor(private readonly options: RegistrySourceOptions) {
    this.operationLists = new Map(options.fallbackLists);
    this.partnerKeys = new Map(options.fallbackPartnerKeys);
    this.metrics = {
      polls: new Counter({ name: 'registry_polls_total', help: 'Polls of the schema registry, by what they brought (unchanged, updated, rejected, error)', labelNames: ['document', 'result'], registers: [options.registry] }),
      lastSuccess: new Gauge({ name: 'registry_last_success_timestamp_seconds', help: 'When the schema registry last answered a poll', registers: [options.registry] }),
    };
  }

  /** Called after the operation lists changed (the gateway plans the new operations ahead). */
  onOperationListsChange(listener: () => void) {
    this.listeners.push(listener);
  }

  /** Fetches the lists once before the gateway starts, so its first requests see them. */
  async loadInitialOperationLists(): Promise<void> {
    await this.pollOperationLists().catch((error) => this.options.log.warn({ err: error }, 'schema registry unreachable: serving the persisted operation files until it answers'));
  }

  /** What @apollo/gateway takes as `supergraphSdl`. */
  supergraphManager(): SupergraphManager {
    return {
      initialize: async ({ update }) => {
        let supergraphSdl = this.options.fallbackSupergraphSdl;
        try {
          const fetched = await this.fetchSupergraph();
          if (fetched.status === 'changed') {
            supergraphSdl = fetched.value;
            this.supergraphEtag = fetched.etag;
            this.options.showVersion('registry', fetched.version ?? 'unknown', fetched.etag);
          }
        } catch (error) {
          this.options.log.warn({ err: error }, 'schema registry unreachable: serving the supergraph file until it answers');
        }
        this.update = update;
        this.timer = setInterval(() => void this.poll(), this.options.pollIntervalMs);
        this.timer.unref();
        return { supergraphSdl, cleanup: async () => clearInterval(this.timer) };
      },
    };
  }

  /** One poll of both documents; overlapping polls are skipped. Exposed for tests. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await Promise.all([
        this.pollSupergraph().catch((error) => this.pollFailed('supergraph', error)),
        this.pollOperationLists().catch((error) => this.pollFailed('operations', error)),
      ]);
    } finally {
      this.polling = false;
    }
  }

  private async pollSupergraph() {
    const fetched = await this.fetchSupergraph();
    if (fetched.status === 'unchanged' || fetched.etag === this.rejectedSupergraphEtag) {
      this.metrics.polls.inc({ document: 'supergraph', result: 'unchanged' });
      return;
    }
    try {
      this.update?.(fetched.value); // validated and swapped in by @apollo/gateway; throws when it cannot be served
    } catch (error) {
      // Keep serving the current supergraph; do not try this one again until the registry changes.
      this.rejectedSupergraphEtag = fetched.etag;
      this.metrics.polls.inc({ document: 'supergraph', result: 'rejected' });
      this.options.log.error({ err: error, version: fetched.version }, 'supergraph from the registry rejected; keeping the current one');
      return;
    }
    this.supergraphEtag = fetched.etag;
    this.options.showVersion('registry', fetched.version ?? 'unknown', fetched.etag);
    this.metrics.polls.inc({ document: 'supergraph', result: 'updated' });
    this.options.log.info({ version: fetched.version }, 'supergraph updated from the registry');
  }

  private async pollOperationLists() {
    const fetched = await this.fetchDocument('/v1/operations', this.listsEtag, async (response) => listsResponse.parse(await response.json()));
    if (fetched.status === 'unchanged') {
      this.metrics.polls.inc({ document: 'operations', result: 'unchanged' });
      return;
    }
    // Parse every list before touching the live map, so a bad list changes nothing.
    const next = new Map(Object.entries(fetched.value.lists).map(([client, list]) => [client, parseManifest(list.manifest, `registry list ${client}`)]));
    this.operationLists.clear();
    for (const [client, list] of next) this.operationLists.set(client, list);
    const keys = fetched.value.partnerKeys;
    if (keys) {
      // With a registry, its keys are the partners' keys: the environment's served only until it answered.
      this.partnerKeys.clear();
      for (const key of keys) this.partnerKeys.set(key.sha256, key.client);
    }
    this.listsEtag = fetched.etag;
    this.metrics.polls.inc({ document: 'operations', result: 'updated' });
    this.options.log.info({ clients: [...next.keys()], partnerKeys: keys?.length }, 'persisted operation lists and partner keys updated from the registry');
    for (const listener of this.listeners) listener();
  }

  private fetchSupergraph(): Promise<Fetched<string>> {
    return this.fetchDocument('/v1/supergraph', this.supergraphEtag, (response) => response.text());
  }

  private async fetchDocument<T>(path: string, etag: string | undefined, read: (response: Response) => Promise<T>): Promise<Fetched<T>> {
    const response = await fetch(new URL(path, this.options.url), {
      headers: { authorization: `Bearer ${this.options.token}`, ...(etag ? { 'if-none-match': etag } : {}) },
      signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 5_000),
    });
    if (response.status === 304) {
      await response.body?.cancel();
      this.metrics.lastSuccess.setToCurrentTime();
      return { status: 'unchanged' };
    }
    if (!response.ok) {
      const body = await response.text().catch(() => '');
      throw new Error(`registry answered ${response.status} to ${path}: ${body.slice(0, 200)}`);
    }
    this.metrics.lastSuccess.setToCurrentTime();
    return { status: 'changed', value: await read(response), etag: response.headers.get('etag') ?? '', version: response.headers.get('x-supergraph-version') ?? undefined };
  }

  private pollFailed(document: string, error: unknown) {
    this.metrics.polls.inc({ document, result: 'error' });
    this.options.log.warn({ err: error, document }, 'schema registry poll failed; keeping the current version');
  }

}

