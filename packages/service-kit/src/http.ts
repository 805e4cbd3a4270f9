import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { z } from 'zod';
import { ConfigError, parseEnv, portSchema } from './env.ts';
import { exitWorkerOnStopUntilReady, serveAsWorker, superviseWorkers, workerSlot, type ClusterPlan, type Workers } from './cluster.ts';
import { createLogger, type Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';
import { requestIdMiddleware } from './request-id.ts';
import { tracingMiddleware } from './tracing.ts';
import { drainThenExit } from './drain.ts';
import { defaultMetricsPort } from './ports.ts';

/**
 * The routes every service exposes besides /graphql: liveness, readiness (ready only when the
 * service's dependencies answer) and, outside production, Prometheus metrics (which always have
 * their own internal listener too: createMetricsApp, runService).
 */
export interface ServiceAppOptions {
  /** The service's name, on its trace spans. */
  service: string;
  metrics: ServiceMetrics;
  ready: () => Promise<boolean>;
  /** The GraphQL handler (Apollo's Express middleware), mounted at /graphql behind a JSON body parser. */
  graphql?: RequestHandler | RequestHandler[];
  /** A JSON HTTP API (the schema registry's), mounted at `path` behind a JSON body parser. */
  api?: { path: string; router: RequestHandler; errorHandler: ErrorRequestHandler };
  bodyLimit: string | number;
  /** Service-to-service endpoints at /internal, behind their own access check. */
  internal?: { guard: RequestHandler; router: RequestHandler };
  /**
   * Also serve /metrics on this (public) app: true in development and tests; false in production,
   * where metrics (supergraph hash, Redis state, breakers…) are only on the internal metrics port.
   */
  publicMetrics?: boolean;
}

export function createServiceApp(options: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  const underApi = (path: string) => options.api !== undefined && (path === options.api.path || path.startsWith(`${options.api.path}/`));
  app.use((req, res, next) => {
    const route = req.path === '/graphql' ? '/graphql' : underApi(req.path) ? options.api!.path : 'other';
    const end = options.metrics.httpRequests.startTimer({ route });
    res.on('finish', () => end({ status: String(res.statusCode) }));
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await options.ready().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
  });
  if (options.publicMetrics ?? true) app.get('/metrics', metricsHandler(options.metrics));
  if (options.graphql) {
    app.use('/graphql', graphqlMethods, tracingMiddleware(options.service), requestIdMiddleware(), express.json({ limit: options.bodyLimit }), options.graphql);
  }
  if (options.api) app.use(options.api.path, tracingMiddleware(options.service), requestIdMiddleware(), express.json({ limit: options.bodyLimit }), options.api.router, options.api.errorHandler);
  if (options.internal) app.use('/internal', options.internal.guard, express.json({ limit: options.bodyLimit }), options.internal.router);
  // Any other path or method: JSON with a stable code, in the shape its clients read (the API's
  // own, else GraphQL's), not Express's HTML page. The path is not echoed (it is the caller's input).
  app.use((req, res) => {
    const message = `No such route: ${req.method}`;
    if (underApi(req.path)) res.status(404).json({ error: { code: 'NOT_FOUND', message } });
    else res.status(404).json({ errors: [{ message, extensions: { code: 'NOT_FOUND' } }] });
  });
  app.use(requestErrorHandler);
  return app;
}

/**
 * GraphQL over HTTP is GET and POST. Any other method (a CORS preflight's OPTIONS, HEAD, DELETE) is
 * 405 naming them, not Apollo's CSRF refusal (400), which tells a caller something else is wrong.
 */
const graphqlMethods: RequestHandler = (req, res, next) => {
  if (req.method === 'GET' || req.method === 'POST') return next();
  res.status(405).setHeader('allow', 'GET, POST');
  res.json({ errors: [{ message: `${req.method} is not served here: send POST, or GET for a query`, extensions: { code: 'METHOD_NOT_ALLOWED' } }] });
};

/** What a metrics route serves: a service's registry, or the whole cluster's exposition (cluster.ts). */
interface MetricsSource {
  registry: { contentType: string; metrics(): Promise<string> };
}

const metricsHandler =
  (metrics: MetricsSource): RequestHandler =>
  async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };

/**
 * The internal metrics listener's app: GET /metrics and nothing else. It listens on its own port
 * (METRICS_PORT), which a deployment exposes to its Prometheus only, never to clients.
 */
export function createMetricsApp(metrics: MetricsSource): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler(metrics));
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'Only /metrics is served here' } });
  });
  return app;
}

/**
 * Bodies that never reach GraphQL (malformed JSON, too large) get a GraphQL-shaped error with a
 * stable code instead of Express's default HTML page, which carries a stack trace in development.
 */
const requestErrorHandler: ErrorRequestHandler = (error: { status?: number; type?: string }, _req, res, _next) => {
  const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
  const message =
    error.type === 'entity.too.large'
      ? 'Request body too large'
      : error.type === 'entity.parse.failed'
        ? 'Request body is not valid JSON'
        : status === 500
          ? 'Internal server error'
          : 'Bad request';
  res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
};

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(app: Express, port: number, host: string): Promise<RunningServer> {
  const server = createServer(app);
  // Keep-alive longer than typical load balancers' idle timeout, so they close first.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  // Once closing, a request that still arrives on a kept-alive connection is its last one.
  let closing = false;
  server.prependListener('request', (_req, res) => {
    if (closing) res.setHeader('connection', 'close');
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    server,
    port: address.port,
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Requests in flight finish; their keep-alive connections are closed as soon as they go
        // idle. Otherwise a client polling over one (a gateway polling the registry) holds the
        // close open for as long as it keeps polling.
        closing = true;
        const sweep = setInterval(() => server.closeIdleConnections(), 100);
        server.close(() => {
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/**
 * The listeners of one app: a service may listen more than once (tests), and closing it must
 * close every listener before its dependencies (Apollo, the database) go away.
 */
export function createListeners(app: Express) {
  const servers: RunningServer[] = [];
  return {
    async listen(port: number, host = '127.0.0.1'): Promise<RunningServer> {
      const running = await listen(app, port, host);
      servers.push(running);
      return running;
    },
    closeAll: () => Promise.all(servers.map((s) => s.close())).then(() => undefined),
  };
}

/** How long a service drains on SIGTERM/SIGINT before it exits anyway (SHUTDOWN_TIMEOUT_MS). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

/**
 * The one owner of SIGINT/SIGTERM in a service process (Apollo Server's own handlers are off:
 * `stopOnTerminationSignals: false`, because it re-sends the signal after stopping, which would
 * look like a second one here). The first signal runs `stop` (listeners stop accepting, requests
 * in flight finish, then dependencies close) and exits 0; a failed stop exits 1. A second signal
 * exits at once (1), and so does a drain that outlives `timeoutMs` (Kubernetes' default grace
 * period is 30 s: 25 s leaves it time to spare).
 */
export function onShutdownSignal(
  stop: () => Promise<void>,
  log: { info: (msg: string) => void; error: (obj: unknown, msg: string) => void },
  options: { timeoutMs?: number } = {},
) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.error({ signal }, `${signal} received again while draining: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal} received: finishing requests in flight (at most ${timeoutMs} ms), then exiting`);
    drainThenExit(stop, log, timeoutMs);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

const runServiceEnvSchema = (defaultPort: number) =>
  z.object({
    HOST: z.string().default('127.0.0.1'),
    /** The internal metrics listener's port (each service has its own default: defaultMetricsPort). */
    METRICS_PORT: portSchema(defaultPort),
    /** Its interface; unset: HOST. */
    METRICS_HOST: z.string().optional(),
    /** How long SIGTERM/SIGINT may drain requests in flight before the process exits anyway. */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(DEFAULT_SHUTDOWN_TIMEOUT_MS),
  });

/**
 * A service process's entry point (each subgraph, the gateway, the registry): `start` parses its
 * settings, builds and listens; its metrics get their own internal listener (METRICS_PORT); then
 * the URLs are logged and signals stop it cleanly (onShutdownSignal: drain, exit 0). A failure to
 * start is logged and exits 1, so a launcher or an orchestrator sees it at once.
 *
 * With `cluster` (the gateway, ADR 0020) and more than one worker planned, this process becomes
 * the primary: it forks the workers (each runs `start` and listens on the same port), serves
 * every worker's metrics on METRICS_PORT, and owns the signals; a worker drains when the primary
 * says so. Without it, or with one worker, nothing changes.
 */
export async function runService(
  name: string,
  start: (log: Logger) => Promise<{ url: string; close(): Promise<void>; metrics: ServiceMetrics }>,
  options: { defaultPublicPort: number; cluster?: (log: Logger) => ClusterPlan },
): Promise<void> {
  const slot = workerSlot();
  const log = slot === undefined ? createLogger(name) : createLogger(name).child({ worker: slot });
  try {
    // Parsed here, once, for every service alike: its internal metrics listener, its drain deadline.
    const env = parseEnv(runServiceEnvSchema(defaultMetricsPort(options.defaultPublicPort)));
    if (slot !== undefined) {
      const untilReady = exitWorkerOnStopUntilReady();
      const service = await start(log);
      untilReady();
      serveAsWorker(service, log, { timeoutMs: env.SHUTDOWN_TIMEOUT_MS });
      log.debug({ url: service.url }, 'worker ready');
      return;
    }
    const plan = options.cluster?.(log);
    if (plan && plan.workers > 1) {
      await runPrimary(name, plan, log, env);
      return;
    }
    const service = await start(log);
    const metrics = await listen(createMetricsApp(service.metrics), env.METRICS_PORT, env.METRICS_HOST ?? env.HOST);
    log.info({ url: service.url, metrics: `${metrics.url}/metrics` }, `${name} ready`);
    onShutdownSignal(
      async () => {
        await service.close();
        await metrics.close();
      },
      log,
      { timeoutMs: env.SHUTDOWN_TIMEOUT_MS },
    );
  } catch (error) {
    // A setting to fix: the message says which; a stack trace would only bury it.
    if (error instanceof ConfigError) log.fatal(`${name} failed to start: ${error.message}`);
    else log.fatal({ err: error }, `${name} failed to start`);
    process.exit(1);
  }
}

/** The primary of a clustered service: its own work, the workers, one metrics listener, the signals. */
async function runPrimary(name: string, plan: ClusterPlan, log: Logger, env: z.infer<ReturnType<typeof runServiceEnvSchema>>): Promise<void> {
  const registry = new Registry();
  registry.setDefaultLabels({ service: name });
  collectDefaultMetrics({ register: registry });
  // The signals are the primary's before any worker starts: the first worker serves as soon as it
  // listens, maybe long before the last one is ready, and a signal's default action would end the
  // primary and so (node:cluster) its workers with their requests.
  let stopping = false;
  let own: { env?: Record<string, string>; close(): Promise<void> } | undefined;
  let workers: Workers | undefined;
  let metrics: RunningServer | undefined;
  onShutdownSignal(
    async () => {
      stopping = true;
      await workers?.stop();
      await metrics?.close();
      await own?.close();
    },
    log,
    { timeoutMs: env.SHUTDOWN_TIMEOUT_MS },
  );
  own = await plan.primary?.({ log, registry });
  if (stopping) return; // stopped while it started: the process is exiting
  workers = superviseWorkers({ count: plan.workers, env: own?.env ?? {}, log, registry });
  await workers.ready;
  metrics = await listen(createMetricsApp({ registry: { contentType: registry.contentType, metrics: workers.collect } }), env.METRICS_PORT, env.METRICS_HOST ?? env.HOST);
  log.info({ url: workers.url, metrics: `${metrics.url}/metrics`, workers: plan.workers }, `${name} ready`);
}
