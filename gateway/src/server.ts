import { createHash } from 'node:crypto';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import {
  createErrorFormatter,
  refuseNulBytesPlugin,
  createServiceApp,
  createServiceMetrics,
  createListeners,
  type Logger,
  type RunningServer,
  type ServiceMetrics,
  type Viewer,
} from '@supergraph/service-kit';
import { httpCachePolicyPlugins, noStoreByDefault } from './http-cache-policy.ts';
import { authenticate, identityTokenMinter, identityTokenTtlSeconds, refuseFailedAuthentication } from './auth.ts';
import { RedisApqCache } from './apq-cache.ts';
import { rateLimitMiddleware, type RateLimitConfig } from './rate-limit.ts';
import { createGatewayRedis } from './redis.ts';
import { RegistrySource } from './registry-source.ts';
import { createRequestMetrics } from './request-metrics.ts';
import { credentialAttemptsPlugin, DEFAULT_CREDENTIAL_ATTEMPT_LIMITS, type CredentialAttemptLimits } from './credential-attempts.ts';
import { edgeResponseCache, responseCacheMetrics, responseCachePlugin, type ResponseCacheLookup } from './response-cache.ts';
import { queryPlanMetrics, warmQueryPlans } from './plan-warmup.ts';
import { identifyPartner, partnerKeyDigests, trustedDocumentsMiddleware, type TrustedDocumentsConfig } from './persisted-operations/trusted-documents.ts';
import type { GatewayContext } from './context.ts';
import { documentLimitGuard, requestLimitProtection, requestLimits, type RequestLimits } from './limits.ts';
import { CostDirectivesBySchema } from './query-cost.ts';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { SubgraphDataSource } from './subgraph-data-source.ts';
import { createSubscriptionGateway, type SubscriptionSettings } from './subscriptions/subscription-server.ts';
import { createSubgraphFetcher, type SubgraphFetcherOptions } from './subgraph-fetcher.ts';
import { createSubgraphFetchMetrics, supergraphVersionMetric } from './gateway-metrics.ts';
import { overloadRefusalPlugin } from './overload-refusal.ts';
import { DEFAULT_TRUST_PROXY, clientAddress, trustedProxies } from './client-address.ts';
import { edgeQueryCoalescing, publicQueryCoalescingPlugin } from './public-query-coalescing.ts';

export interface GatewayOptions {
  /** The supergraph to serve; with a registry, only until the registry answers. */
  supergraphSdl: string;
  /** Take the supergraph and persisted operation lists from the schema registry, hot-reloaded. */
  registry?: { url: string; token: string; pollIntervalMs: number } | undefined;
  /** Subgraph name -> URL, overriding the routing URLs composed into the supergraph. */
  subgraphUrls: Record<string, string>;
  userTokenSecret: string;
  internalTokenSecret: string;
  development: boolean;
  log: Logger;
  /** Per-subgraph fetch timeout and circuit breaker. */
  resilience?: Partial<GatewayResilience>;
  /** Shared state of all replicas (APQ, rate limits); without it, in-process equivalents. */
  redisUrl?: string | undefined;
  /** Namespaces this deployment's keys in a shared Redis. */
  redisKeyPrefix?: string;
  /** Peers whose X-Forwarded-For names the client (client-address.ts); default `loopback`. */
  trustProxy?: string;
  rateLimit?: RateLimitConfig;
  apqTtlSeconds?: number;
  /** Request limits and APQ store bounds; unset ones keep REQUEST_LIMITS (ADR 0006). */
  limits?: Partial<RequestLimits>;
  /** Whole-response cache in Redis (on by default when Redis is configured). */
  responseCache?: boolean;
  /** Work shared between concurrent client requests (ADR 0019); both on unless turned off. */
  sharing?: Partial<RequestSharing>;
  /** Persisted operation lists and the partners' API keys. */
  trustedDocuments?: TrustedDocumentsConfig;
  /** Serve /metrics on the public port too (default true; false in production: only the internal metrics listener). */
  publicMetrics?: boolean;
  /** Failed sign-up/log-in budgets per client IP and per e-mail (ADR 0010). */
  credentialAttempts?: CredentialAttemptLimits;
  /** Limits of subscriptions over graphql-ws (ADR 0014); unset ones keep DEFAULT_SUBSCRIPTION_SETTINGS. */
  subscriptions?: Partial<SubscriptionSettings>;
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { pointsPerMinute: 600, whenRedisDown: 'open' };

export interface RequestSharing {
  /** Identical subgraph fetches in flight at once (same subgraph, body and identity) share one answer. */
  subgraphFetches: boolean;
  /** Identical PUBLIC queries in flight at once share one execution at the edge. */
  publicQueries: boolean;
}

export interface GatewayResilience {
  subgraphTimeoutMs: number;
  breaker: SubgraphFetcherOptions['breaker'];
}

export const DEFAULT_RESILIENCE: GatewayResilience = {
  subgraphTimeoutMs: 10_000,
  // Open after half of at least 5 fetches in 10 s failed; try again after 5 s.
  breaker: { errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 5_000, rollingCountMs: 10_000 },
};

export interface Gateway {
  app: express.Express;
  metrics: ServiceMetrics;
  listen(port: number, host?: string): Promise<RunningServer>;
  close(): Promise<void>;
}

/** Builds the gateway (supergraph loaded, plan-ready) without listening. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const metrics = createServiceMetrics('gateway');
  const resilience = { ...DEFAULT_RESILIENCE, ...options.resilience };
  const sharing: RequestSharing = { subgraphFetches: true, publicQueries: true, ...options.sharing };
  const fetchMetrics = createSubgraphFetchMetrics(metrics.registry);
  const fileLists = options.trustedDocuments?.lists ?? new Map<string, ReadonlyMap<string, string>>();
  const envPartnerKeys = partnerKeyDigests(options.trustedDocuments?.partnerKeys ?? new Map());
  const showSupergraphVersion = supergraphVersionMetric(metrics.registry);
  showSupergraphVersion('file', 'none', createHash('sha256').update(options.supergraphSdl).digest('hex')); // until a registry's loads
  const registrySource = options.registry
    ? new RegistrySource({
        ...options.registry,
        fallbackSupergraphSdl: options.supergraphSdl,
        fallbackLists: fileLists,
        fallbackPartnerKeys: envPartnerKeys,
        log: options.log,
        registry: metrics.registry,
        showVersion: showSupergraphVersion,
      })
    : undefined;
  await registrySource?.loadInitialOperationLists();
  const operationLists = registrySource?.operationLists ?? fileLists;
  const partnerKeys = registrySource?.partnerKeys ?? envPartnerKeys; // digest -> client, live with a registry
  const dataSources = new Map<string, SubgraphDataSource>(); // for subscriptions' per-event plans
  // @apollo/gateway, unless told otherwise, probes four clouds' metadata addresses when it is
  // created and reports usage to Apollo every hour (ADR 0023): a platform does not phone home.
  // An operator who wants it sets APOLLO_TELEMETRY_DISABLED=false.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: registrySource ? registrySource.supergraphManager() : options.supergraphSdl,
    buildService: ({ name, url }) => {
      const dataSource = new SubgraphDataSource({
        subgraph: name,
        url: options.subgraphUrls[name] ?? url,
        fetcher: createSubgraphFetcher({
          subgraph: name,
          timeoutMs: resilience.subgraphTimeoutMs,
          breaker: resilience.breaker,
          metrics: fetchMetrics,
          log: options.log,
          shareInFlight: sharing.subgraphFetches,
        }),
      });
      dataSources.set(name, dataSource);
      return dataSource;
    },
    logger: options.log,
  });
  const keyPrefix = options.redisKeyPrefix ?? 'supergraph:';
  const redis = options.redisUrl ? createGatewayRedis(options.redisUrl, options.log, metrics.registry) : null;
  // Serve with Redis from the first request when it is there; start without it when it is not.
  await redis?.firstAttempt;
  const identityTtl = identityTokenTtlSeconds(resilience.subgraphTimeoutMs);
  const limits = requestLimits(options.limits);
  // The cost directives are in the supergraph, not in the API schema requests run on.
  const costDirectives = new CostDirectivesBySchema();
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => costDirectives.update(apiSchema, coreSupergraphSdl));
  // Cached responses belong to the supergraph they were executed on (responseCacheHash).
  let supergraphHash = '';
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    supergraphHash = createHash('sha256').update(coreSupergraphSdl).digest('hex');
  });
  const currentSupergraph = () => supergraphHash;
  const protection = requestLimitProtection(limits, (schema) => costDirectives.for(schema));
  const errorFormatter = createErrorFormatter({
    development: options.development,
    log: (error) => options.log.error({ err: error }, 'unexpected gateway error'),
  });
  const trust = trustedProxies(options.trustProxy ?? DEFAULT_TRUST_PROXY);
  // Before apollo.start(): it follows every supergraph load, the first included.
  const subscriptions = createSubscriptionGateway({
    gateway,
    clientAddress: (request) => clientAddress(request, trust),
    dataSources,
    limits,
    costDirectives: (schema) => costDirectives.for(schema),
    operationLists,
    partnerKeys,
    publicList: options.trustedDocuments?.publicList,
    persistedOnly: options.trustedDocuments?.persistedOnly,
    userTokenSecret: options.userTokenSecret,
    internalTokenSecret: options.internalTokenSecret,
    identityTtlSeconds: identityTtl,
    formatError: errorFormatter,
    log: options.log,
    registry: metrics.registry,
    settings: options.subscriptions,
  });
  const apqTtlSeconds = options.apqTtlSeconds ?? 86_400;
  const requestMetrics = createRequestMetrics(metrics.registry, operationLists);
  const cacheMetrics = redis && options.responseCache !== false ? responseCacheMetrics(metrics.registry) : null;
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    validationRules: protection.validationRules,
    // Automatic persisted queries: shared by all replicas through Redis, else in-process.
    persistedQueries: {
      cache: redis
        ? new RedisApqCache(redis, `${keyPrefix}apq:`, { ttlSeconds: apqTtlSeconds, maxEntryBytes: limits.maxDocumentBytes, maxEntries: limits.apqMaxEntries, maxBytes: limits.apqMaxBytes })
        : new InMemoryLRUCache<string>({ maxSize: limits.apqMaxBytes, max: limits.apqMaxEntries, ttl: apqTtlSeconds * 1000 }),
    },
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: options.development,
    // runService owns SIGTERM/SIGINT (drain, exit 0): Apollo's handler would re-send the signal.
    stopOnTerminationSignals: false,
    introspection: options.development,
    formatError: errorFormatter,
    // graphql-armor is typed against Apollo's CommonJS declarations; the plugins are the same objects.
    plugins: [
      // NUL in any input is refused here already, before the plan runs (the subgraphs refuse it too).
      refuseNulBytesPlugin<GatewayContext>(),
      requestMetrics.plugin,
      credentialAttemptsPlugin(options.credentialAttempts ?? DEFAULT_CREDENTIAL_ATTEMPT_LIMITS, redis, keyPrefix),
      ...httpCachePolicyPlugins<GatewayContext>(),
      overloadRefusalPlugin<GatewayContext>(), // a subgraph's overload refusal and nothing else: 503 + Retry-After (ADR 0012)
      ...(cacheMetrics ? [responseCachePlugin(redis!, keyPrefix, currentSupergraph, cacheMetrics)] : []),
      // After the response cache: a hit never waits; a miss joins an identical query in flight.
      ...(sharing.publicQueries ? [publicQueryCoalescingPlugin(metrics.registry, resilience.subgraphTimeoutMs)] : []),
      ...(protection.plugins as ApolloServerPlugin<GatewayContext>[]), ...(options.development ? [] : [ApolloServerPluginLandingPageDisabled()])],
  });
  // Plan every listed operation whenever a supergraph is loaded (the store is cleared on each load).
  const plansWarmed = queryPlanMetrics(gateway, metrics.registry);
  const listedDocuments = () => [...operationLists.values()].flatMap((list) => [...list.values()]);
  const warm = () =>
    warmQueryPlans(gateway, listedDocuments(), options.log).then((count) => {
      plansWarmed.set(count);
      options.log.info({ planned: count }, 'query plans warmed');
    });
  let started = false;
  gateway.onSchemaLoadOrUpdate(() => {
    if (started) void warm(); // later loads; the first is warmed below, before we serve
  });
  registrySource?.onOperationListsChange(() => void warm());
  await apollo.start();
  started = true;
  await warm();

  // Ready once the supergraph is loaded (apollo.start() resolved); subgraphs may come and go.
  const app = createServiceApp({
    service: 'gateway',
    metrics,
    ready: async () => true,
    bodyLimit: limits.maxBodyBytes,
    publicMetrics: options.publicMetrics ?? true,
    graphql: [
      noStoreByDefault,
      authenticate(options.userTokenSecret),
      identifyPartner(partnerKeys), // before the rate limit: an unknown API key is charged to its IP
      rateLimitMiddleware(options.rateLimit ?? DEFAULT_RATE_LIMIT, redis, keyPrefix),
      refuseFailedAuthentication, // after the rate limit: a bad token is charged to its IP
      trustedDocumentsMiddleware({ lists: operationLists, publicList: options.trustedDocuments?.publicList, persistedOnly: options.trustedDocuments?.persistedOnly }),
      documentLimitGuard(limits),
      ...(cacheMetrics ? [edgeResponseCache(redis!, keyPrefix, currentSupergraph, cacheMetrics, requestMetrics.record)] : []),
      ...(sharing.publicQueries ? [edgeQueryCoalescing(metrics.registry, resilience.subgraphTimeoutMs, requestMetrics.record)] : []),
      expressMiddleware(apollo, {
        context: async ({ req, res }) => {
          const viewer = (res.locals.viewer as Viewer | null | undefined) ?? null;
          return {
            viewer,
            identityToken: identityTokenMinter(viewer, options.internalTokenSecret, identityTtl),
            requestId: res.locals.requestId as string,
            clientIp: req.ip ?? 'unknown',
            responseCacheChecked: res.locals.responseCacheChecked as ResponseCacheLookup | undefined,
            edgeLocals: res.locals,
          };
        },
      }),
    ],
  });

  app.set('trust proxy', trust); // req.ip: the same client as a subscription's
  const listeners = createListeners(app);
  return {
    app,
    metrics,
    async listen(port, host) {
      const running = await listeners.listen(port, host);
      subscriptions.attach(running.server); // graphql-ws on the same port and path (ADR 0014)
      return running;
    },
    async close() {
      await subscriptions.close();
      await listeners.closeAll();
      await apollo.stop();
      redis?.client.disconnect();
    },
  };
}
