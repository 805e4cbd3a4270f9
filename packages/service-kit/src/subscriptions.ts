import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import type { ExecutionArgs, ExecutionResult, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { WebSocketServer } from 'ws';
import type { EventBus } from './events.ts';
import { IDENTITY_HEADER, verifyIdentityToken, type Viewer } from './identity.ts';
import type { Logger } from './logger.ts';

/**
 * A subgraph's subscription fields over graphql-ws, on its own HTTP server and /graphql path
 * (ADR 0014). The caller is the gateway: the identity it vouches for comes in connection_init's
 * payload under `x-supergraph-identity`, verified exactly like that HTTP header (minted for this
 * service; anything that does not verify is an anonymous caller).
 *
 * Each event a subscription's source stream yields is executed with a fresh context (fresh
 * DataLoaders: a context that lives as long as the subscription would serve the first event's
 * answers for ever), and its identity (`SUBSCRIPTION_EVENT`) goes out in the result's
 * `extensions.event`, so that the gateway can drop duplicates and out-of-order events.
 */

// graphql as @apollo/subgraph loads it (CommonJS): the schema is checked with instanceof, and a
// bundler or test runner resolving `import 'graphql'` to the ES module build would be a second copy.
const { createSourceEventStream, execute } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/** Where a source event carries its identity; the key is no GraphQL field name (they cannot start with "__"). */
export const SUBSCRIPTION_EVENT = '__event';

export interface SubscriptionEventMeta {
  /** Unique per event: a redelivery of the same event has the same id. */
  id: string;
  /** What the sequence orders (one order: `Order:<id>`); absent: events are unordered. */
  key?: string;
  /** Grows with each newer state of `key`: an event whose sequence is not above the last one seen is stale. */
  sequence?: number;
  /** The W3C trace context the event was raised in (from its bus payload): sent as `extensions.traceparent`. */
  traceparent?: string;
}

const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/**
 * Runs one subscription event's work in a span of its own (issue 11 §10): it continues the trace
 * the event was raised in when `traceparent` is one (the subgraph's `extensions.traceparent`),
 * else starts one; the fetches made inside carry it on (injectTraceContext).
 */
export async function inEventSpan<T>(tracerName: string, name: string, traceparent: unknown, work: () => Promise<T>): Promise<T> {
  const parent = typeof traceparent === 'string' && TRACEPARENT.test(traceparent) ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
  const span = trace.getTracer(tracerName).startSpan(name, { kind: SpanKind.CONSUMER, attributes: { 'graphql.operation.type': 'subscription' } }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), work);
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/** The source event of subscription field `field`: its value and its identity. */
export const subscriptionEvent = (field: string, value: unknown, meta: SubscriptionEventMeta) => ({ [field]: value, [SUBSCRIPTION_EVENT]: meta });

export interface SubscriptionServerOptions {
  schema: GraphQLSchema;
  /** This service's name: identity tokens must be minted for it. */
  service: string;
  internalTokenSecret: string;
  /** A fresh resolver context for one viewer (one per subscribe and one per event). */
  context(viewer: Viewer | null): unknown;
  log: Logger;
  /** How long a connection may wait before connection_init (graphql-ws closes it with 4408). */
  connectionInitTimeoutMs?: number;
}

export interface SubscriptionServer {
  /** Serves graphql-ws upgrades to /graphql on this HTTP server. */
  attach(server: Server): void;
  /** Completes every subscription and closes every socket; call before closing the HTTP servers. */
  close(): Promise<void>;
}

export function createSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  // Messages bounded like the HTTP bodies (2 MB; ws alone accepts 100 MiB).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * 1024 * 1024 });
  const viewers = new WeakMap<object, Viewer | null>();
  // Which viewer each subscribe's context is for, so that every event gets a fresh context for the same viewer.
  const contextViewers = new WeakMap<object, Viewer | null>();
  const contextFor = (viewer: Viewer | null) => {
    const context = options.context(viewer);
    if (context && typeof context === 'object') contextViewers.set(context, viewer);
    return context;
  };
  const disposable = useServer(
    {
      schema: options.schema,
      connectionInitWaitTimeout: options.connectionInitTimeoutMs ?? 5_000,
      onConnect: async (ctx) => {
        const token = (ctx.connectionParams as Record<string, unknown> | undefined)?.[IDENTITY_HEADER];
        viewers.set(ctx, await viewerFromIdentity(token, options.internalTokenSecret, options.service));
        return true;
      },
      context: (ctx) => contextFor(viewers.get(ctx) ?? null) as object,
      subscribe: (args) => subscribeWithEventIdentity(args, () => contextFor(contextViewers.get(args.contextValue as object) ?? null)),
      onError: (_ctx, _id, _payload, errors) => {
        for (const error of errors) if (!error.extensions?.code) options.log.warn({ err: error }, 'subscription failed');
      },
    },
    wss,
  );

  const endpoint = webSocketEndpoint(wss);
  return {
    attach: endpoint.attach,
    async close() {
      endpoint.detach();
      await closeSockets(wss, 1001, 'Service shutting down');
      await disposable.dispose();
    },
  };
}

/**
 * Closes every socket of `wss` with `code` and waits for their close handshakes, at most
 * `graceMs`: a peer that does not answer is cut off (ws alone would wait 30 s), so a shutdown
 * never hangs on a silent client.
 */
/**
 * A WebSocket endpoint at /graphql on the HTTP servers it is attached to (the same port as
 * queries); upgrades to any other path are refused. Shared by subgraphs and the gateway.
 */
export function webSocketEndpoint(wss: WebSocketServer, path = '/graphql') {
  const servers = new Set<Server>();
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== path) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  return {
    attach(server: Server) {
      servers.add(server);
      server.on('upgrade', onUpgrade);
    },
    /** Stops taking new connections on every server; open ones are left to the caller. */
    detach() {
      for (const server of servers) server.off('upgrade', onUpgrade);
      servers.clear();
    },
  };
}

export async function closeSockets(wss: WebSocketServer, code: number, reason: string, graceMs = 1_000): Promise<void> {
  const sockets = [...wss.clients];
  const closed = sockets.map((socket) => (socket.readyState === socket.CLOSED ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve()))));
  for (const socket of sockets) socket.close(code, reason);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(closed), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
  clearTimeout(timer);
  for (const socket of sockets) socket.terminate();
}

async function viewerFromIdentity(token: unknown, secret: string, service: string): Promise<Viewer | null> {
  if (typeof token !== 'string' || token.length === 0) return null;
  const result = await verifyIdentityToken(token, secret, service);
  return result.ok ? result.viewer : null;
}

/**
 * graphql-js `subscribe`, but each event executes with a fresh context and carries its identity in
 * `extensions.event`. The iterator's `return()` reaches the source at once, so a client that
 * completes leaves no listener behind waiting for one more event.
 */
async function subscribeWithEventIdentity(args: ExecutionArgs, freshContext: () => unknown): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
  const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const done = { done: true as const, value: undefined };
  const results: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]: () => results,
    async next() {
      const step = await iterator.next();
      if (step.done) return done;
      const event = step.value as Record<string, unknown>;
      const result = await execute({ ...args, rootValue: event, contextValue: freshContext() });
      const meta = event?.[SUBSCRIPTION_EVENT] as SubscriptionEventMeta | undefined;
      if (!meta) return { done: false, value: result };
      const { traceparent, ...identity } = meta;
      return { done: false, value: { ...result, extensions: { ...result.extensions, event: identity, ...(traceparent ? { traceparent } : {}) } } };
    },
    async return() {
      await iterator.return?.();
      return done;
    },
    async throw(error: unknown) {
      await iterator.return?.();
      throw error;
    },
  };
  return results;
}

/**
 * An async iterator over one event bus topic, for a subscription resolver: `accept` maps a
 * payload to the value to yield, or undefined to skip it. Subscribed on the bus before it is
 * returned (`await`), so nothing published after that is missed. Holds at most `capacity`
 * events a consumer has not taken yet (the oldest go first). `return()` unsubscribes at once.
 */
export async function eventBusIterator<T>(events: EventBus, topic: string, accept: (payload: unknown) => T | undefined, capacity = 256): Promise<AsyncIterableIterator<T>> {
  const queue: T[] = [];
  let waiting: ((step: IteratorResult<T>) => void) | null = null;
  let ended = false;
  const unsubscribe = await events.subscribe(topic, (payload) => {
    if (ended) return;
    const value = withTraceparent(accept(payload), payload);
    if (value === undefined) return;
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve({ done: false, value });
      return;
    }
    queue.push(value);
    if (queue.length > capacity) queue.shift();
  });
  const end = async () => {
    if (ended) return;
    ended = true;
    queue.length = 0;
    waiting?.({ done: true, value: undefined });
    waiting = null;
    await unsubscribe();
  };
  const values: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => values,
    next() {
      if (queue.length > 0) return Promise.resolve({ done: false, value: queue.shift()! });
      if (ended) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => (waiting = resolve));
    },
    async return() {
      await end();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      await end();
      throw error;
    },
  };
  return values;
}

/** The payload's `traceparent` (put there by the publisher, events.ts) joins the event's identity. */
function withTraceparent<T>(value: T | undefined, payload: unknown): T | undefined {
  const traceparent = (payload as { traceparent?: unknown } | null)?.traceparent;
  const meta = (value as Record<string, unknown> | undefined)?.[SUBSCRIPTION_EVENT] as SubscriptionEventMeta | undefined;
  if (!meta || typeof traceparent !== 'string' || !TRACEPARENT.test(traceparent)) return value;
  return { ...value, [SUBSCRIPTION_EVENT]: { ...meta, traceparent } } as T;
}

/** `first`, then everything `rest` yields; `return()` ends `rest` too. */
export function startWith<T>(first: T, rest: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
  let sent = false;
  const values: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => values,
    next() {
      if (!sent) {
        sent = true;
        return Promise.resolve({ done: false, value: first });
      }
      return rest.next();
    },
    return: () => rest.return!() as Promise<IteratorResult<T>>,
    throw: (error: unknown) => rest.throw!(error) as Promise<IteratorResult<T>>,
  };
  return values;
}
