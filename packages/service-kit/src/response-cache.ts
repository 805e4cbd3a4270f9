import { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

/**
 * The gateway's response cache lives in Redis; every cached response is indexed under the
 * entities it contains: `id:<entity id>` when the id was selected, `type:<Type>` when an object
 * of that entity type appears without its id. A subgraph that changes an entity purges both
 * before its mutation answers, so the next read on any gateway replica is fresh (ADR 0008).
 *
 * A read that was already running when the purge came must not store what it read before it:
 * every purge takes the next number of `generation` and marks each tag it purged with it
 * (`purged`), the gateway reads `generation` with its cache look-up, and a response is stored
 * only if none of its tags was purged since that read (gateway/src/response-cache.ts). Both are
 * Lua scripts, so no store can fall between a purge's reading of a tag and its deleting.
 */
export const responseCacheKeys = (prefix: string) => {
  const tag = (name: string) => `${prefix}rc:tag:${name}`;
  /** The number of the last purge of a tag, kept while a request that began before it could still be running. */
  const purged = (name: string) => `${prefix}rc:purged:${name}`;
  return {
    entry: (scope: 'pub' | `priv:${string}`, hash: string) => `${prefix}rc:${scope}:${hash}`,
    tag,
    /** The number of the last purge (no TTL: it only grows). */
    generation: `${prefix}rc:generation`,
    purged,
    /** Each tag's set, then its purge mark: the pairs of KEYS both Lua scripts (purge, store) walk. */
    tagsAndMarks: (names: Iterable<string>) => [...names].flatMap((name) => [tag(name), purged(name)]),
  };
};

/**
 * How long a purge's mark on a tag is kept: longer than any request runs (each subgraph fetch is
 * bounded by SUBGRAPH_TIMEOUT_MS, at most 60 s). A request older than this could store what it read.
 */
const PURGE_MARK_SECONDS = 600;

/** KEYS: the generation, then each tag's set and its purge mark. ARGV: the mark's TTL. Returns the entries deleted. */
const PURGE_SCRIPT = `
local generation = redis.call('INCR', KEYS[1])
local deleted = 0
for i = 2, #KEYS, 2 do
  redis.call('SET', KEYS[i + 1], generation, 'EX', ARGV[1])
  for _, entry in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    deleted = deleted + redis.call('DEL', entry)
  end
  redis.call('DEL', KEYS[i])
end
return deleted`;

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
      const tags = [...new Set([...ids.map((id) => `id:${id}`), `type:${type}`])];
      try {
        const tagKeys = keys.tagsAndMarks(tags);
        const deleted = Number(await redis.eval(PURGE_SCRIPT, 1 + tagKeys.length, keys.generation, ...tagKeys, PURGE_MARK_SECONDS));
        options.onPurge?.(deleted);
        return deleted;
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
