import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { executeQueryPlan, type ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import type { ExecutionArgs, ExecutionResult, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Context as WsContext } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { decodeJwt } from 'jose';
import type { Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import { closeSockets, inEventSpan, verifyUserToken, webSocketEndpoint, type Logger, type Viewer } from '@supergraph/service-kit';
import { identityTokenMinter } from '../auth.ts';
import type { GatewayContext } from '../context.ts';
import type { RequestLimits } from '../limits.ts';
import { apiKeyDigest, safelistRefusal } from '../persisted-operations/trusted-documents.ts';
import type { CostDirectives } from '../query-cost.ts';
import { operationLabel, type OperationLists } from '../request-metrics.ts';
import { BoundedQueue } from './bounded-queue.ts';
import { CLOSE, CLOSE_REASON, SUBSCRIPTION_ERROR } from './close-codes.ts';
import { checkSubscription } from './document-checks.ts';
import { graphql } from './graphql-cjs.ts';
import { EventFilter, eventIdentity, type EventIdentity } from './event-order.ts';
import { createSubscriptionMetrics } from './metrics.ts';
import { SubscriptionPlanner, type SubscriptionPlan } from './planner.ts';
import { UpstreamPool, type UpstreamResult } from './upstream.ts';
import { DEFAULT_SUBSCRIPTION_SETTINGS, type SubscriptionSettings } from './settings.ts';

export { DEFAULT_SUBSCRIPTION_SETTINGS, type SubscriptionSettings };

/**
 * Subscription root fields whose stream is the same whatever the viewer: the gateway opens one
 * upstream subscription for them without identity and shares it across users. Any other root
 * field (orderStatusChanged: the owner check happens upstream, per identity) is shared only
 * between one viewer's subscriptions. Safe default for a new field: not listed.
 */
export const VIEWER_INDEPENDENT_SUBSCRIPTIONS: ReadonlySet<string> = new Set(['reviewAdded']);

export interface SubscriptionGatewayOptions {
  gateway: ApolloGateway;
  /** The client's address of an upgrade request, as HTTP requests count it (client-address.ts). */
  clientAddress: (request: IncomingMessage) => string;
  /** The gateway's data sources by subgraph (what buildService built), for the rest of each plan. */
  dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext> & { url?: string }>;
  limits: RequestLimits;
  costDirectives: (schema: GraphQLSchema) => CostDirectives;
  operationLists: OperationLists;
  /** API key digest -> partner (live with a registry). */
  partnerKeys: ReadonlyMap<string, string>;
  publicList?: string | undefined;
  /** Registered operations only, by id (trusted-documents.ts). */
  persistedOnly?: boolean | undefined;
  userTokenSecret: string;
  internalTokenSecret: string;
  identityTtlSeconds: number;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  log: Logger;
  registry: Registry;
  settings?: Partial<SubscriptionSettings> | undefined;
}

export interface SubscriptionGateway {
  attach(server: Server): void;
  /** Closes every connection (1001) and upstream subscription; resolves within about a second. */
  close(): Promise<void>;
}

interface Connection {
  viewer: Viewer | null;
  /** The partner of the connection's API key; undefined without one. */
  partner: string | undefined;
  ip: string;
  subscriptions: number;
  expiry?: NodeJS.Timeout;
  /** Runs while the connection has no subscription: it is closed when it fires. */
  idle?: NodeJS.Timeout;
  socket: { close(code: number, reason: string): void };
  counted: boolean;
}

interface Prepared {
  plan: SubscriptionPlan;
  variables: Record<string, unknown>;
  operationName: string | undefined;
  query: string;
  rootField: string;
  connection: Connection;
}

const { GraphQLError, Kind } = graphql;
type GraphQLError = InstanceType<typeof GraphQLError>;

/** The gateway's own subscription errors: stable codes and fixed messages, sent as they are. */
const OWN_CODES: ReadonlySet<string> = new Set(Object.values(SUBSCRIPTION_ERROR));

const PREPARED = Symbol('prepared subscription');
const MAX_TIMER_MS = 2_147_483_647;

export function createSubscriptionGateway(options: SubscriptionGatewayOptions): SubscriptionGateway {
  const settings = { ...DEFAULT_SUBSCRIPTION_SETTINGS, ...Object.fromEntries(Object.entries(options.settings ?? {}).filter(([, v]) => v !== undefined)) };
  /** Every subscriber's queue, for the queued-events gauge. */
  const queues = new Set<BoundedQueue<ExecutionResult>>();
  const metrics = createSubscriptionMetrics(options.registry, () => {
    let queued = 0;
    for (const queue of queues) queued += queue.size;
    return queued;
  });
  const planner = new SubscriptionPlanner();
  const pool = new UpstreamPool({ internalTokenSecret: options.internalTokenSecret, identityTtlSeconds: options.identityTtlSeconds, log: options.log, keepAliveMs: settings.keepAliveMs });
  const connections = new WeakMap<object, Connection>();
  const perUser = new Map<string, number>();
  const perIp = new Map<string, number>();
  /** Live subscriptions, to end on a supergraph change. */
  const live = new Set<(final: ExecutionResult) => void>();

  options.gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    if (!planner.update(apiSchema, coreSupergraphSdl)) return;
    // Plans of the old supergraph may name fields or subgraphs that are gone: end them; clients subscribe again.
    const reload = new GraphQLError('The supergraph changed: subscribe again', { extensions: { code: SUBSCRIPTION_ERROR.SCHEMA_RELOAD } });
    for (const end of [...live]) end({ errors: [reload] });
  });

  /** A connection that holds no subscription for `idleTimeoutMs` is closed: it only costs a socket. */
  const idleFrom = (connection: Connection) => {
    clearTimeout(connection.idle);
    connection.idle = setTimeout(() => {
      metrics.refused.inc({ code: String(CLOSE.IDLE) });
      connection.socket.close(CLOSE.IDLE, CLOSE_REASON.IDLE);
    }, settings.idleTimeoutMs);
    connection.idle.unref();
  };
  const count = (map: Map<string, number>, key: string, delta: number) => {
    const next = (map.get(key) ?? 0) + delta;
    if (next <= 0) map.delete(key);
    else map.set(key, next);
    return next;
  };
  const refuse = (ctx: WsContext<Record<string, unknown> | undefined, Extra>, code: number, reason: string) => {
    metrics.refused.inc({ code: String(code) });
    ctx.extra.socket.close(code, reason);
    return false;
  };

  // A message is bounded like an HTTP body (ws alone accepts 100 MiB).
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.limits.maxBodyBytes });
  const disposable = useServer<Record<string, unknown> | undefined>(
    {
      connectionInitWaitTimeout: settings.connectionInitTimeoutMs,

      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const ip = options.clientAddress(ctx.extra.request);
        let viewer: Viewer | null = null;
        let expiresAt: number | undefined;
        const authorization = params.authorization ?? params.Authorization;
        if (authorization !== undefined) {
          const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
          const result = match ? await verifyUserToken(match[1]!, options.userTokenSecret) : ({ ok: false, reason: 'invalid' } as const);
          if (!result.ok) return refuse(ctx, CLOSE.UNAUTHORIZED, result.reason === 'expired' ? CLOSE_REASON.EXPIRED_TOKEN : CLOSE_REASON.INVALID_TOKEN);
          viewer = result.viewer;
          const exp = decodeJwt(match![1]!).exp;
          expiresAt = typeof exp === 'number' ? exp * 1000 : undefined;
        }
        let partner: string | undefined;
        const apiKey = params['x-api-key'];
        if (apiKey !== undefined) {
          partner = typeof apiKey === 'string' ? options.partnerKeys.get(apiKeyDigest(apiKey)) : undefined;
          if (!partner) return refuse(ctx, CLOSE.FORBIDDEN, CLOSE_REASON.UNKNOWN_API_KEY);
        }
        const userKey = viewer ? `${viewer.role}:${viewer.id}` : undefined;
        if ((userKey && (perUser.get(userKey) ?? 0) >= settings.maxConnectionsPerUser) || (perIp.get(ip) ?? 0) >= settings.maxConnectionsPerIp) {
          return refuse(ctx, CLOSE.TOO_MANY_CONNECTIONS, CLOSE_REASON.TOO_MANY_CONNECTIONS);
        }
        const connection: Connection = { viewer, partner, ip, subscriptions: 0, counted: true, socket: ctx.extra.socket };
        idleFrom(connection);
        if (userKey) count(perUser, userKey, 1);
        count(perIp, ip, 1);
        metrics.connections.inc();
        if (expiresAt !== undefined) {
          // The session ends when the token does: the client logs in again and reconnects.
          const socket = ctx.extra.socket;
          connection.expiry = setTimeout(() => {
            metrics.refused.inc({ code: String(CLOSE.UNAUTHORIZED) });
            socket.close(CLOSE.UNAUTHORIZED, CLOSE_REASON.EXPIRED_TOKEN);
          }, Math.min(Math.max(expiresAt - Date.now(), 0), MAX_TIMER_MS));
          connection.expiry.unref();
        }
        connections.set(ctx, connection);
        return true;
      },

      onClose: (ctx) => {
        const connection = connections.get(ctx);
        if (!connection?.counted) return;
        connection.counted = false;
        clearTimeout(connection.expiry);
        clearTimeout(connection.idle);
        if (connection.viewer) count(perUser, `${connection.viewer.role}:${connection.viewer.id}`, -1);
        count(perIp, connection.ip, -1);
        metrics.connections.dec();
      },

      onSubscribe: (ctx, _id, payload) => {
        const connection = connections.get(ctx);
        if (!connection) return [new GraphQLError('Not connected', { extensions: { code: 'UNAUTHENTICATED' } })];
        if (connection.subscriptions >= settings.maxSubscriptionsPerConnection) {
          return [new GraphQLError(`At most ${settings.maxSubscriptionsPerConnection} subscriptions per connection: complete one first`, { extensions: { code: SUBSCRIPTION_ERROR.TOO_MANY_SUBSCRIPTIONS } })];
        }
        const query = documentOf(connection, payload);
        if (query instanceof GraphQLError) return [query];
        const state = planner.state;
        const operationName = payload.operationName ?? undefined;
        const checked = checkSubscription(state.apiSchema, query, operationName, payload.variables ?? undefined, options.limits, options.costDirectives(state.apiSchema));
        if (Array.isArray(checked)) return checked;
        let plan: SubscriptionPlan;
        try {
          plan = planner.plan(checked.document, operationName, createHash('sha256').update(query).update('\u0000').update(operationName ?? '').digest('hex'));
        } catch (error) {
          options.log.warn({ err: error }, 'subscription could not be planned');
          return [new GraphQLError('The subscription could not be planned', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
        }
        const root = checked.operation.selectionSet.selections[0];
        const prepared: Prepared = {
          plan,
          variables: checked.variables,
          operationName: checked.operation.name?.value,
          query,
          rootField: root?.kind === Kind.FIELD ? root.name.value : '',
          connection,
        };
        connection.subscriptions++;
        clearTimeout(connection.idle);
        const args: ExecutionArgs = { schema: state.apiSchema, document: checked.document, operationName, variableValues: checked.variables, contextValue: { [PREPARED]: prepared } };
        return args;
      },

      subscribe: (args) => subscribe((args.contextValue as { [PREPARED]: Prepared })[PREPARED]),

      // Errors leave the gateway as they do over HTTP: stable codes, nothing internal.
      onNext: (_ctx, _id, _payload, _args, result) => ({
        ...(result.data !== undefined ? { data: result.data } : {}),
        ...(result.errors?.length ? { errors: result.errors.map((e) => (OWN_CODES.has(e.extensions?.code as string) ? e.toJSON() : options.formatError(e.toJSON(), e))) } : {}),
      }),
      // Refusals in onSubscribe are the gateway's own errors (stable codes, bounded messages): sent as they are.
    },
    wss,
    settings.keepAliveMs,
  );

  /** The document of a subscribe message under the persisted-operation rules (trusted-documents.ts). */
  function documentOf(connection: Connection, payload: { query?: string; extensions?: Record<string, unknown> | null }): string | GraphQLError {
    const hash = (payload.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
    const id = typeof hash === 'string' ? hash : undefined;
    const text = typeof payload.query === 'string' && payload.query.length > 0 ? payload.query : undefined;
    if (connection.partner !== undefined) {
      const body = id ? options.operationLists.get(connection.partner)?.get(id) : undefined;
      if (!body || (text !== undefined && text !== body)) {
        return new GraphQLError('This API key may run only the operations registered for it, sent by id', { extensions: { code: 'OPERATION_NOT_ALLOWED' } });
      }
      return body;
    }
    const body = id ? options.operationLists.get(options.publicList ?? 'storefront')?.get(id) : undefined;
    if (options.persistedOnly) {
      const refusal = safelistRefusal(id, text, body);
      return refusal ? new GraphQLError(refusal.message, { extensions: { code: refusal.code } }) : body!;
    }
    if (text !== undefined) return text;
    return body ?? new GraphQLError('No operation is registered under this id: send the operation text in `query`', { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
  }

  /**
   * Subscribers of the same operation, variables and viewer on the same supergraph form a group:
   * each upstream event is executed once for the group and fanned out (1,000 anonymous
   * subscribers of one product cost one plan execution per event, not 1,000). A group joins the
   * upstream stream of its primary fetch; groups of different viewers may share that stream.
   */
  interface Member {
    filter: EventFilter;
    queue: BoundedQueue<ExecutionResult>;
  }
  interface Group {
    members: Set<Member>;
    /** Upstream events waiting to be executed: bounded like a subscriber's queue. */
    pending: BoundedQueue<UpstreamResult>;
    /** The latest executed ordered event per key, for members that join later. */
    latest: Map<string, { identity: EventIdentity; result: ExecutionResult }>;
    leave: () => void;
  }
  const groups = new Map<string, Group>();

  function joinGroup(prepared: Prepared, member: Member, operation: string): () => void {
    const { plan, connection } = prepared;
    const viewer = connection.viewer;
    const key = JSON.stringify([plan.state.version, prepared.query, prepared.operationName ?? null, prepared.variables, viewer ? `${viewer.role}:${viewer.id}` : null]);
    let group = groups.get(key);
    if (group) {
      for (const { identity, result } of group.latest.values()) if (member.filter.admit(identity) === 'deliver') member.queue.push(result);
      group.members.add(member);
    } else {
      group = openGroup(key, prepared, operation);
      group.members.add(member);
    }
    const joined = group;
    return () => {
      if (!joined.members.delete(member) || joined.members.size > 0) return;
      if (groups.get(key) === joined) groups.delete(key);
      joined.leave();
      void joined.pending.return();
      metrics.upstreams.set(pool.size);
    };
  }

  function openGroup(key: string, prepared: Prepared, operation: string): Group {
    const { plan, connection } = prepared;
    const viewer = connection.viewer;
    const context: GatewayContext = {
      viewer,
      identityToken: identityTokenMinter(viewer, options.internalTokenSecret, options.identityTtlSeconds),
      requestId: randomUUID(),
      clientIp: connection.ip,
    };
    const filter = new EventFilter();
    const group: Group = {
      members: new Set(),
      pending: new BoundedQueue<UpstreamResult>(settings.queueCapacity, () => metrics.dropped.inc({ operation, reason: 'queue_full' })),
      latest: new Map(),
      leave: () => {},
    };
    groups.set(key, group);
    const deliver = (result: ExecutionResult, identity: EventIdentity | undefined) => {
      if (identity?.key !== undefined && identity.sequence !== undefined) {
        group.latest.delete(identity.key);
        group.latest.set(identity.key, { identity, result });
        if (group.latest.size > 16) group.latest.delete(group.latest.keys().next().value!);
      }
      for (const member of group.members) {
        const verdict = member.filter.admit(identity);
        if (verdict === 'deliver') member.queue.push(result);
      }
    };
    // One event at a time, in order: the executor.
    void (async () => {
      for await (const upstream of group.pending) {
        // A span per event, continuing the trace the subgraph raised it in: its fetches carry it on.
        const result = await inEventSpan('gateway', `subscription event ${operation}`, upstream.extensions?.traceparent, () => executeEvent(prepared, upstream, context, operation));
        deliver(result, eventIdentity(upstream.extensions));
      }
      for (const member of group.members) member.queue.finish();
      if (groups.get(key) === group) groups.delete(key);
    })();

    const primary = plan.primary;
    const dataSource = options.dataSources.get(primary.serviceName);
    if (!dataSource?.url) {
      group.pending.push({ errors: [{ message: `The ${primary.serviceName} subgraph is not available`, extensions: { code: SUBSCRIPTION_ERROR.UPSTREAM_UNAVAILABLE } }] });
      group.pending.finish();
      return group;
    }
    group.leave = pool.join(
      {
        subgraph: primary.serviceName,
        url: dataSource.url,
        query: primary.operation,
        operationName: primary.operationName,
        variables: Object.fromEntries((primary.variableUsages ?? []).filter((name) => name in prepared.variables).map((name) => [name, prepared.variables[name]])),
        viewer: VIEWER_INDEPENDENT_SUBSCRIPTIONS.has(prepared.rootField) ? null : viewer,
      },
      {
        event: (result) => {
          metrics.received.inc({ operation });
          // Before execution: a redelivered or stale event costs no subgraph fetch.
          const verdict = filter.admit(eventIdentity(result.extensions));
          if (verdict === 'duplicate') metrics.deduplicated.inc({ operation });
          else if (verdict === 'stale') metrics.dropped.inc({ operation, reason: 'stale' });
          else group.pending.push(result);
        },
        end: (errors) => {
          if (errors?.length) group.pending.push({ errors });
          group.pending.finish();
        },
      },
    );
    metrics.upstreams.set(pool.size);
    return group;
  }

  function subscribe(prepared: Prepared): AsyncIterableIterator<ExecutionResult> {
    const { connection } = prepared;
    const operation = operationLabel(prepared.operationName, options.operationLists);
    const member: Member = {
      filter: new EventFilter(),
      queue: new BoundedQueue<ExecutionResult>(settings.queueCapacity, () => metrics.dropped.inc({ operation, reason: 'queue_full' })),
    };
    const end = (final: ExecutionResult) => {
      member.queue.push(final);
      member.queue.finish();
    };
    const leave = joinGroup(prepared, member, operation);
    queues.add(member.queue);
    live.add(end);
    metrics.active.inc({ operation });
    let ended = false;
    const cleanup = () => {
      if (ended) return;
      ended = true;
      live.delete(end);
      queues.delete(member.queue);
      leave();
      metrics.active.dec({ operation });
      if (--connection.subscriptions === 0) idleFrom(connection);
    };

    const results: AsyncIterableIterator<ExecutionResult> = {
      [Symbol.asyncIterator]: () => results,
      async next() {
        const step = await member.queue.next();
        if (step.done) {
          cleanup();
          return { done: true, value: undefined };
        }
        metrics.delivered.inc({ operation });
        return { done: false, value: step.value };
      },
      async return() {
        cleanup();
        await member.queue.return();
        return { done: true, value: undefined };
      },
      async throw(error: unknown) {
        cleanup();
        await member.queue.return();
        throw error;
      },
    };
    return results;
  }

  /**
   * One upstream event through the plan (SUBSCRIPTIONS facts, ADR 0014): the primary fetch is
   * answered with the event itself, the rest of the plan fetches the other subgraphs' fields as
   * a query would at this moment, and @apollo/gateway's own merge and shaping produce the
   * payload: a subgraph that fails leaves its fields null with an error, as for queries.
   */
  async function executeEvent(prepared: Prepared, event: UpstreamResult, context: GatewayContext, operation: string): Promise<ExecutionResult> {
    const { plan } = prepared;
    const started = performance.now();
    const serviceMap: Record<string, GraphQLDataSource<GatewayContext>> = Object.fromEntries(options.dataSources);
    serviceMap[plan.primary.serviceName] = {
      process: async () => ({ data: event.data ?? null, ...(event.errors ? { errors: event.errors as GraphQLError[] } : {}) }),
    } as GraphQLDataSource<GatewayContext>;
    const requestContext = {
      request: { query: prepared.query, variables: prepared.variables, operationName: prepared.operationName },
      context,
      logger: options.log,
      metrics: {},
      operationName: prepared.operationName ?? null,
      document: plan.operationContext.operation,
      schema: plan.state.apiSchema,
      cache: undefined,
      overallCachePolicy: undefined,
    };
    try {
      const result = await executeQueryPlan(
        plan.perEvent,
        serviceMap as never,
        requestContext as never,
        plan.operationContext,
        plan.state.supergraphSchema,
        plan.state.federationApiSchema,
      );
      return { data: result.data ?? null, ...(result.errors?.length ? { errors: [...result.errors] } : {}) };
    } catch (error) {
      options.log.error({ err: error }, 'subscription event could not be executed');
      return { data: null, errors: [new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] };
    } finally {
      metrics.executionSeconds.observe({ operation }, (performance.now() - started) / 1000);
    }
  }

  const endpoint = webSocketEndpoint(wss);
  return {
    attach: endpoint.attach,
    async close() {
      endpoint.detach();
      await closeSockets(wss, CLOSE.GOING_AWAY, CLOSE_REASON.SHUTDOWN);
      await disposable.dispose();
      await pool.closeAll();
    },
  };
}
