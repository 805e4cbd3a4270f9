// The storefront client: urql preconfigured for this gateway (ADR 0018). Runs wherever fetch runs
// (browsers, React Native, Node): no DOM API is used; a WebSocket implementation may be given
// where there is no global one (Node 20: the `ws` package).
import { Client, cacheExchange, fetchExchange, subscriptionExchange, type Exchange, type Operation } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { retryExchange } from '@urql/exchange-retry';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { RETRYABLE_CODES, storefrontErrors } from './errors.ts';

export interface StorefrontClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `https://shop.example/graphql`. */
  url: string;
  /** The graphql-ws endpoint; by default `url` with a ws(s) scheme. */
  subscriptionsUrl?: string;
  /** The signed-in shopper's token (from `logIn`/`signUp`), read for every request; nothing when anonymous. */
  getToken?: () => string | null | undefined;
  /**
   * `production` (the default) sends only the ids of the SDK's persisted operations, never their
   * text: what a gateway in persisted-operations-only mode accepts. `development` uses automatic
   * persisted queries instead (hash first, the text when the gateway does not know it), so
   * operations edited locally work before any list is registered.
   */
  mode?: 'production' | 'development';
  /** A WebSocket class where there is no global one. */
  webSocketImpl?: unknown;
  fetch?: typeof fetch;
  /** Attempts for a query that failed with a retryable error (network, overload, rate limit); mutations are never retried. Default 3. */
  maxQueryAttempts?: number;
  /** Sent as `apollographql-client-name` (metrics per client). */
  clientName?: string;
}

export interface StorefrontClient {
  /** The urql client: `client.query(Document, variables).toPromise()`, `client.subscription(…)`, or urql's React bindings. */
  urql: Client;
  /** Closes the subscription socket (a Node script's last step). */
  close(): Promise<void>;
}

/** The id codegen embedded in a persisted document (`sha256:<hex>` in `__meta__.hash`), as the gateway expects it. */
function persistedId(document: unknown): string | undefined {
  const hash = (document as { __meta__?: { hash?: string } } | undefined)?.__meta__?.hash;
  return hash?.replace(/^sha256:/, '');
}

export function createStorefrontClient(options: StorefrontClientOptions): StorefrontClient {
  const production = (options.mode ?? 'production') === 'production';
  const headers = (): Record<string, string> => {
    const token = options.getToken?.();
    return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(options.clientName ? { 'apollographql-client-name': options.clientName } : {}) };
  };

  let ws: WsClient | undefined;
  const socket = () => {
    ws ??= createWsClient({
      url: options.subscriptionsUrl ?? options.url.replace(/^http/, 'ws'),
      // Read when the socket opens: a shopper who signs in later gets a new socket (`close()`, then subscribe again).
      connectionParams: () => headers(),
      lazy: true,
      retryAttempts: 5,
      ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
    });
    return ws;
  };

  const exchanges: Exchange[] = [
    cacheExchange,
    retryExchange({
      maxNumberAttempts: options.maxQueryAttempts ?? 3,
      initialDelayMs: 300,
      maxDelayMs: 5_000,
      randomDelay: true,
      // Queries only: a mutation carries its idempotency key and is repeated by the caller on purpose, never blindly.
      retryIf: (error, operation: Operation) => operation.kind === 'query' && storefrontErrors(error).some((e) => RETRYABLE_CODES.has(e.code)),
    }),
    persistedExchange({
      enforcePersistedQueries: production,
      enableForMutation: true,
      enableForSubscriptions: true,
      preferGetForPersistedQueries: false,
      // Production: the id codegen computed; development: urql hashes the text it would send (automatic persisted queries).
      ...(production ? { generateHash: async (_query: string, document: unknown) => persistedId(document) } : {}),
    }),
    fetchExchange,
    subscriptionExchange({
      forwardSubscription: (request) => ({
        subscribe: (sink) => ({
          unsubscribe: socket().subscribe(
            { query: request.query ?? '', variables: request.variables as Record<string, unknown>, ...(request.operationName ? { operationName: request.operationName } : {}), ...(request.extensions ? { extensions: request.extensions } : {}) },
            sink as never,
          ),
        }),
      }),
    }),
  ];

  const urql = new Client({
    url: options.url,
    exchanges,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    fetchOptions: () => ({ headers: headers() }),
    requestPolicy: 'cache-and-network',
  });
  return {
    urql,
    async close() {
      await ws?.dispose();
      ws = undefined;
    },
  };
}
