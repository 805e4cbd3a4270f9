import { resolve } from 'node:path';
import { z } from 'zod';
import { nodeEnvSchema, portSchema, secretWithDevDefault } from '@supergraph/service-kit';

/** The registry's tokens: development defaults are marked and refused in production. */
export const registryTokenSchemas = {
  REGISTRY_ADMIN_TOKEN: () => secretWithDevDefault('REGISTRY_ADMIN_TOKEN', 'registry-admin-token-change-me!!'),
  REGISTRY_PUBLISH_TOKEN: () => secretWithDevDefault('REGISTRY_PUBLISH_TOKEN', 'registry-publish-token-change-me!'),
  REGISTRY_GATEWAY_TOKEN: () => secretWithDevDefault('REGISTRY_GATEWAY_TOKEN', 'registry-gateway-token-change-me!'),
};

/** Every setting of the schema registry, parsed once at start-up (README lists them). */
export const registryEnvSchema = z.object({
  NODE_ENV: nodeEnvSchema,
  HOST: z.string().default('127.0.0.1'),
  PORT: portSchema(4100),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default(resolve('.data', 'schema-registry')),
  REGISTRY_ADMIN_TOKEN: registryTokenSchemas.REGISTRY_ADMIN_TOKEN(),
  REGISTRY_PUBLISH_TOKEN: registryTokenSchemas.REGISTRY_PUBLISH_TOKEN(),
  REGISTRY_GATEWAY_TOKEN: registryTokenSchemas.REGISTRY_GATEWAY_TOKEN(),
});
