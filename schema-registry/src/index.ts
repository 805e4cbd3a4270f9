import { assertNoDevSecretsInProduction, parseEnv, runService } from '@supergraph/service-kit';
import { registryEnvSchema } from './config.ts';
import { createRegistryService } from './service.ts';

// Not awaited: a CommonJS bundle cannot hold a top-level await (scripts/code-cache.ts); runService logs a failed start and exits 1 itself.
void runService('schema-registry', async (log) => {
  const env = parseEnv(registryEnvSchema);
  assertNoDevSecretsInProduction(env.NODE_ENV, {
    REGISTRY_ADMIN_TOKEN: env.REGISTRY_ADMIN_TOKEN,
    REGISTRY_PUBLISH_TOKEN: env.REGISTRY_PUBLISH_TOKEN,
    REGISTRY_GATEWAY_TOKEN: env.REGISTRY_GATEWAY_TOKEN,
  });
  const service = await createRegistryService({
    databaseUrl: env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    databaseWaitMs: env.DATABASE_WAIT_MS,
    dataDir: env.DATA_DIR,
    tokens: { admin: env.REGISTRY_ADMIN_TOKEN, publisher: env.REGISTRY_PUBLISH_TOKEN, gateway: env.REGISTRY_GATEWAY_TOKEN },
    routingUrlHosts: env.REGISTRY_ROUTING_URL_HOSTS,
    servedSchemaTimeoutMs: env.REGISTRY_SERVED_SCHEMA_TIMEOUT_MS,
    log,
    // Production: /metrics only on the internal metrics listener (METRICS_PORT), never on PORT.
    publicMetrics: env.NODE_ENV !== 'production',
  });
  const running = await service.listen(env.PORT, env.HOST);
  return { url: `${running.url}/v1`, close: () => service.close(), metrics: service.metrics };
}, { defaultPublicPort: 4100 });
