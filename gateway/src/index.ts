import { readFile } from 'node:fs/promises';
import { assertNoDevSecretsInProduction, parseEnv, runService } from '@supergraph/service-kit';
import { gatewayEnvSchema, gatewayWorkers, persistedOnlyFromEnv, requestLimitsFromEnv, subgraphUrlOverrides, subscriptionSettingsFromEnv } from './config.ts';
import { createGateway } from './server.ts';
import { persistedLists } from '@supergraph/sdk/persisted-lists';
import { parsePartnerKeys } from './persisted-operations/trusted-documents.ts';
import { startRegistryMirror } from './workers/registry-mirror.ts';

/** The settings, refused at once when production would run on a development secret. */
function gatewayEnv() {
  const env = parseEnv(gatewayEnvSchema);
  assertNoDevSecretsInProduction(env.NODE_ENV, {
    JWT_SECRET: env.JWT_SECRET,
    INTERNAL_TOKEN_SECRET: env.INTERNAL_TOKEN_SECRET,
    ...(env.REGISTRY_URL ? { REGISTRY_TOKEN: env.REGISTRY_TOKEN } : {}),
  });
  return env;
}

// One process, or a primary and GATEWAY_WORKERS workers on one port (ADR 0020): each worker runs
// this start function; the primary polls the registry once for all of them. Not awaited: a
// CommonJS bundle cannot hold a top-level await (scripts/code-cache.ts); runService logs a failed
// start and exits 1 itself.
void runService('gateway', async (log) => {
  const env = gatewayEnv();
  if (env.REGISTRY_URL && env.PARTNER_API_KEYS) {
    log.warn('PARTNER_API_KEYS serves only until the schema registry answers; from then on partner keys are the registry’s (npm run registry -- partner-key …)');
  }
  const gateway = await createGateway({
    supergraphSdl: await readFile(env.SUPERGRAPH_FILE, 'utf8'),
    registry: env.REGISTRY_URL ? { url: env.REGISTRY_URL, token: env.REGISTRY_TOKEN, pollIntervalMs: env.REGISTRY_POLL_INTERVAL_MS } : undefined,
    subgraphUrls: subgraphUrlOverrides(env),
    userTokenSecret: env.JWT_SECRET,
    internalTokenSecret: env.INTERNAL_TOKEN_SECRET,
    development: env.NODE_ENV === 'development',
    log,
    resilience: { subgraphTimeoutMs: env.SUBGRAPH_TIMEOUT_MS },
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    trustProxy: env.TRUST_PROXY,
    rateLimit: { pointsPerMinute: env.RATE_LIMIT_PER_MINUTE, whenRedisDown: env.RATE_LIMIT_WHEN_REDIS_DOWN },
    apqTtlSeconds: env.APQ_TTL_SECONDS,
    limits: requestLimitsFromEnv(env),
    trustedDocuments: {
      // Without a registry (or until it answers): the lists generated with the SDK (frontend-sdk).
      lists: persistedLists(),
      partnerKeys: parsePartnerKeys(env.PARTNER_API_KEYS),
      persistedOnly: persistedOnlyFromEnv(env),
    },
    // Production: /metrics only on the internal metrics listener (METRICS_PORT), never on PORT.
    publicMetrics: env.NODE_ENV !== 'production',
    credentialAttempts: { perIp: env.AUTH_ATTEMPTS_PER_IP, perEmail: env.AUTH_ATTEMPTS_PER_EMAIL, windowSeconds: env.AUTH_ATTEMPTS_WINDOW_SECONDS },
    subscriptions: subscriptionSettingsFromEnv(env),
  });
  const running = await gateway.listen(env.PORT, env.HOST);
  return { url: `${running.url}/graphql`, close: () => gateway.close(), metrics: gateway.metrics };
}, {
  defaultPublicPort: 4000,
  cluster: (log) => {
    const env = gatewayEnv();
    const workers = gatewayWorkers(env);
    if (workers > 1 && !env.REDIS_URL) {
      log.warn({ workers }, 'GATEWAY_WORKERS > 1 without REDIS_URL: each worker keeps its own APQ store, rate limits and sign-in budgets (a client gets up to that many times its limits)');
    }
    return {
      workers,
      primary: env.REGISTRY_URL
        ? async ({ log: primaryLog, registry }) => {
            const mirror = await startRegistryMirror({ url: env.REGISTRY_URL!, token: env.REGISTRY_TOKEN, pollIntervalMs: env.REGISTRY_POLL_INTERVAL_MS, log: primaryLog, registry });
            return { env: mirror.workerEnv, close: mirror.close };
          }
        : undefined,
    };
  },
});
