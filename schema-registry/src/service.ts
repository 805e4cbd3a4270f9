import { fileURLToPath } from 'node:url';
import {
  applyMigrations,
  createListeners,
  createLogger,
  createPrismaClient,
  createServiceApp,
  createServiceMetrics,
  openDatabase,
  READINESS_QUERY,
  type DatabaseLocation,
  type Logger,
  type RunningServer,
  type ServiceMetrics,
} from '@supergraph/service-kit';
import { PrismaClient } from './generated/prisma/client.ts';
import { registryErrorHandler, registryRoutes } from './http/routes.ts';
import { createRegistryMetrics } from './http/metrics.ts';
import { SchemaRegistry } from './registry.ts';
import { RegistryStore } from './store.ts';
import { RoutingUrlPolicy } from './routing-urls.ts';
import { partnerKeyAdministration, storeBootstrapTokens, tokenAdministration, type BootstrapTokens } from './tokens.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

export interface RegistryServiceOptions {
  databaseUrl?: string | undefined;
  /** Connections to DATABASE_URL (10 unless set; 1 for PGlite served over the wire). */
  databasePoolMax?: number | undefined;
  /** How long to wait for DATABASE_URL to accept connections (0: fail at once). */
  databaseWaitMs?: number;
  /** PGlite folder for the embedded default (`memory://` keeps nothing). */
  dataDir: string;
  tokens: BootstrapTokens;
  /** REGISTRY_ROUTING_URL_HOSTS: the hosts routing URLs may point at; empty: any (ADR 0011). */
  routingUrlHosts?: readonly string[];
  /** REGISTRY_SERVED_SCHEMA_TIMEOUT_MS: how long a subgraph may take to say what it serves (ADR 0013). */
  servedSchemaTimeoutMs?: number;
  log?: Logger;
  /** Serve /metrics on the public port too (default true; false in production). */
  publicMetrics?: boolean;
}

export interface RegistryService {
  registry: SchemaRegistry;
  database: DatabaseLocation;
  metrics: ServiceMetrics;
  listen(port: number, host?: string): Promise<RunningServer>;
  close(): Promise<void>;
}

/** Builds the schema registry (database migrated, tokens stored) without listening. */
export async function createRegistryService(options: RegistryServiceOptions): Promise<RegistryService> {
  const log = options.log ?? createLogger('schema-registry');
  const metrics = createServiceMetrics('schema-registry');
  const database = await openDatabase({ url: options.databaseUrl, poolMax: options.databasePoolMax, waitMs: options.databaseWaitMs, dataDir: options.dataDir, log });
  const migrations = await applyMigrations(database.connectionString, MIGRATIONS_DIR);
  if (migrations.applied.length > 0) log.info({ applied: migrations.applied }, 'migrations applied');
  const db = createPrismaClient(PrismaClient, database, metrics.dbQueries);
  const store = new RegistryStore(db);
  await storeBootstrapTokens(store, options.tokens);
  const registry = new SchemaRegistry(store, new RoutingUrlPolicy(options.routingUrlHosts), { timeoutMs: options.servedSchemaTimeoutMs ?? 5_000 });

  const router = registryRoutes(registry, createRegistryMetrics(metrics.registry, store), tokenAdministration(store, log), partnerKeyAdministration(store, log));
  const app = createServiceApp({
    service: 'schema-registry',
    metrics,
    ready: async () => {
      await db.$queryRawUnsafe(READINESS_QUERY);
      return true;
    },
    bodyLimit: '5mb',
    publicMetrics: options.publicMetrics ?? true,
    api: { path: '/v1', router, errorHandler: registryErrorHandler(log) },
  });
  const listeners = createListeners(app);
  return {
    registry,
    database,
    metrics,
    listen: listeners.listen,
    async close() {
      await listeners.closeAll();
      await db.$disconnect();
      await database.close();
    },
  };
}
