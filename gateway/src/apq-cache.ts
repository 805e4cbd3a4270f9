import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { GatewayRedis } from './redis.ts';

/**
 * Automatic persisted queries in Redis, so a hash registered through one gateway replica works on
 * every other. Fails open: without Redis a hash is simply unknown, and the client resends the
 * query (the APQ protocol's normal path).
 */
export class RedisApqCache implements KeyValueCache<string> {
  constructor(
    private readonly redis: GatewayRedis,
    private readonly prefix: string,
    private readonly defaultTtlSeconds: number,
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.redis.client.get(this.prefix + key)) ?? undefined;
    } catch (error) {
      this.redis.failed('apq_get', error);
      return undefined;
    }
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    try {
      await this.redis.client.set(this.prefix + key, value, 'EX', options?.ttl ?? this.defaultTtlSeconds);
    } catch (error) {
      this.redis.failed('apq_set', error);
    }
  }

  async delete(key: string): Promise<boolean | void> {
    try {
      await this.redis.client.del(this.prefix + key);
    } catch (error) {
      this.redis.failed('apq_delete', error);
    }
  }
}
