import { createClient, type Client } from 'graphql-ws';
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import WebSocket from 'ws';
import { IDENTITY_HEADER, signIdentityToken, type Logger, type Viewer } from '@supergraph/service-kit';
import { SUBSCRIPTION_ERROR } from './close-codes.ts';
import { eventIdentity } from './event-order.ts';

export type UpstreamResult = FormattedExecutionResult<Record<string, unknown>, Record<string, unknown>>;

/** What a subscriber gets from its upstream stream. */
export interface UpstreamListener {
  event(result: UpstreamResult): void;
  /** The stream ended: with errors when it failed (the subgraph refused or went away). */
  end(errors?: readonly GraphQLFormattedError[]): void;
}

/** One subscription fetch to the owning subgraph, as the plan's primary fetch says. */
export interface UpstreamRequest {
  subgraph: string;
  /** The subgraph's HTTP GraphQL URL; its WebSocket is the same with ws(s):. */
  url: string;
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  /** Whose identity the subgraph sees: null for a stream that is the same for everyone. */
  viewer: Viewer | null;
}

interface Stream {
  listeners: Set<UpstreamListener>;
  /** The latest ordered event per key: what someone joining later is told first (an order's current status). */
  latest: Map<string, UpstreamResult>;
  stop: () => void;
  clientKey: string;
}

const MAX_REMEMBERED_KEYS = 16;

/**
 * The gateway's upstream subscriptions, shared (ADR 0014): subscribers whose primary fetch is the
 * same (subgraph, operation, variables, identity) share one upstream subscription, and all
 * upstream subscriptions with one identity to one subgraph share one WebSocket. A public
 * subscription is opened without identity and shared by everyone; one with an owner check is
 * opened with the subscriber's identity and shared only by that viewer's subscribers.
 */
export class UpstreamPool {
  private readonly clients = new Map<string, { client: Client; streams: number }>();
  private readonly streams = new Map<string, Stream>();

  constructor(
    private readonly options: {
      internalTokenSecret: string;
      /** Lifetime of the identity token sent in connection_init (checked once, when the socket opens). */
      identityTtlSeconds: number;
      log: Logger;
      keepAliveMs: number;
    },
  ) {}

  get size(): number {
    return this.streams.size;
  }

  /** Joins (or opens) the upstream stream for `request`; returns how to leave it. */
  join(request: UpstreamRequest, listener: UpstreamListener): () => void {
    const identity = request.viewer ? `${request.viewer.role}:${request.viewer.id}` : 'public';
    const key = JSON.stringify([request.subgraph, request.url, identity, request.query, request.operationName ?? null, request.variables]);
    let stream = this.streams.get(key);
    if (stream) {
      stream.listeners.add(listener);
      for (const result of stream.latest.values()) listener.event(result);
    } else {
      stream = this.open(key, request, identity);
      stream.listeners.add(listener);
    }
    const joined = stream;
    return () => {
      if (!joined.listeners.delete(listener) || joined.listeners.size > 0) return;
      this.close(key, joined);
    };
  }

  private open(key: string, request: UpstreamRequest, identity: string): Stream {
    const clientKey = JSON.stringify([request.url, identity]);
    let entry = this.clients.get(clientKey);
    if (!entry) {
      entry = { client: this.createClient(request), streams: 0 };
      this.clients.set(clientKey, entry);
    }
    entry.streams++;
    const stream: Stream = { listeners: new Set(), latest: new Map(), stop: () => {}, clientKey };
    this.streams.set(key, stream);
    const ended = (errors?: readonly GraphQLFormattedError[]) => {
      if (this.streams.get(key) !== stream) return;
      this.close(key, stream);
      for (const listener of stream.listeners) listener.end(errors);
      stream.listeners.clear();
    };
    stream.stop = entry.client.subscribe<Record<string, unknown>, Record<string, unknown>>(
      { query: request.query, operationName: request.operationName ?? null, variables: request.variables },
      {
        next: (result) => {
          const event = eventIdentity(result.extensions);
          if (event?.key !== undefined && event.sequence !== undefined) {
            stream.latest.delete(event.key);
            stream.latest.set(event.key, result);
            if (stream.latest.size > MAX_REMEMBERED_KEYS) stream.latest.delete(stream.latest.keys().next().value!);
          }
          for (const listener of stream.listeners) listener.event(result);
        },
        error: (error) => {
          if (Array.isArray(error)) return ended(error as GraphQLFormattedError[]);
          this.options.log.warn({ subgraph: request.subgraph, err: error instanceof Error ? error : undefined }, 'upstream subscription failed');
          ended([{ message: `The ${request.subgraph} subgraph cannot be reached for this subscription: subscribe again later`, extensions: { code: SUBSCRIPTION_ERROR.UPSTREAM_UNAVAILABLE, serviceName: request.subgraph } }]);
        },
        complete: () => ended(),
      },
    );
    return stream;
  }

  private close(key: string, stream: Stream): void {
    if (this.streams.get(key) !== stream) return;
    this.streams.delete(key);
    stream.stop();
    const entry = this.clients.get(stream.clientKey);
    if (entry && --entry.streams === 0) {
      this.clients.delete(stream.clientKey);
      void entry.client.dispose();
    }
  }

  private createClient(request: UpstreamRequest): Client {
    const viewer = request.viewer;
    return createClient({
      url: request.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: true,
      lazyCloseTimeout: 0,
      keepAlive: this.options.keepAliveMs,
      // A fresh identity token for every (re)connection: it is checked when the socket opens.
      connectionParams: async () =>
        viewer ? { [IDENTITY_HEADER]: await signIdentityToken(viewer, this.options.internalTokenSecret, request.subgraph, this.options.identityTtlSeconds) } : {},
      // A subgraph restart or a blip: reconnect and resubscribe, a few times, then tell the subscribers.
      retryAttempts: 3,
      shouldRetry: () => true,
    });
  }

  /** Ends every upstream subscription and socket (gateway shutdown). */
  async closeAll(): Promise<void> {
    for (const [key, stream] of [...this.streams]) {
      this.close(key, stream);
      for (const listener of stream.listeners) listener.end();
    }
    await Promise.all([...this.clients.values()].map((entry) => entry.client.dispose()));
    this.clients.clear();
  }
}
