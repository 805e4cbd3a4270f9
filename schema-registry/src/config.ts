import { resolve } from 'node:path';
import { z } from 'zod';
import { databasePoolMaxSchema, databaseWaitMsSchema, nodeEnvSchema, portSchema, registryTokenSchema } from '@supergraph/service-kit';
import { parseRoutingUrlHosts } from './routing-urls.ts';

/** Every setting of the schema registry, parsed once at start-up (README lists them). */
export const registryEnvSchema = z.object({
  NODE_ENV: nodeEnvSchema,
  HOST: z.string().default('127.0.0.1'),
  PORT: portSchema(4100),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_MAX: databasePoolMaxSchema,
  DATABASE_WAIT_MS: databaseWaitMsSchema,
  DATA_DIR: z.string().default(resolve('.data', 'schema-registry')),
  REGISTRY_ADMIN_TOKEN: registryTokenSchema('admin'),
  REGISTRY_PUBLISH_TOKEN: registryTokenSchema('publish'),
  REGISTRY_GATEWAY_TOKEN: registryTokenSchema('gateway'),
  /** Hosts routing URLs may point at (`host`, `host:port`, `*.domain`), comma-separated; unset: any (ADR 0011). */
  REGISTRY_ROUTING_URL_HOSTS: z.string().optional().transform(parseRoutingUrlHosts),
  /** How long a subgraph may take to answer `{ _service { sdl } }` when its publish is checked (ADR 0013). */
  REGISTRY_SERVED_SCHEMA_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
});
