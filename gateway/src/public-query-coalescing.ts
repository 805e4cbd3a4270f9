import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { RequestHandler, Response } from 'express';
import { HeaderMap } from '@apollo/server';
import { Counter, type Registry } from 'prom-client';
import type { GatewayContext } from './context.ts';
import { postedDocument } from './request-params.ts';
import type { RecordRequest } from './request-metrics.ts';

/** What one execution of a query gave, when everyone may have it. */
interface SharedResult {
  data: Record<string, unknown>;
  policy: { maxAge: number; scope: 'PUBLIC' };
}

// A query found not shareable (PRIVATE, uncacheable, or failed) executes on its own for a while
// instead of waiting on a leader first; bounded, and forgotten after UNSHAREABLE_FOR_MS.
const UNSHAREABLE_MAX = 10_000;
const UNSHAREABLE_FOR_MS = 60_000;

/**
 * Identical queries in flight at once execute once (ADR 0019): the first is executed; the ones
 * that arrive while it runs wait for it and are answered with its result when that result is
 * PUBLIC, the same policy that lets the response cache hand it to anyone (ADR 0008). When it is
 * not (PRIVATE, max-age 0, errors), each waiting request executes on its own, and the query is
 * remembered as unshareable so the next ones do not wait first. Identical means same document,
 * operation name and variables; everything before execution (auth, limits, persisted-operation
 * rules, validation) still runs for every request. A leader that never answers within
 * `maxWaitMs` releases its followers to execute on their own.
 */
export function publicQueryCoalescingPlugin(registry: Registry, maxWaitMs: number): ApolloServerPlugin<GatewayContext> {
  const inFlight = new Map<string, Promise<SharedResult | null>>();
  const unshareable = new Map<string, number>();
  const coalesced = new Counter({
    name: 'graphql_requests_coalesced_total',
    help: 'Queries answered with the result of an identical PUBLIC query executing at the same time, instead of executing',
    registers: [registry],
  });

  const isUnshareable = (key: string) => {
    const since = unshareable.get(key);
    if (since === undefined) return false;
    if (Date.now() - since < UNSHAREABLE_FOR_MS) return true;
    unshareable.delete(key);
    return false;
  };
  const markUnshareable = (key: string) => {
    if (unshareable.size >= UNSHAREABLE_MAX) unshareable.delete(unshareable.keys().next().value!);
    unshareable.set(key, Date.now());
  };

  return {
    async requestDidStart() {
      let release: ((result: SharedResult | null) => void) | null = null;
      let key = '';
      let timer: NodeJS.Timeout | undefined;
      const finish = (result: SharedResult | null) => {
        if (!release) return;
        const resolve = release;
        release = null;
        clearTimeout(timer);
        inFlight.delete(key);
        if (!result) markUnshareable(key);
        resolve(result);
      };
      return {
        async responseForOperation(context) {
          if (context.operation?.operation !== 'query') return null;
          // Coalesced before Apollo already (edgeQueryCoalescing): nothing identical waits here.
          if (context.contextValue.edgeLocals?.[EDGE_LEADER]) return null;
          key = `${context.queryHash}\n${context.request.operationName ?? ''}\n${JSON.stringify(context.request.variables ?? {})}`;
          if (isUnshareable(key)) return null;
          const leader = inFlight.get(key);
          if (!leader) {
            const pending = new Promise<SharedResult | null>((resolve) => (release = resolve));
            inFlight.set(key, pending);
            timer = setTimeout(() => finish(null), maxWaitMs).unref();
            return null;
          }
          const shared = await leader;
          if (!shared) return null;
          coalesced.inc();
          context.contextValue.sharedExecution = true;
          context.overallCachePolicy.replace(shared.policy);
          return { http: { status: 200, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: shared.data } } };
        },
        async willSendResponse(context) {
          if (context.contextValue.edgeLocals) context.contextValue.edgeLocals.operationName = context.operationName ?? null; // for edgeQueryCoalescing
          if (release) finish(shareable(context));
        },
      };
    },
  };
}

function shareable(context: GraphQLRequestContextWillSendResponse<GatewayContext>): SharedResult | null {
  const body = context.response.body;
  if (body.kind !== 'single' || body.singleResult.errors?.length || !body.singleResult.data) return null;
  const policy = context.overallCachePolicy.policyIfCacheable();
  if (!policy || policy.scope === 'PRIVATE' || policy.maxAge <= 0) return null;
  return { data: body.singleResult.data, policy: { maxAge: policy.maxAge, scope: 'PUBLIC' } };
}

/** The HTTP answer of an executed query, as sent: what followers at the edge are given. */
interface SentAnswer {
  /** Encoded once for every follower. */
  body: Buffer;
  headers: Record<string, string>;
  operationName: string | null;
}

const COPIED_HEADERS = ['content-type', 'cache-control', 'etag', 'vary'];
/** Marks (in res.locals) a request the edge coalesces for: the plugin leaves it alone. */
const EDGE_LEADER = 'queryCoalescingLeader';

/**
 * The same coalescing before Apollo runs (ADR 0019): for a POSTed document (postedDocument), requests
 * identical to one in flight wait for its HTTP answer and, when that answer is a PUBLIC, cacheable
 * 200, are sent the same bytes: no execution, no serialisation of their own. Otherwise they go on
 * to Apollo (where the plugin above may still coalesce them). Placed after authentication, rate
 * limits, the persisted-operation rules and the document limits, so each request passes those;
 * only an answer the response cache could give to anyone is ever shared. `recordRequest` counts
 * the followers in the request metrics, under the operation name Apollo resolved for the leader.
 */
export function edgeQueryCoalescing(registry: Registry, maxWaitMs: number, recordRequest: RecordRequest): RequestHandler {
  const inFlight = new Map<string, Promise<SentAnswer | null>>();
  const coalesced = new Counter({
    name: 'graphql_requests_coalesced_at_edge_total',
    help: 'Queries sent the HTTP answer of an identical PUBLIC query in flight at the same time, before Apollo runs',
    registers: [registry],
  });
  return (req, res, next) => {
    const document = postedDocument(req);
    // Identical documents that mutate would only be run one after the other: cheaper not to wait.
    if (!document || /^\s*(mutation|subscription)\b/.test(document.query)) return next();
    const startedAt = performance.now();
    const key = createHash('sha256')
      .update(JSON.stringify([document.query, document.operationName, document.variables ?? {}, req.get('accept') ?? '']))
      .digest('hex');
    const leader = inFlight.get(key);
    if (leader) {
      void leader.then((answer) => {
        if (!answer || res.headersSent) return next();
        coalesced.inc();
        res.status(200);
        for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
        res.setHeader('content-length', answer.body.length);
        res.end(answer.body);
        recordRequest(answer.operationName, 'ok', startedAt);
      }, next);
      return;
    }
    let release!: (answer: SentAnswer | null) => void;
    const entry = new Promise<SentAnswer | null>((resolve) => (release = resolve));
    inFlight.set(key, entry);
    let done = false;
    const finish = (answer: SentAnswer | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (inFlight.get(key) === entry) inFlight.delete(key);
      release(answer);
    };
    const timer = setTimeout(() => finish(null), maxWaitMs).unref();
    res.locals[EDGE_LEADER] = true;
    captureAnswer(res, (body) => finish(publicAnswer(res, body)));
    res.on('close', () => finish(null)); // answered without a body we saw, or the client went away
    next();
  };
}

/** Calls `sent` with the body the leader's response is sent with (Apollo sends single results with res.send). */
function captureAnswer(res: Response, sent: (body: string) => void) {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    const result = send(body);
    sent(typeof body === 'string' ? body : '');
    return result;
  };
}

function publicAnswer(res: Response, body: string): SentAnswer | null {
  const cacheControl = String(res.getHeader('cache-control') ?? '');
  if (res.statusCode !== 200 || !body || !/^public, max-age=[1-9]/.test(cacheControl)) return null;
  const headers: Record<string, string> = {};
  for (const name of COPIED_HEADERS) {
    const value = res.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return { body: Buffer.from(body), headers, operationName: (res.locals.operationName as string | null | undefined) ?? null };
}
