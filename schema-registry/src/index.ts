import { assertNoDevSecretsInProduction, createLogger, onShutdownSignal, parseEnv } from '@supergraph/service-kit';
import { registryEnvSchema } from './config.ts';
import { createRegistryService } from './service.ts';

const log = createLogger('schema-registry');
try {
  const env = parseEnv(registryEnvSchema);
  assertNoDevSecretsInProduction(env.NODE_ENV, {
    REGISTRY_ADMIN_TOKEN: env.REGISTRY_ADMIN_TOKEN,
    REGISTRY_PUBLISH_TOKEN: env.REGISTRY_PUBLISH_TOKEN,
    REGISTRY_GATEWAY_TOKEN: env.REGISTRY_GATEWAY_TOKEN,
  });
  const service = await createRegistryService({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    tokens: { admin: env.REGISTRY_ADMIN_TOKEN, publisher: env.REGISTRY_PUBLISH_TOKEN, gateway: env.REGISTRY_GATEWAY_TOKEN },
    log,
  });
  const running = await service.listen(env.PORT, env.HOST);
  log.info({ url: `${running.url}/v1` }, 'schema registry ready');
  onShutdownSignal(() => service.close(), log);
} catch (error) {
  log.fatal({ err: error }, 'schema registry failed to start');
  process.exit(1);
}
