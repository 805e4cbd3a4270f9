import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_TRUST_PROXY, trustedProxies } from './client-address.ts';
import { REQUEST_LIMITS, requestLimits, type RequestLimits } from './limits.ts';
import { DEFAULT_SUBSCRIPTION_SETTINGS, type SubscriptionSettings } from './subscriptions/settings.ts';
import { internalTokenSecretSchema, nodeEnvSchema, portSchema, registryTokenSchema, userTokenSecretSchema } from '@supergraph/service-kit';

/** A positive whole number, today's value as the default. */
const limit = (defaultValue: number) => z.coerce.number().int().min(1).default(defaultValue);

/** Every setting of the gateway, parsed once at start-up (README lists them). */
export const gatewayEnvSchema = z.object({
  NODE_ENV: nodeEnvSchema,
  HOST: z.string().default('127.0.0.1'),
  PORT: portSchema(4000),
  /**
   * Worker processes on PORT (node:cluster, ADR 0020); 1: one process, no cluster. Unset: one per
   * core with REDIS_URL, else 1 (without Redis, APQ, rate limits and sign-in budgets are per process).
   */
  GATEWAY_WORKERS: z.coerce.number().int().min(1).max(256).optional(),
  SUPERGRAPH_FILE: z.string().default(fileURLToPath(new URL('../../supergraph.graphql', import.meta.url))),
  JWT_SECRET: userTokenSecretSchema(),
  INTERNAL_TOKEN_SECRET: internalTokenSecretSchema(),
  REDIS_URL: z.string().url().optional(),
  REDIS_KEY_PREFIX: z.string().default('supergraph:'),
  /** Peers whose X-Forwarded-For names the client (client-address.ts): addresses, CIDRs, loopback/linklocal/uniquelocal, or none. */
  TRUST_PROXY: z
    .string()
    .default(DEFAULT_TRUST_PROXY)
    .refine((value) => {
      try {
        trustedProxies(value);
        return true;
      } catch {
        return false;
      }
    }, 'a comma-separated list of IP addresses, CIDR ranges or loopback/linklocal/uniquelocal, or none'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_WHEN_REDIS_DOWN: z.enum(['open', 'closed']).default('open'),
  APQ_TTL_SECONDS: z.coerce.number().int().min(1).default(86_400),
  // Failed sign-up/log-in budgets (gateway/src/credential-attempts.ts, ADR 0010).
  AUTH_ATTEMPTS_PER_IP: z.coerce.number().int().min(1).default(20),
  AUTH_ATTEMPTS_PER_EMAIL: z.coerce.number().int().min(1).default(10),
  AUTH_ATTEMPTS_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  // Request limits (gateway/src/limits.ts, ADR 0006); defaults are REQUEST_LIMITS.
  LIMIT_MAX_DEPTH: limit(REQUEST_LIMITS.maxDepth),
  LIMIT_MAX_ALIASES: limit(REQUEST_LIMITS.maxAliases),
  LIMIT_MAX_DIRECTIVES: limit(REQUEST_LIMITS.maxDirectives),
  LIMIT_MAX_TOKENS: limit(REQUEST_LIMITS.maxTokens),
  LIMIT_MAX_ROOT_FIELDS: limit(REQUEST_LIMITS.maxRootFields),
  LIMIT_MAX_COST: limit(REQUEST_LIMITS.maxCost),
  LIMIT_ASSUMED_LIST_SIZE: limit(REQUEST_LIMITS.assumedListSize),
  LIMIT_MAX_BODY_BYTES: limit(REQUEST_LIMITS.maxBodyBytes),
  LIMIT_MAX_DOCUMENT_BYTES: limit(REQUEST_LIMITS.maxDocumentBytes),
  LIMIT_MAX_VARIABLES_DEPTH: limit(REQUEST_LIMITS.maxVariablesDepth),
  APQ_MAX_ENTRIES: limit(REQUEST_LIMITS.apqMaxEntries),
  APQ_MAX_BYTES: limit(REQUEST_LIMITS.apqMaxBytes),
  /** Registered operations only, sent by id (a safelist); unset: on when NODE_ENV=production. */
  PERSISTED_OPERATIONS_ONLY: z.enum(['true', 'false']).optional(),
  /** `client:key,client2:key2`: partners and their API keys (secrets: from the environment only). */
  PARTNER_API_KEYS: z.string().optional(),
  /** The schema registry to take the supergraph and operation lists from; unset: SUPERGRAPH_FILE and the SDK's persisted lists. */
  REGISTRY_URL: z.string().url().optional(),
  /** A GATEWAY token of the registry (the registry's own development default otherwise). */
  REGISTRY_TOKEN: registryTokenSchema('gateway', 'REGISTRY_TOKEN'),
  REGISTRY_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  // Subscriptions over graphql-ws (gateway/src/subscriptions, ADR 0014); defaults are DEFAULT_SUBSCRIPTION_SETTINGS.
  SUBSCRIPTION_INIT_TIMEOUT_MS: limit(DEFAULT_SUBSCRIPTION_SETTINGS.connectionInitTimeoutMs),
  SUBSCRIPTION_KEEPALIVE_MS: limit(DEFAULT_SUBSCRIPTION_SETTINGS.keepAliveMs),
  SUBSCRIPTIONS_PER_CONNECTION: limit(DEFAULT_SUBSCRIPTION_SETTINGS.maxSubscriptionsPerConnection),
  SUBSCRIPTION_CONNECTIONS_PER_USER: limit(DEFAULT_SUBSCRIPTION_SETTINGS.maxConnectionsPerUser),
  SUBSCRIPTION_CONNECTIONS_PER_IP: limit(DEFAULT_SUBSCRIPTION_SETTINGS.maxConnectionsPerIp),
  SUBSCRIPTION_QUEUE_CAPACITY: limit(DEFAULT_SUBSCRIPTION_SETTINGS.queueCapacity),
  SUBSCRIPTION_IDLE_TIMEOUT_MS: limit(DEFAULT_SUBSCRIPTION_SETTINGS.idleTimeoutMs),
  // Where each subgraph is; unset ones use the routing URL composed into the supergraph.
  PRODUCTS_SUBGRAPH_URL: z.string().url().optional(),
  USERS_SUBGRAPH_URL: z.string().url().optional(),
  ORDERS_SUBGRAPH_URL: z.string().url().optional(),
  INVENTORY_SUBGRAPH_URL: z.string().url().optional(),
  REVIEWS_SUBGRAPH_URL: z.string().url().optional(),
});
export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

/**
 * How many worker processes serve: GATEWAY_WORKERS, else every core when the state replicas share
 * lives in Redis, else one (each worker would keep its own APQ store, rate limits and failed
 * sign-in budgets: N workers would let a client through N times as often).
 */
export const gatewayWorkers = (env: Pick<GatewayEnv, 'GATEWAY_WORKERS' | 'REDIS_URL'>, cores = availableParallelism()): number =>
  env.GATEWAY_WORKERS ?? (env.REDIS_URL ? cores : 1);

/** Persisted-operations-only (a safelist): on in production unless PERSISTED_OPERATIONS_ONLY says otherwise. */
export const persistedOnlyFromEnv = (env: Pick<GatewayEnv, 'NODE_ENV' | 'PERSISTED_OPERATIONS_ONLY'>): boolean =>
  (env.PERSISTED_OPERATIONS_ONLY ?? (env.NODE_ENV === 'production' ? 'true' : 'false')) === 'true';

/** The request limits the environment sets. */
export function requestLimitsFromEnv(env: GatewayEnv): RequestLimits {
  return requestLimits({
    maxDepth: env.LIMIT_MAX_DEPTH,
    maxAliases: env.LIMIT_MAX_ALIASES,
    maxDirectives: env.LIMIT_MAX_DIRECTIVES,
    maxTokens: env.LIMIT_MAX_TOKENS,
    maxRootFields: env.LIMIT_MAX_ROOT_FIELDS,
    maxCost: env.LIMIT_MAX_COST,
    assumedListSize: env.LIMIT_ASSUMED_LIST_SIZE,
    maxBodyBytes: env.LIMIT_MAX_BODY_BYTES,
    maxDocumentBytes: env.LIMIT_MAX_DOCUMENT_BYTES,
    maxVariablesDepth: env.LIMIT_MAX_VARIABLES_DEPTH,
    apqMaxEntries: env.APQ_MAX_ENTRIES,
    apqMaxBytes: env.APQ_MAX_BYTES,
  });
}

/** The subscription limits the environment sets. */
export function subscriptionSettingsFromEnv(env: GatewayEnv): SubscriptionSettings {
  return {
    connectionInitTimeoutMs: env.SUBSCRIPTION_INIT_TIMEOUT_MS,
    keepAliveMs: env.SUBSCRIPTION_KEEPALIVE_MS,
    maxSubscriptionsPerConnection: env.SUBSCRIPTIONS_PER_CONNECTION,
    maxConnectionsPerUser: env.SUBSCRIPTION_CONNECTIONS_PER_USER,
    maxConnectionsPerIp: env.SUBSCRIPTION_CONNECTIONS_PER_IP,
    queueCapacity: env.SUBSCRIPTION_QUEUE_CAPACITY,
    idleTimeoutMs: env.SUBSCRIPTION_IDLE_TIMEOUT_MS,
  };
}

export function subgraphUrlOverrides(env: GatewayEnv): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const name of ['products', 'users', 'orders', 'inventory', 'reviews'] as const) {
    const url = env[`${name.toUpperCase()}_SUBGRAPH_URL` as `${Uppercase<typeof name>}_SUBGRAPH_URL`];
    if (url) overrides[name] = url;
  }
  return overrides;
}
