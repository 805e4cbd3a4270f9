// The storefront's server: the built files, and /graphql (HTTP and graphql-ws upgrades) passed
// through to the gateway, so the page and the API share one origin (the gateway sends no CORS
// headers, by design). Used by `npm start` and the browser tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import sirv from 'sirv';
import { STOREFRONT_DIST } from './build.ts';

export interface StorefrontServerOptions {
  /** The gateway's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql (its path must be /graphql). */
  gatewayUrl: string;
  /** The built storefront; by default this workspace's dist/. */
  distDir?: string;
}

export interface RunningStorefront {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';
const isGraphqlPath = (url: string | undefined) => url === GRAPHQL_PATH || url?.startsWith(`${GRAPHQL_PATH}?`) === true;

/** What a shopper's client makes of a gateway that cannot be reached: a GraphQL error with a known code. */
function gatewayUnavailable(res: ServerResponse | Socket): void {
  if (!('writeHead' in res)) {
    res.destroy();
    return;
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(502, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ message: 'The shop cannot reach its API right now', extensions: { code: 'SERVICE_UNAVAILABLE' } }] }));
}

export function createStorefrontServer(options: StorefrontServerOptions): { server: Server; upgraded: ReadonlySet<Socket> } {
  const gateway = new URL(options.gatewayUrl);
  if (gateway.pathname !== GRAPHQL_PATH) throw new Error(`the storefront proxies ${GRAPHQL_PATH}; the gateway URL ${options.gatewayUrl} must end with it`);
  // The path is kept as is (/graphql): only the origin is the target. xfwd: the gateway sees the shopper's address.
  const proxy = createProxyServer({ target: gateway.origin, ws: true, xfwd: true, proxyTimeout: 60_000 });
  proxy.on('error', (_error, _req, res) => gatewayUnavailable(res as ServerResponse | Socket));

  // single: every path that is not a file is the app (client-side routes such as /products/<id>).
  const files = sirv(options.distDir ?? STOREFRONT_DIST, {
    single: true,
    etag: true,
    // Vite's hashed assets never change; index.html must be revalidated to pick up a new build.
    setHeaders: (res, path) => {
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'same-origin');
      // No other site may frame the shop: a framed checkout is signed in (the token is in
      // localStorage), so a click on it could be someone else's (clickjacking).
      res.setHeader('x-frame-options', 'DENY');
      res.setHeader('content-security-policy', "frame-ancestors 'none'");
      res.setHeader('cache-control', path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (isGraphqlPath(req.url)) {
      proxy.web(req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    files(req, res, () => {
      res.writeHead(404).end();
    });
  });
  // Upgraded sockets leave the HTTP server's bookkeeping: kept here so that closing ends them.
  const upgraded = new Set<Socket>();
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (!isGraphqlPath(req.url)) {
      socket.destroy();
      return;
    }
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    proxy.ws(req, socket, head);
  });
  return { server, upgraded };
}

export async function startStorefrontServer(options: StorefrontServerOptions & { port: number; host?: string }): Promise<RunningStorefront> {
  const { server, upgraded } = createStorefrontServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive and graphql-ws connections would hold close() open.
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
      }),
  };
}
