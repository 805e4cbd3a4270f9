import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { Counter, type Registry } from 'prom-client';
import type { GatewayContext } from './context.ts';

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
      const finish = (result: SharedResult | null) => {
        if (!release) return;
        const resolve = release;
        release = null;
        inFlight.delete(key);
        if (!result) markUnshareable(key);
        resolve(result);
      };
      return {
        async responseForOperation(context) {
          if (context.operation?.operation !== 'query') return null;
          key = `${context.queryHash}\n${context.request.operationName ?? ''}\n${JSON.stringify(context.request.variables ?? {})}`;
          if (isUnshareable(key)) return null;
          const leader = inFlight.get(key);
          if (!leader) {
            const pending = new Promise<SharedResult | null>((resolve) => (release = resolve));
            inFlight.set(key, pending);
            setTimeout(() => finish(null), maxWaitMs).unref();
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
