import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { createLogger, type Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';
import { requestIdMiddleware } from './request-id.ts';
import { tracingMiddleware } from './tracing.ts';

/**
 * The routes every service exposes besides /graphql: liveness, readiness (ready only when the
 * service's dependencies answer) and Prometheus metrics.
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
}

export function createServiceApp(options: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const route = req.path === '/graphql' ? '/graphql' : options.api && req.path.startsWith(`${options.api.path}/`) ? options.api.path : 'other';
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
  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  if (options.graphql) {
    app.use('/graphql', tracingMiddleware(options.service), requestIdMiddleware(), express.json({ limit: options.bodyLimit }), options.graphql);
  }
  if (options.api) app.use(options.api.path, tracingMiddleware(options.service), requestIdMiddleware(), express.json({ limit: options.bodyLimit }), options.api.router, options.api.errorHandler);
  if (options.internal) app.use('/internal', options.internal.guard, express.json({ limit: options.bodyLimit }), options.internal.router);
  app.use(requestErrorHandler);
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

/** Runs `stop` once on SIGINT/SIGTERM, then exits; a second signal exits at once. */
export function onShutdownSignal(stop: () => Promise<void>, log: { info: (msg: string) => void; error: (obj: unknown, msg: string) => void }) {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info(`${signal} received, shutting down`);
    stop().then(
      () => process.exit(0),
      (error) => {
        log.error(error, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/**
 * A service process's entry point (each subgraph, the gateway, the registry): `start` parses its
 * settings, builds and listens; then the URL is logged and signals stop it cleanly. A failure to
 * start is logged and exits 1, so a launcher or an orchestrator sees it at once.
 */
export async function runService(name: string, start: (log: Logger) => Promise<{ url: string; close(): Promise<void> }>): Promise<void> {
  const log = createLogger(name);
  try {
    const service = await start(log);
    log.info({ url: service.url }, `${name} ready`);
    onShutdownSignal(() => service.close(), log);
  } catch (error) {
    log.fatal({ err: error }, `${name} failed to start`);
    process.exit(1);
  }
}
