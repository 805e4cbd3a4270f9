// What the code says about each deployable service: its default ports, the settings its schema
// knows, and the ones a pod must set. The manifest tests compare k8s/ against this.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, DEV_SECRET_MARK, defaultMetricsPort, subgraphEnvSchema } from '@supergraph/service-kit';
import { gatewayEnvSchema } from '../../gateway/src/config.ts';
import { registryEnvSchema } from '../../schema-registry/src/config.ts';
import { repoPath } from '../../scripts/paths.ts';
import { GATEWAY_PORT, REGISTRY_PORT, SUBGRAPHS } from '../../scripts/services.ts';
import { inventorySubgraph } from '../../subgraphs/inventory/src/subgraph.ts';
import { ordersSubgraph } from '../../subgraphs/orders/src/subgraph.ts';
import { productsSubgraph } from '../../subgraphs/products/src/subgraph.ts';
import { reviewsSubgraph } from '../../subgraphs/reviews/src/subgraph.ts';
import { usersSubgraph } from '../../subgraphs/users/src/subgraph.ts';

/**
 * Settings every service process reads outside its own schema: runService's (not exported by the
 * kit, so listed here and checked against its source below) and the logger's LOG_LEVEL.
 */
export const RUN_SERVICE_SETTINGS = ['HOST', 'METRICS_PORT', 'METRICS_HOST', 'SHUTDOWN_TIMEOUT_MS'] as const;
export function runServiceSettingsInSource(): { http: string; logger: string } {
  return { http: readFileSync(repoPath('packages/service-kit/src/http.ts'), 'utf8'), logger: readFileSync(repoPath('packages/service-kit/src/logger.ts'), 'utf8') };
}

export interface DeployableService {
  /** Its Deployment, Service and container name in k8s/. */
  name: string;
  port: number;
  metricsPort: number;
  /** Its settings schema(s), as the process parses them. */
  schemas: z.ZodObject<any>[];
}

const subgraphDefinitions = { products: productsSubgraph, users: usersSubgraph, orders: ordersSubgraph, inventory: inventorySubgraph, reviews: reviewsSubgraph } as const;

export const DEPLOYABLE_SERVICES: DeployableService[] = [
  { name: 'gateway', port: GATEWAY_PORT, metricsPort: defaultMetricsPort(GATEWAY_PORT), schemas: [gatewayEnvSchema] },
  { name: 'schema-registry', port: REGISTRY_PORT, metricsPort: defaultMetricsPort(REGISTRY_PORT), schemas: [registryEnvSchema] },
  ...SUBGRAPHS.map(({ name, port }) => {
    const definition = subgraphDefinitions[name];
    if (definition.defaultPort !== port) throw new Error(`${name}: scripts/services.ts says port ${port}, its definition ${definition.defaultPort}`);
    const extra = definition.extraEnv as z.ZodObject<any> | undefined;
    return { name, port, metricsPort: defaultMetricsPort(port), schemas: [subgraphEnvSchema(name, port), ...(extra ? [extra] : [])] };
  }),
];

export function knownSettings(service: DeployableService): Set<string> {
  // NODE_OPTIONS is read by node itself (the gateway's V8 flags, ADR 0019).
  return new Set([...service.schemas.flatMap((schema) => Object.keys(schema.shape)), ...RUN_SERVICE_SETTINGS, 'LOG_LEVEL', 'NODE_OPTIONS']);
}

/**
 * Settings a pod must set: every secret whose default is a development one (refused in
 * production), every setting whose default points at this machine's loopback (a pod's own
 * 127.0.0.1 has nothing on it, and HOST must listen beyond it), the database (without it a
 * service would run an embedded one on a read-only filesystem), Redis (replicas share events,
 * cache and rate limits through it) and the gateway's registry (ADR 0013: it takes its supergraph
 * from there).
 */
export function requiredSettings(service: DeployableService): Set<string> {
  const required = new Set<string>();
  for (const schema of service.schemas) {
    const defaults = schema.parse({ NODE_ENV: 'development' }) as Record<string, unknown>;
    for (const [key, value] of Object.entries(defaults)) {
      if (typeof value === 'string' && (value.startsWith(DEV_SECRET_MARK) || value.includes('127.0.0.1'))) required.add(key);
    }
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'REGISTRY_URL']) if (key in schema.shape) required.add(key);
  }
  return required;
}

export { DEFAULT_SHUTDOWN_TIMEOUT_MS };
