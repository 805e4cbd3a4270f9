import { EventEmitter } from 'node:events';
import { context, propagation } from '@opentelemetry/api';
import { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from './logger.ts';

/**
 * Domain events between services (ARCHITECTURE.md: subgraphs publish, gateways subscribe).
 * With REDIS_URL it is Redis pub/sub, so any replica of any service sees every event; without it,
 * an in-process emitter behind the same interface (the embedded default). Delivery is at least
 * once (publishers retry from their outbox): consumers must tolerate duplicates.
 */
export interface EventBus {
  publish(topic: string, payload: unknown): Promise<void>;
  /** Returns a function that unsubscribes. */
  subscribe(topic: string, handler: (payload: unknown) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  readonly kind: 'redis' | 'in-process';
}

export interface EventBusOptions {
  redisUrl?: string | undefined;
  /** Namespaces channels, so environments (and test runs) sharing a Redis never see each other's events. */
  channelPrefix: string;
  log?: Logger;
  /** The service's metrics: `event_bus_connected` and `event_bus_errors_total` (Redis bus only). */
  registry?: Registry;
}

export function createEventBus(options: EventBusOptions): EventBus {
  const bus = options.redisUrl ? redisEventBus(options.redisUrl, options) : inProcessEventBus(options.channelPrefix);
  const publish = bus.publish.bind(bus);
  return Object.assign(bus, { publish: (topic: string, payload: unknown) => publish(topic, withTraceContext(payload)) });
}

/**
 * An event raised inside a traced request carries that trace (`traceparent`, W3C), so the work it
 * causes downstream (the gateway's per-event fetches) joins the same trace (issue 11 §10).
 */
function withTraceContext(payload: unknown): unknown {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload) || 'traceparent' in payload) return payload;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? { ...payload, traceparent: carrier.traceparent } : payload;
}

function inProcessEventBus(prefix: string): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    kind: 'in-process',
    async publish(topic, payload) {
      emitter.emit(prefix + topic, payload);
    },
    async subscribe(topic, handler) {
      emitter.on(prefix + topic, handler);
      return async () => {
        emitter.off(prefix + topic, handler);
      };
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

/**
 * Redis pub/sub, degrading to in-process delivery while Redis is unreachable (issue 11 §9,
 * ADR 0014): a subscribe never waits for Redis (its channel is subscribed whenever the connection
 * is ready), and an event Redis did not take is handed to this process's own subscribers, so one
 * replica keeps working on its own. An event Redis took reaches them through Redis only (its
 * echo), never twice. A publish Redis refused still rejects, after the local delivery, so a
 * publisher with an outbox retries it for the other replicas; that retry is a redelivery with the
 * same event id, which consumers drop. `event_bus_connected` and `event_bus_errors_total` show
 * the condition; the transitions are logged once each.
 */
function redisEventBus(url: string, options: EventBusOptions): EventBus {
  const connected = options.registry
    ? new Gauge({ name: 'event_bus_connected', help: 'Whether the Redis event bus is connected (1) or delivering in-process only (0)', registers: [options.registry] })
    : undefined;
  const errors = options.registry
    ? new Counter({ name: 'event_bus_errors_total', help: 'Redis event bus connection errors and publishes Redis did not take', registers: [options.registry] })
    : undefined;
  let closing = false;
  let up: boolean | undefined;
  const handlers = new Map<string, Set<(payload: unknown) => void>>();
  let subscriber: Redis | null = null;

  const onError = (error: unknown) => {
    errors?.inc();
    // Each reconnect attempt errors; the transition is what is logged (refresh, below).
    if (up !== false) options.log?.debug({ err: error }, 'redis event bus connection error');
  };
  const connect = () => {
    // No offline queue: while Redis is away a publish fails at once (and is delivered locally)
    // instead of waiting for a reconnect. Reconnects go on for ever (ioredis' retry strategy).
    const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, autoResubscribe: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
    redis.on('error', onError);
    redis.on('ready', refresh);
    redis.on('close', refresh);
    redis.on('end', refresh);
    return redis;
  };
  const publisher = connect();

  /** Redis takes and delivers our events only while both connections are ready. */
  function isUp() {
    return publisher.status === 'ready' && (subscriber === null || subscriber.status === 'ready');
  }
  function refresh() {
    if (closing) return;
    // A first connection still being made is neither up nor down yet: nothing to log.
    const failed = [publisher, subscriber].some((redis) => redis !== null && ['reconnecting', 'close', 'end'].includes(redis.status));
    const now = isUp() ? true : failed ? false : up;
    connected?.set(now ? 1 : 0);
    if (now === undefined || up === now) return;
    const before = up;
    up = now;
    if (!now) options.log?.warn({ channelPrefix: options.channelPrefix }, 'redis event bus unreachable: events are delivered in this process only until it is back');
    else if (before === false) options.log?.info({ channelPrefix: options.channelPrefix }, 'redis event bus connected again: events reach every replica');
  }

  const deliverLocally = (channel: string, payload: unknown) => {
    for (const handler of [...(handlers.get(channel) ?? [])]) handler(payload);
  };

  const subscriberConnection = () => {
    if (subscriber) return subscriber;
    const connection = connect();
    subscriber = connection;
    connection.on('message', (channel: string, message: string) => {
      let payload: unknown;
      try {
        payload = JSON.parse(message);
      } catch {
        options.log?.warn({ channel }, 'dropped an event that is not JSON');
        return;
      }
      deliverLocally(channel, payload);
    });
    // On every (re)connect: the channels of every subscriber, those made while Redis was away included.
    connection.on('ready', () => {
      const channels = [...handlers.keys()];
      if (channels.length > 0) connection.subscribe(...channels).catch(onError);
    });
    return connection;
  };
  /** Resolves once connected or once the attempt failed (ioredis keeps reconnecting on its own). */
  const started = (redis: Redis) => (redis.status === 'wait' ? redis.connect().catch(onError) : Promise.resolve());
  const publisherStarted = started(publisher);
  refresh();

  return {
    kind: 'redis',
    async publish(topic, payload) {
      const channel = options.channelPrefix + topic;
      const message = JSON.stringify(payload);
      // Our own subscribers hear nothing through Redis while the subscriber connection is down.
      await publisherStarted;
      const echoed = subscriber === null || subscriber.status === 'ready';
      try {
        if (publisher.status !== 'ready') throw new Error('redis event bus is not connected');
        await publisher.publish(channel, message);
      } catch (error) {
        errors?.inc();
        deliverLocally(channel, JSON.parse(message));
        throw error;
      }
      if (!echoed) deliverLocally(channel, JSON.parse(message));
    },
    async subscribe(topic, handler) {
      const channel = options.channelPrefix + topic;
      const connection = subscriberConnection();
      await started(connection);
      refresh();
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        // Ready: subscribed before this returns, so nothing published after it is missed.
        // Not ready: subscribed by the 'ready' handler when Redis is back; local events still come.
        if (connection.status === 'ready') await connection.subscribe(channel).catch(onError);
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0 && handlers.get(channel) === set) {
          handlers.delete(channel);
          if (connection.status === 'ready') await connection.unsubscribe(channel).catch(onError);
        }
      };
    },
    async close() {
      closing = true;
      publisher.disconnect();
      subscriber?.disconnect();
    },
  };
}
