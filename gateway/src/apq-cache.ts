import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { GatewayRedis } from './redis.ts';

export interface ApqBounds {
  /** Seconds a document stays after its last use. */
  ttlSeconds: number;
  /** A document longer than this (UTF-8 bytes) is never stored. */
  maxEntryBytes: number;
  /** At most this many documents ... */
  maxEntries: number;
  /** ... and this many bytes of documents; past either, the least recently used go. */
  maxBytes: number;
}

/**
 * Stores one document and keeps the store within its bounds, atomically (one Lua script, so
 * replicas registering at once cannot overshoot). Bookkeeping: a sorted set of entry keys by last
 * use and a hash of their sizes, with the running total beside them. Entries whose TTL ran out
 * leave the index here (their keys are already gone); then the least recently used are dropped
 * until both budgets hold. The script touches entry keys it is not passed: fine on one Redis node,
 * not on a cluster (ADR 0006).
 *
 * KEYS: index, sizes, total, entry. ARGV: document, ttl seconds, now ms, max entries, max bytes.
 */
const STORE_SCRIPT = `
local index, sizes, total, entry = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local ttl, now = tonumber(ARGV[2]), tonumber(ARGV[3])
local maxEntries, maxBytes = tonumber(ARGV[4]), tonumber(ARGV[5])
local function drop(member)
  local size = tonumber(redis.call('HGET', sizes, member) or '0')
  redis.call('HDEL', sizes, member)
  redis.call('ZREM', index, member)
  redis.call('DEL', member)
  redis.call('DECRBY', total, size)
end
for _, member in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', now - ttl * 1000, 'LIMIT', 0, 100)) do drop(member) end
if redis.call('HEXISTS', sizes, entry) == 1 then drop(entry) end
redis.call('SET', entry, ARGV[1], 'EX', ttl)
redis.call('ZADD', index, now, entry)
redis.call('HSET', sizes, entry, #ARGV[1])
redis.call('INCRBY', total, #ARGV[1])
while redis.call('ZCARD', index) > maxEntries or tonumber(redis.call('GET', total) or '0') > maxBytes do
  local oldest = redis.call('ZRANGE', index, 0, 0)[1]
  if not oldest then break end
  drop(oldest)
end
for _, key in ipairs({ index, sizes, total }) do redis.call('EXPIRE', key, ttl) end
return redis.call('ZCARD', index)
`;

/**
 * Automatic persisted queries in Redis, so a hash registered through one gateway replica works on
 * every other; bounded per entry and in total (ADR 0006), since anyone may register documents.
 * Fails open: without Redis a hash is simply unknown, and the client resends the query (the APQ
 * protocol's normal path).
 */
export class RedisApqCache implements KeyValueCache<string> {
  private readonly index: string;
  private readonly sizes: string;
  private readonly total: string;

  constructor(
    private readonly redis: GatewayRedis,
    private readonly prefix: string,
    private readonly bounds: ApqBounds,
  ) {
    this.index = `${prefix}index`;
    this.sizes = `${prefix}sizes`;
    this.total = `${prefix}bytes`;
  }

  private entryKey(key: string) {
    return `${this.prefix}doc:${key}`;
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.entryKey(key);
    try {
      const value = await this.redis.client.get(entry);
      if (value !== null) {
        // A use keeps the document: later expiry, last in line for eviction.
        void this.redis.client
          .multi()
          .expire(entry, this.bounds.ttlSeconds)
          .zadd(this.index, 'XX', Date.now(), entry)
          .exec()
          .catch((error) => this.redis.failed('apq_touch', error));
      }
      return value ?? undefined;
    } catch (error) {
      this.redis.failed('apq_get', error);
      return undefined;
    }
  }

  /** The TTL is ours (bounds.ttlSeconds): Apollo's per-call TTL is not set for APQ. */
  async set(key: string, value: string): Promise<void> {
    if (Buffer.byteLength(value, 'utf8') > this.bounds.maxEntryBytes) return;
    try {
      await this.redis.client.eval(
        STORE_SCRIPT,
        4,
        this.index,
        this.sizes,
        this.total,
        this.entryKey(key),
        value,
        this.bounds.ttlSeconds,
        Date.now(),
        this.bounds.maxEntries,
        this.bounds.maxBytes,
      );
    } catch (error) {
      this.redis.failed('apq_set', error);
    }
  }

  /** Apollo never deletes APQ entries; the index keeps counting a deleted one until it is evicted or expires. */
  async delete(key: string): Promise<boolean | void> {
    try {
      await this.redis.client.del(this.entryKey(key));
    } catch (error) {
      this.redis.failed('apq_delete', error);
    }
  }
}
