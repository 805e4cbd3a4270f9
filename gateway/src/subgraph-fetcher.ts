import CircuitBreaker from 'opossum';
import { GraphQLError } from 'graphql';
import { Agent, request } from 'undici';
import type { Fetcher } from '@apollo/utils.fetcher';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { DEADLINE_HEADER, type Logger } from '@supergraph/service-kit';
import { subgraphResponse, type SubgraphAnswer } from './subgraph-response.ts';

/**
 * How the gateway reaches one subgraph: undici's `request()` over one keep-alive pool (about twice
 * the throughput of the default fetcher, TOOLCHAIN.md), a hard timeout, and a circuit breaker
 * (opossum). When a subgraph is down or slow the gateway answers within the timeout with what the
 * other subgraphs resolved; once the breaker opens it fails that subgraph's fetches at once
 * instead of waiting, and lets one trial through after `resetTimeoutMs`.
 *
 * Busy is not broken (ADR 0007, amended by ADR 0012): the breaker counts only real failures
 * (timeouts, connection errors, 5xx). A subgraph's overload refusal (503 SERVICE_OVERLOADED, or
 * 429) reaches the client as SERVICE_OVERLOADED with the retry hint; a 4xx (the request's shape:
 * typically a field published before the subgraph serves it) as SUBGRAPH_REQUEST_REFUSED. Neither
 * opens the breaker: the subgraph answered, and failing it for everyone would turn one client's
 * retryable refusal or one bad operation into an outage of every field it serves.
 */
export interface SubgraphFetcherOptions {
  subgraph: string;
  timeoutMs: number;
  breaker: { errorThresholdPercentage: number; volumeThreshold: number; resetTimeoutMs: number; rollingCountMs: number };
  metrics: SubgraphFetchMetrics;
  log: Logger;
  /** Share identical in-flight fetches of the same scope (see SHARING_SCOPE_HEADER). */
  shareInFlight: boolean;
}

export interface SubgraphFetchMetrics {
  duration: Histogram<'subgraph' | 'outcome'>;
  errors: Counter<'subgraph' | 'reason'>;
  circuitOpen: Gauge<'subgraph'>;
  /** Fetches answered by an identical one already in flight instead of being sent. */
  shared: Counter<'subgraph'>;
}

export class SubgraphServerError extends Error {
  override name = 'SubgraphServerError';
}

/** The subgraph refused the work for now (its admission control): a retryable answer, not a failure. */
export class SubgraphOverloadedError extends Error {
  override name = 'SubgraphOverloadedError';
  constructor(readonly retryAfterSeconds: number) {
    super('subgraph overloaded');
  }
}

/** The subgraph refused the request itself (HTTP 4xx): its shape, not the subgraph's health. */
export class SubgraphRefusedRequestError extends Error {
  override name = 'SubgraphRefusedRequestError';
  constructor(
    readonly status: number,
    /** The subgraph's own error code (GRAPHQL_VALIDATION_FAILED…), when it gave one. */
    readonly subgraphCode: string | undefined,
  ) {
    super(`subgraph answered HTTP ${status}`);
  }
}

export const SERVICE_OVERLOADED = 'SERVICE_OVERLOADED';
export const SUBGRAPH_REQUEST_REFUSED = 'SUBGRAPH_REQUEST_REFUSED';
const DEFAULT_RETRY_AFTER_SECONDS = 1;

// Sockets per subgraph. Generous on purpose: requests over this number wait in undici's queue,
// where the subgraph's admission control cannot see them and the gateway's timeout still runs
// (ADR 0012); the subgraph bounds its own work and refuses what it cannot do in time.
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 1_024, pipelining: 1 });

/**
 * Set by the data source on a query's fetch: whose answer it is (the viewer, or anonymous). Fetches
 * with the same scope, subgraph and body share one request while it is in flight (ADR 0019);
 * without it (mutations) a fetch is never shared. Internal: removed before the request leaves.
 */
export const SHARING_SCOPE_HEADER = 'x-gateway-sharing-scope';

export function createSubgraphFetcher(options: SubgraphFetcherOptions): Fetcher {
  const { subgraph, metrics } = options;
  const send = async (url: string, method: string, headers: Record<string, string>, body: string | Buffer | undefined): Promise<SubgraphAnswer> => {
    // undici's own timeouts bound the request; an AbortSignal.timeout() per fetch cost a timer and
    // an AbortController each (ADR 0019).
    const response = await request(url, {
      method: method as 'POST',
      headers,
      body,
      dispatcher: agent,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) throw refusalOrFailure(subgraph, response.statusCode, text, response.headers['retry-after']);
    return { status: response.statusCode, headers: response.headers, text };
  };

  const breaker = new CircuitBreaker(send, {
    timeout: false, // the request carries its own timeout (and is aborted, which opossum cannot do)
    errorThresholdPercentage: options.breaker.errorThresholdPercentage,
    volumeThreshold: options.breaker.volumeThreshold,
    resetTimeout: options.breaker.resetTimeoutMs,
    rollingCountTimeout: options.breaker.rollingCountMs,
    // Refusals are answers: they neither count as failures nor open the breaker (see above).
    errorFilter: (error: unknown) => error instanceof SubgraphOverloadedError || error instanceof SubgraphRefusedRequestError,
  });
  breaker.on('open', () => {
    metrics.circuitOpen.set({ subgraph }, 1);
    options.log.warn({ subgraph }, 'circuit opened: failing this subgraph fast');
  });
  breaker.on('close', () => {
    metrics.circuitOpen.set({ subgraph }, 0);
    options.log.info({ subgraph }, 'circuit closed: subgraph answers again');
  });
  metrics.circuitOpen.set({ subgraph }, 0);

  const inFlight = new Map<string, Promise<SubgraphAnswer>>();
  const fire = (url: string, method: string, headers: Record<string, string>, body: string | Buffer | undefined): Promise<SubgraphAnswer> => {
    // When the gateway gives up: the subgraph refuses what it could not answer by then (ADR 0012).
    headers[DEADLINE_HEADER] = String(Date.now() + options.timeoutMs);
    return breaker.fire(url, method, headers, body) as Promise<SubgraphAnswer>;
  };

  return async (url, init = {}) => {
    const headers: Record<string, string> = init.headers ? { ...init.headers } : {};
    const scope = headers[SHARING_SCOPE_HEADER];
    delete headers[SHARING_SCOPE_HEADER];
    const key = options.shareInFlight && scope !== undefined && typeof init.body === 'string' ? `${url}\n${scope}\n${init.body}` : null;
    const shared = key === null ? undefined : inFlight.get(key);
    if (shared) {
      metrics.shared.inc({ subgraph });
      try {
        return subgraphResponse(url, await shared);
      } catch (error) {
        throw clientError(error, false);
      }
    }
    const end = metrics.duration.startTimer({ subgraph });
    const answer = fire(url, init.method ?? 'POST', headers, init.body);
    if (key !== null) {
      inFlight.set(key, answer);
      const forget = () => inFlight.delete(key);
      answer.then(forget, forget);
    }
    try {
      const response = subgraphResponse(url, await answer);
      end({ outcome: 'ok' });
      return response;
    } catch (error) {
      end({ outcome: error instanceof SubgraphOverloadedError || error instanceof SubgraphRefusedRequestError ? 'refused' : 'error' });
      throw clientError(error, true);
    }
  };

  /** What the client sees of a failed fetch; counted and logged once, by the fetch that was sent. */
  function clientError(error: unknown, sent: boolean): GraphQLError {
    if (error instanceof SubgraphOverloadedError) {
      if (sent) metrics.errors.inc({ subgraph, reason: 'overloaded' });
      return new GraphQLError(`The ${subgraph} service is busy; retry in ${error.retryAfterSeconds} s`, {
        extensions: { code: SERVICE_OVERLOADED, subgraph, retryable: true, retryAfterSeconds: error.retryAfterSeconds },
      });
    }
    if (error instanceof SubgraphRefusedRequestError) {
      if (sent) {
        metrics.errors.inc({ subgraph, reason: 'refused_4xx' });
        options.log.warn({ subgraph, status: error.status, subgraphCode: error.subgraphCode }, 'subgraph refused the request the gateway sent it');
      }
      return new GraphQLError(
        `The ${subgraph} service refused this request (HTTP ${error.status}${error.subgraphCode ? `, ${error.subgraphCode}` : ''}); fields it provides are null. ` +
          'It may not serve part of the supergraph yet (a schema published before its deploy).',
        { extensions: { code: SUBGRAPH_REQUEST_REFUSED, subgraph, status: error.status, ...(error.subgraphCode ? { subgraphCode: error.subgraphCode } : {}) } },
      );
    }
    if (sent) metrics.errors.inc({ subgraph, reason: (error as { code?: string }).code === 'EOPENBREAKER' ? 'circuit_open' : errorReason(error) });
    // A GraphQLError with a stable code reaches the client as is: it names the part of the
    // graph that is missing, not the address or the cause inside our network.
    return new GraphQLError(`The ${subgraph} service is unavailable; fields it provides are null`, {
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph },
    });
  }
}

function errorReason(error: unknown): string {
  const e = error as { name?: string; code?: string };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.name === 'AbortError') return 'timeout';
  if (e.code === 'ECONNREFUSED') return 'connection_refused';
  if (error instanceof SubgraphServerError) return 'http_5xx';
  return 'network';
}

/**
 * What an HTTP error status of a subgraph means. 503 with SERVICE_OVERLOADED (its admission
 * control) and 429 are refusals to retry later; any other 4xx refuses the request itself; every
 * other 5xx is the subgraph failing, and counts against its breaker.
 */
export function refusalOrFailure(subgraph: string, status: number, body: string, retryAfter: string | string[] | undefined): Error {
  const code = firstErrorCode(body);
  if ((status === 503 && code === SERVICE_OVERLOADED) || status === 429) return new SubgraphOverloadedError(retryAfterSeconds(retryAfter));
  if (status < 500) return new SubgraphRefusedRequestError(status, code);
  return new SubgraphServerError(`${subgraph} answered HTTP ${status}`);
}

/** The first error's code of a GraphQL error body, if it looks like one (never free text). */
function firstErrorCode(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { errors?: Array<{ extensions?: { code?: unknown } }> }).errors?.[0]?.extensions?.code;
    return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Retry-After in seconds (1..3600); an HTTP date or anything else gives the default. */
function retryAfterSeconds(header: string | string[] | undefined): number {
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isInteger(value) && value >= 1 ? Math.min(value, 3_600) : DEFAULT_RETRY_AFTER_SECONDS;
}
