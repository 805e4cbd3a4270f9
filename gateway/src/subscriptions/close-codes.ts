/**
 * How the gateway ends a graphql-ws connection or subscription, and why (README: "Subscriptions").
 * graphql-ws clients retry by default after any close but the "fatal" 44xx codes; a client must
 * log in again after 4401 and should not retry 4403 or 4429 unchanged.
 */
export const CLOSE = {
  /** connection_init carried a token that does not verify, or the connection's token expired. */
  UNAUTHORIZED: 4401,
  /** connection_init carried an API key the gateway does not know. */
  FORBIDDEN: 4403,
  /** No connection_init in time (graphql-ws's own code). */
  INIT_TIMEOUT: 4408,
  /** Too many connections from one user or one address. */
  TOO_MANY_CONNECTIONS: 4429,
  /** The gateway is shutting down: reconnect (to another replica). */
  GOING_AWAY: 1001,
  /** No subscription on the connection for SUBSCRIPTION_IDLE_TIMEOUT_MS: reconnect when there is one to make. */
  IDLE: 4000,
} as const;

export const CLOSE_REASON = {
  INVALID_TOKEN: 'Invalid token: log in again',
  EXPIRED_TOKEN: 'Your session has expired: log in again',
  UNKNOWN_API_KEY: 'Unknown API key',
  TOO_MANY_CONNECTIONS: 'Too many open connections: close some first',
  SHUTDOWN: 'The gateway is shutting down: reconnect',
  IDLE: 'Idle: no subscription on this connection',
} as const;

/**
 * Error codes of a subscription that ends without closing the connection: the client may
 * subscribe again (after a reload, straight away; over the limit, after ending another).
 */
export const SUBSCRIPTION_ERROR = {
  /** The supergraph changed (a registry publish): subscribe again to be planned on the new one. */
  SCHEMA_RELOAD: 'SUBSCRIPTION_SCHEMA_RELOAD',
  /** More subscriptions on this connection than SUBSCRIPTIONS_PER_CONNECTION. */
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  /** The owning subgraph could not be reached, or ended the stream. */
  UPSTREAM_UNAVAILABLE: 'SUBSCRIPTION_UPSTREAM_UNAVAILABLE',
  /** A query or mutation sent over the WebSocket: those go over HTTP. */
  NOT_A_SUBSCRIPTION: 'NOT_A_SUBSCRIPTION',
} as const;
