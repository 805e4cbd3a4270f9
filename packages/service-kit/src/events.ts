import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
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
}

export function createEventBus(options: EventBusOptions): EventBus {
  return options.redisUrl ? redisEventBus(options.redisUrl, options) : inProcessEventBus(options.channelPrefix);
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

function redisEventBus(url: string, options: EventBusOptions): EventBus {
  const connect = () => {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    redis.on('error', (error) => options.log?.warn({ err: error }, 'redis event bus connection error'));
    return redis;
  };
  const publisher = connect();
  let subscriber: Redis | null = null;
  const handlers = new Map<string, Set<(payload: unknown) => void>>();

  const subscriberConnection = async () => {
    if (subscriber) return subscriber;
    subscriber = connect();
    subscriber.on('message', (channel: string, message: string) => {
      let payload: unknown;
      try {
        payload = JSON.parse(message);
      } catch {
        options.log?.warn({ channel }, 'dropped an event that is not JSON');
        return;
      }
      for (const handler of handlers.get(channel) ?? []) handler(payload);
    });
    await subscriber.connect();
    return subscriber;
  };

  return {
    kind: 'redis',
    async publish(topic, payload) {
      if (publisher.status === 'wait') await publisher.connect();
      await publisher.publish(options.channelPrefix + topic, JSON.stringify(payload));
    },
    async subscribe(topic, handler) {
      const channel = options.channelPrefix + topic;
      const connection = await subscriberConnection();
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await connection.subscribe(channel);
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0) {
          handlers.delete(channel);
          await connection.unsubscribe(channel);
        }
      };
    },
    async close() {
      publisher.disconnect();
      subscriber?.disconnect();
    },
  };
}
