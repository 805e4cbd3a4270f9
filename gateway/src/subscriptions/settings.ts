/** The limits of subscriptions (README: "Subscriptions"; environment variables in gateway/src/config.ts). */
export interface SubscriptionSettings {
  /** A connection that sends no connection_init by then is closed with 4408. */
  connectionInitTimeoutMs: number;
  /** Ping interval; a peer that does not pong within it is cut off. */
  keepAliveMs: number;
  maxSubscriptionsPerConnection: number;
  maxConnectionsPerUser: number;
  maxConnectionsPerIp: number;
  /** Events waiting for one slow subscriber; beyond it the oldest go (counted). */
  queueCapacity: number;
  /** A connection without any subscription for this long is closed (4000). */
  idleTimeoutMs: number;
}

export const DEFAULT_SUBSCRIPTION_SETTINGS: Readonly<SubscriptionSettings> = Object.freeze({
  connectionInitTimeoutMs: 5_000,
  keepAliveMs: 12_000,
  maxSubscriptionsPerConnection: 20,
  maxConnectionsPerUser: 10,
  maxConnectionsPerIp: 100,
  queueCapacity: 128,
  idleTimeoutMs: 60_000,
});
