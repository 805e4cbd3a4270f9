import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import express, { type RequestHandler, type Router } from 'express';
import { parse } from 'graphql';
import { z } from 'zod';
import { openDatabase, type DatabaseLocation } from './database.ts';
import { assertNoDevSecretsInProduction, databasePoolMaxSchema, databaseWaitMsSchema, internalTokenSecretSchema, nodeEnvSchema, parseEnv, portSchema, type NodeEnv } from './env.ts';
import { createEventBus, type EventBus } from './events.ts';
import { createSubscriptionServer } from './subscriptions.ts';
import { createResponseCachePurger, type ResponseCachePurger } from './response-cache.ts';
import { Counter } from 'prom-client';
import { createErrorFormatter } from './errors.ts';
import { AdmissionGate, admissionControlled, admissionLimitsFor, createAdmissionMetrics, type AdmissionLimits } from './admission.ts';
import { refuseNulBytesPlugin } from './nul-bytes.ts';
import { createListeners, createServiceApp, runService, type RunningServer } from './http.ts';
import { IDENTITY_HEADER, verifyIdentityToken, type Viewer } from './identity.ts';
import { privateWhenIdentityReadPlugin, withViewer } from './request-identity.ts';
import { createLogger, type Logger } from './logger.ts';
import { createServiceMetrics, type ServiceMetrics } from './metrics.ts';
import { applyMigrations } from './migrate.ts';
import { READINESS_QUERY } from './prisma.ts';
import { DEFAULT_SEED_PRODUCTS, seedPlan, type SeedPlan } from './seed-plan.ts';

export type { GraphQLResolverMap };

/** What the kit gives a subgraph's createContext; each subgraph adds its own per-request loaders. */
export interface RequestBase<Db> {
  db: Db;
  log: Logger;
  /** Purges the gateway's cached responses that hold an entity this request changed. */
  responseCache: ResponseCachePurger;
  /** The event bus: what subscription resolvers listen to and mutations announce on. */
  events: EventBus;
}

/** What every subgraph's resolvers receive. */
export interface RequestContext<Db> extends RequestBase<Db> {
  /** The caller, as the gateway vouches for it; reading it makes the response PRIVATE (request-identity.ts). */
  readonly viewer: Viewer | null;
}

interface Disconnectable {
  $disconnect(): Promise<void>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** What a subgraph's long-lived parts (clients, workers) are built from, once per process. */
export interface RuntimeDeps<Db, Extra> {
  db: Db;
  log: Logger;
  extra: Extra;
  events: EventBus;
  nodeEnv: NodeEnv;
  internalTokenSecret: string;
  responseCache: ResponseCachePurger;
  /** The service's registry, for metrics its runtime exports (outbox and order ages). */
  metrics: ServiceMetrics;
}

/** Long-lived parts of a subgraph beyond its database; closed before the database is. */
export interface SubgraphRuntime {
  close?(): Promise<void>;
}

/** Everything that makes one subgraph different from another; the rest is shared here. */
export interface SubgraphDefinition<
  Db extends Disconnectable,
  Ctx extends RequestContext<Db>,
  Extra = object,
  Runtime extends SubgraphRuntime = SubgraphRuntime,
> {
  name: string;
  defaultPort: number;
  /** Absolute path of the subgraph's SDL file. */
  schemaFile: string;
  /** Absolute path of the subgraph's `prisma/migrations` folder. */
  migrationsDir: string;
  resolvers: GraphQLResolverMap<Ctx>;
  createDb(database: DatabaseLocation, queriesCounter: Counter<'service'>): Db;
  /** Builds the per-request context: fresh DataLoaders every request, never shared. The kit adds `viewer`. */
  createContext(base: RequestBase<Db>, extra: Extra, runtime: Runtime): Omit<Ctx, 'viewer'>;
  /** Builds long-lived clients and starts background workers (after migrations and seed). */
  createRuntime?(deps: RuntimeDeps<Db, Extra>): Promise<Runtime>;
  /**
   * Service-to-service HTTP endpoints under /internal, for commands that are no part of the
   * public graph (orders asking inventory to reserve stock). Only SERVICE identities get in.
   */
  internalRoutes?(router: Router, runtime: Runtime, deps: RuntimeDeps<Db, Extra>): void;
  /** Service-specific settings, parsed from the environment with the common ones. */
  extraEnv?: z.ZodType<Extra>;
  /** Inserts the demo data set when the database is empty; returns what it inserted, or null. */
  seed?(db: Db, plan: SeedPlan, extra: Extra): Promise<Record<string, number> | null>;
}

/**
 * Where a subgraph's files are, by the layout every subgraph follows: `src/schema.graphql` and
 * `prisma/migrations`, given the `import.meta.url` of its `src/subgraph.ts`.
 */
export function subgraphFiles(subgraphModuleUrl: string): Pick<SubgraphDefinition<never, never>, 'schemaFile' | 'migrationsDir'> {
  return {
    schemaFile: fileURLToPath(new URL('./schema.graphql', subgraphModuleUrl)),
    migrationsDir: fileURLToPath(new URL('../prisma/migrations', subgraphModuleUrl)),
  };
}

export const subgraphEnvSchema = (name: string, defaultPort: number) =>
  z.object({
    NODE_ENV: nodeEnvSchema,
    HOST: z.string().default('127.0.0.1'),
    PORT: portSchema(defaultPort),
    DATABASE_URL: z.string().url().optional(),
    DATABASE_POOL_MAX: databasePoolMaxSchema,
    DATABASE_WAIT_MS: databaseWaitMsSchema,
    DATA_DIR: z.string().default(resolve('.data', name)),
    INTERNAL_TOKEN_SECRET: internalTokenSecretSchema(),
    SEED: z.enum(['demo', 'none']).optional(),
    SEED_PRODUCTS: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_SEED_PRODUCTS),
    REDIS_URL: z.string().url().optional(),
    REDIS_KEY_PREFIX: z.string().default('supergraph:'),
    EVENTS_CHANNEL_PREFIX: z.string().default('supergraph:'),
    // Admission control (admission.ts, ADR 0012); unset: derived from the database pool size.
    ADMISSION_MAX_CONCURRENT: z.coerce.number().int().min(1).max(10_000).optional(),
    ADMISSION_MAX_QUEUE: z.coerce.number().int().min(0).max(100_000).optional(),
    ADMISSION_QUEUE_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).optional(),
    ADMISSION_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3_600).optional(),
  });

export interface SubgraphOptions<Extra> {
  nodeEnv: 'development' | 'test' | 'production';
  databaseUrl?: string | undefined;
  databasePoolMax?: number | undefined;
  /** How long to wait for DATABASE_URL to accept connections (0: fail at once). */
  databaseWaitMs?: number;
  dataDir: string;
  internalTokenSecret: string;
  seed: 'demo' | 'none';
  seedProducts: number;
  extra: Extra;
  log?: Logger;
  redisUrl?: string | undefined;
  eventsChannelPrefix?: string;
  /** Must match the gateway's REDIS_KEY_PREFIX: purges address its response cache. */
  redisKeyPrefix?: string;
  /** Admission control of GraphQL requests; unset values are derived from the database pool (ADR 0012). */
  admission?: Partial<AdmissionLimits>;
}

export interface SubgraphService<Db> {
  name: string;
  db: Db;
  database: DatabaseLocation;
  metrics: ServiceMetrics;
  app: express.Express;
  /** Its GraphQL admission control: limits, and requests executing and waiting now. */
  admission: AdmissionGate;
  seeded: Record<string, number> | null;
  listen(port: number, host?: string): Promise<RunningServer>;
  close(): Promise<void>;
}

/** Builds a subgraph (database migrated and seeded, schema, HTTP app) without listening. */
export async function createSubgraph<Db extends Disconnectable, Ctx extends RequestContext<Db>, Extra, Runtime extends SubgraphRuntime>(
  definition: SubgraphDefinition<Db, Ctx, Extra, Runtime>,
  options: SubgraphOptions<Extra>,
): Promise<SubgraphService<Db>> {
  const log = options.log ?? createLogger(definition.name);
  const development = options.nodeEnv === 'development';
  const metrics = createServiceMetrics(definition.name);
  const database = await openDatabase({ url: options.databaseUrl, poolMax: options.databasePoolMax, waitMs: options.databaseWaitMs, dataDir: options.dataDir, log });
  const migrations = await applyMigrations(database.connectionString, definition.migrationsDir);
  if (migrations.applied.length > 0) log.info({ applied: migrations.applied }, 'migrations applied');
  const db = definition.createDb(database, metrics.dbQueries);

  let seeded: Record<string, number> | null = null;
  if (options.seed === 'demo' && definition.seed) {
    const started = Date.now();
    seeded = await definition.seed(db, seedPlan(options.seedProducts), options.extra);
    if (seeded) log.info({ seeded, ms: Date.now() - started }, 'demo data seeded');
  }

  const events = createEventBus({ redisUrl: options.redisUrl, channelPrefix: options.eventsChannelPrefix ?? 'supergraph:', log, registry: metrics.registry });
  const purges = new Counter({ name: 'response_cache_purges_total', help: 'Cached gateway responses this service purged because it changed an entity in them', registers: [metrics.registry] });
  const responseCache = createResponseCachePurger({ redisUrl: options.redisUrl, prefix: options.redisKeyPrefix ?? 'supergraph:', log, onPurge: (n) => purges.inc(n) });
  const deps: RuntimeDeps<Db, Extra> = {
    db,
    log,
    extra: options.extra,
    events,
    nodeEnv: options.nodeEnv,
    internalTokenSecret: options.internalTokenSecret,
    responseCache,
    metrics,
  };
  const runtime = definition.createRuntime ? await definition.createRuntime(deps) : ({} as Runtime);

  const schema = buildSubgraphSchema([{ typeDefs: parse(readFileSync(definition.schemaFile, 'utf8')), resolvers: definition.resolvers }]);
  const apollo = new ApolloServer<Ctx>({
    schema,
    includeStacktraceInErrorResponses: development,
    // runService owns SIGTERM/SIGINT (drain, exit 0): Apollo's handler would re-send the signal.
    stopOnTerminationSignals: false,
    introspection: development,
    formatError: createErrorFormatter({ development, log: (error) => log.error({ err: error }, 'unexpected resolver error') }),
    // Inline tracing is for Apollo's hosted studio, which this platform does not use.
    plugins: [
      refuseNulBytesPlugin<Ctx>(),
      ApolloServerPluginInlineTraceDisabled(),
      privateWhenIdentityReadPlugin(),
      ...(development ? [] : [ApolloServerPluginLandingPageDisabled()]),
    ],
  });
  await apollo.start();

  const admissionLimits = admissionLimitsFor(database.poolMax, options.admission);
  const admissionMetrics = createAdmissionMetrics(metrics.registry, admissionLimits);
  const admission = new AdmissionGate(admissionLimits, ({ active, queued }) => {
    admissionMetrics.inFlight.set(active);
    admissionMetrics.queueDepth.set(queued);
  });

  let internal: { guard: RequestHandler; router: RequestHandler } | undefined;
  if (definition.internalRoutes) {
    const router = express.Router();
    definition.internalRoutes(router, runtime, deps);
    internal = { guard: requireServiceIdentity(options.internalTokenSecret, definition.name), router };
  }
  const app = createServiceApp({
    service: definition.name,
    metrics,
    ready: async () => {
      await db.$queryRawUnsafe(READINESS_QUERY);
      return true;
    },
    bodyLimit: '2mb',
    publicMetrics: options.nodeEnv !== 'production',
    graphql: admissionControlled(
      { service: definition.name, gate: admission, metrics: admissionMetrics },
      expressMiddleware(apollo, {
        context: async ({ req, res }) => {
          const viewer = await viewerFromIdentityHeader(req.headers[IDENTITY_HEADER], options.internalTokenSecret, definition.name);
          const requestLog = log.child({ requestId: res.locals.requestId as string, traceId: res.locals.traceId as string });
          return withViewer(definition.createContext({ db, log: requestLog, responseCache, events }, options.extra, runtime), viewer) as Ctx;
        },
      }),
    ),
    internal,
  });

  const listeners = createListeners(app);
  // Subscription fields over graphql-ws on the same servers and path (ADR 0014).
  const subscriptions = createSubscriptionServer({
    schema,
    service: definition.name,
    internalTokenSecret: options.internalTokenSecret,
    log,
    context: (viewer) => withViewer(definition.createContext({ db, log, responseCache, events }, options.extra, runtime), viewer),
  });
  return {
    name: definition.name,
    db,
    database,
    metrics,
    app,
    admission,
    seeded,
    async listen(port, host) {
      const running = await listeners.listen(port, host);
      subscriptions.attach(running.server);
      return running;
    },
    async close() {
      await subscriptions.close();
      await listeners.closeAll();
      await apollo.stop();
      await runtime.close?.();
      await events.close();
      await responseCache.close();
      await db.$disconnect();
      await database.close();
    },
  };
}

/** Only an identity token minted for this service is trusted; anything else is an anonymous request. */
async function viewerFromIdentityHeader(header: string | string[] | undefined, secret: string, service: string): Promise<Viewer | null> {
  if (typeof header !== 'string' || header.length === 0) return null;
  const result = await verifyIdentityToken(header, secret, service);
  return result.ok ? result.viewer : null;
}

function requireServiceIdentity(secret: string, service: string): RequestHandler {
  return async (req, res, next) => {
    const viewer = await viewerFromIdentityHeader(req.headers[IDENTITY_HEADER], secret, service);
    if (viewer?.role !== 'SERVICE') {
      res.status(403).json({ error: { code: 'FORBIDDEN', message: 'Internal endpoint: services only' } });
      return;
    }
    next();
  };
}

/** The entry point of a subgraph process: parse env, build, listen, stop cleanly on signals. */
export async function runSubgraph<Db extends Disconnectable, Ctx extends RequestContext<Db>, Extra, Runtime extends SubgraphRuntime>(
  definition: SubgraphDefinition<Db, Ctx, Extra, Runtime>,
): Promise<void> {
  await runService(definition.name, async (log) => {
    const env = parseEnv(subgraphEnvSchema(definition.name, definition.defaultPort));
    const extra = definition.extraEnv ? parseEnv(definition.extraEnv) : ({} as Extra);
    assertNoDevSecretsInProduction(env.NODE_ENV, { INTERNAL_TOKEN_SECRET: env.INTERNAL_TOKEN_SECRET, ...secretsOf(extra) });
    const service = await createSubgraph(definition, {
      nodeEnv: env.NODE_ENV,
      databaseUrl: env.DATABASE_URL,
      databasePoolMax: env.DATABASE_POOL_MAX,
      databaseWaitMs: env.DATABASE_WAIT_MS,
      dataDir: env.DATA_DIR,
      internalTokenSecret: env.INTERNAL_TOKEN_SECRET,
      seed: env.SEED ?? (env.NODE_ENV === 'production' ? 'none' : 'demo'),
      seedProducts: env.SEED_PRODUCTS,
      extra,
      log,
      redisUrl: env.REDIS_URL,
      eventsChannelPrefix: env.EVENTS_CHANNEL_PREFIX,
      redisKeyPrefix: env.REDIS_KEY_PREFIX,
      admission: {
        maxConcurrent: env.ADMISSION_MAX_CONCURRENT,
        maxQueue: env.ADMISSION_MAX_QUEUE,
        queueTimeoutMs: env.ADMISSION_QUEUE_TIMEOUT_MS,
        retryAfterSeconds: env.ADMISSION_RETRY_AFTER_SECONDS,
      },
    });
    const running = await service.listen(env.PORT, env.HOST);
    return { url: `${running.url}/graphql`, close: () => service.close(), metrics: service.metrics };
  }, { defaultPublicPort: definition.defaultPort });
}

/** Extra settings whose names end in SECRET are secrets and get the production check too. */
function secretsOf(extra: unknown): Record<string, string> {
  if (!extra || typeof extra !== 'object') return {};
  return Object.fromEntries(
    Object.entries(extra as Record<string, unknown>).filter(
      (entry): entry is [string, string] => entry[0].endsWith('SECRET') && typeof entry[1] === 'string',
    ),
  );
}
