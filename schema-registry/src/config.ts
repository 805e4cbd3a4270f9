import { resolve } from 'node:path';
import { z } from 'zod';
import { nodeEnvSchema, portSchema, registryTokenSchema } from '@supergraph/service-kit';
import { parseRoutingUrlHosts } from './routing-urls.ts';

/** Every setting of the schema registry, parsed once at start-up (README lists them). */
export const registryEnvSchema = z.object({
  NODE_ENV: nodeEnvSchema,
  HOST: z.string().default('127.0.0.1'),
  PORT: portSchema(4100),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default(resolve('.data', 'schema-registry')),
  REGISTRY_ADMIN_TOKEN: registryTokenSchema('admin'),
  REGISTRY_PUBLISH_TOKEN: registryTokenSchema('publish'),
  REGISTRY_GATEWAY_TOKEN: registryTokenSchema('gateway'),
  /** Hosts routing URLs may point at (`host`, `host:port`, `*.domain`), comma-separated; unset: any (ADR 0011). */
  REGISTRY_ROUTING_URL_HOSTS: z.string().optional().transform(parseRoutingUrlHosts),
});
