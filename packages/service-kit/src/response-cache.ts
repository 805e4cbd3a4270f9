import { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

/**
 * The gateway's response cache lives in Redis; every cached response is indexed under the
 * entities it contains: `id:<entity id>` when the id was selected, `type:<Type>` when an object
 * of that entity type appears without its id. A subgraph that changes an entity purges both
 * before its mutation answers, so the next read on any gateway replica is fresh (ADR 0008).
 */
export const responseCacheKeys = (prefix: string) => ({
  entry: (scope: 'pub' | `priv:${string}`, hash: string) => `${prefix}rc:${scope}:${hash}`,
  tag: (tag: string) => `${prefix}rc:tag:${tag}`,
});

export interface ResponseCachePurger {
  /** Drops every cached response that contains one of these entities of `type`. */
  purge(type: string, ids: readonly string[]): Promise<number>;
  close(): Promise<void>;
}

export function createResponseCachePurger(options: { redisUrl?: string | undefined; prefix: string; log: Logger; onPurge?: (entries: number) => void }): ResponseCachePurger {
  // Without Redis there is no shared response cache to purge (the gateway caches only in Redis).
  if (!options.redisUrl) return { purge: async () => 0, close: async () => {} };
  const redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2_000, lazyConnect: true });
  redis.on('error', (error) => options.log.debug({ err: error }, 'response cache purge connection error'));
  const connected = redis.connect().catch(() => {});
  const keys = responseCacheKeys(options.prefix);
  return {
    async purge(type, ids) {
      await connected;
      const tags = [...ids.map((id) => keys.tag(`id:${id}`)), keys.tag(`type:${type}`)];
      try {
        const members = await Promise.all(tags.map((tag) => redis.smembers(tag)));
        const entries = [...new Set(members.flat())];
        if (entries.length + tags.length > 0) await redis.del(...entries, ...tags);
        options.onPurge?.(entries.length);
        return entries.length;
      } catch (error) {
        // Entries expire by themselves (they live at most their max-age): stale for that long at worst.
        options.log.warn({ err: error, type, ids }, 'response cache purge failed');
        return 0;
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
