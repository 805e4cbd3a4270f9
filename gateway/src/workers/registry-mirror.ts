import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '@supergraph/service-kit';

/**
 * One poll of the schema registry per gateway pod, whatever its number of workers (ADR 0020).
 * The primary polls the registry (If-None-Match, as RegistrySource does) and serves the last
 * answers on 127.0.0.1 with their ETags; the workers' RegistrySource polls this mirror instead of
 * the registry, unchanged: 304 when nothing changed, the documents when they did.
 *
 * A failing registry stays visible: while the primary's last poll of a document failed, a
 * worker's poll of it (it names an ETag) gets 502, so its registry_polls_total{result="error"},
 * registry_last_success_timestamp_seconds and logs say what one process would have said. A
 * worker that starts then (no ETag: a replacement) still gets the last good document, so it serves
 * what its siblings serve, not the supergraph file.
 */
export const MIRRORED_DOCUMENTS = ['/v1/supergraph', '/v1/operations'] as const;
/** Headers of the registry's answer the workers read (RegistrySource), passed on as they came. */
const KEPT_HEADERS = ['content-type', 'etag', 'x-supergraph-version'];
/** Workers poll the mirror at most this far apart: a local 304 costs nothing, and a change arrives at most this much after the primary saw it. */
export const WORKER_POLL_CEILING_MS = 500;

interface Document {
  body?: Buffer;
  headers: Record<string, string>;
  etag?: string;
  /** The primary's last poll of it failed (the registry is unreachable or refused it). */
  failing: boolean;
}

export interface RegistryMirror {
  url: string;
  /** What each worker's environment gets instead of the registry's. */
  workerEnv: Record<string, string>;
  /** One poll of every document (exposed for tests; the timer calls it). */
  poll(): Promise<void>;
  close(): Promise<void>;
}

export async function startRegistryMirror(options: {
  url: string;
  token: string;
  pollIntervalMs: number;
  log: Logger;
  /** The primary's registry: registry_upstream_polls_total. */
  registry?: Registry;
  requestTimeoutMs?: number;
}): Promise<RegistryMirror> {
  const documents = new Map<string, Document>(MIRRORED_DOCUMENTS.map((path) => [path, { headers: {}, failing: false }]));
  const polls = new Counter({
    name: 'registry_upstream_polls_total',
    help: 'Polls of the schema registry by the gateway primary, for all its workers (unchanged, updated, error)',
    labelNames: ['document', 'result'],
    registers: options.registry ? [options.registry] : [],
  });

  async function pollDocument(path: string, document: Document) {
    const label = path === '/v1/supergraph' ? 'supergraph' : 'operations';
    try {
      const response = await fetch(new URL(path, options.url), {
        headers: { authorization: `Bearer ${options.token}`, ...(document.etag ? { 'if-none-match': document.etag } : {}) },
        signal: AbortSignal.timeout(options.requestTimeoutMs ?? 5_000),
      });
      if (response.status === 304) {
        await response.body?.cancel();
        document.failing = false;
        polls.inc({ document: label, result: 'unchanged' });
        return;
      }
      const body = Buffer.from(await response.arrayBuffer());
      if (!response.ok) throw new Error(`registry answered ${response.status} to ${path}: ${body.toString('utf8', 0, 200)}`);
      document.body = body;
      document.etag = response.headers.get('etag') ?? undefined;
      document.headers = Object.fromEntries(KEPT_HEADERS.flatMap((name) => (response.headers.has(name) ? [[name, response.headers.get(name)!]] : [])));
      document.failing = false;
      polls.inc({ document: label, result: 'updated' });
    } catch (error) {
      if (!document.failing) options.log.warn({ err: error, document: label }, 'schema registry poll failed (primary): workers keep what they have');
      document.failing = true;
      polls.inc({ document: label, result: 'error' });
    }
  }

  let polling: Promise<void> | undefined;
  const poll = () => (polling ??= Promise.all([...documents].map(([path, document]) => pollDocument(path, document))).then(() => {
    polling = undefined;
  }));

  const workerToken = randomBytes(32).toString('hex');
  const expected = Buffer.from(`Bearer ${workerToken}`);
  const authorised = (request: IncomingMessage) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const answer = (response: ServerResponse, status: number, body?: unknown) => {
    response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' }).end(body === undefined ? undefined : JSON.stringify(body));
  };
  const server = createServer((request, response) => {
    if (!authorised(request)) return answer(response, 401, { error: { code: 'UNAUTHENTICATED', message: 'not a worker of this gateway' } });
    const path = new URL(request.url ?? '/', 'http://mirror').pathname;
    const document = documents.get(path);
    if (request.method !== 'GET' || !document) return answer(response, 404, { error: { code: 'NOT_FOUND', message: `only ${MIRRORED_DOCUMENTS.join(', ')}` } });
    const ifNoneMatch = request.headers['if-none-match'];
    if (!document.body) return answer(response, 503, { error: { code: 'REGISTRY_UNREACHABLE', message: 'the schema registry has not answered the gateway yet' } });
    if (document.failing && ifNoneMatch) return answer(response, 502, { error: { code: 'REGISTRY_UNREACHABLE', message: 'the schema registry did not answer the last poll' } });
    if (ifNoneMatch && ifNoneMatch === document.etag) return void response.writeHead(304, { etag: document.etag }).end();
    response.writeHead(200, document.headers).end(document.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // The first answers before any worker starts: they begin on the registry's versions.
  await poll();
  const timer = setInterval(() => void poll(), options.pollIntervalMs);
  timer.unref();

  return {
    url,
    workerEnv: {
      REGISTRY_URL: url,
      REGISTRY_TOKEN: workerToken,
      REGISTRY_POLL_INTERVAL_MS: String(Math.min(options.pollIntervalMs, WORKER_POLL_CEILING_MS)),
    },
    poll,
    async close() {
      clearInterval(timer);
      await polling;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
