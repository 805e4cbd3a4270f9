import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Viewer } from '@supergraph/service-kit';
import type { GatewayRedis } from './redis.ts';

export interface RateLimitConfig {
  /** Requests a minute for one API key, user or client IP. */
  pointsPerMinute: number;
  /** Without Redis: let requests through (open, the default) or refuse them with 503 (closed). */
  whenRedisDown: 'open' | 'closed';
}

/**
 * Rate limits per API key, else per signed-in user, else per client IP, counted in Redis so that
 * every replica shares one budget (rate-limiter-flexible). Over the limit: HTTP 429 with
 * Retry-After. Runs after authentication, so a user cannot be charged by someone else's token.
 */
export function rateLimitMiddleware(config: RateLimitConfig, redis: GatewayRedis | null, keyPrefix: string): RequestHandler {
  const options = { points: config.pointsPerMinute, duration: 60, keyPrefix: `${keyPrefix}ratelimit` };
  const limiter = redis ? new RateLimiterRedis({ ...options, storeClient: redis.client, rejectIfRedisNotReady: true }) : new RateLimiterMemory(options);
  return async (req, res, next) => {
    const key = rateLimitKey(req.header('x-api-key'), res.locals.viewer as Viewer | null, req.ip ?? 'unknown');
    try {
      await limiter.consume(key);
      next();
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        res.set('Retry-After', String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))));
        res.status(429).json({ errors: [{ message: 'Too many requests: slow down and retry later', extensions: { code: 'RATE_LIMITED' } }] });
        return;
      }
      redis?.failed('rate_limit', rejection);
      if (config.whenRedisDown === 'open') {
        next();
        return;
      }
      res.status(503).json({ errors: [{ message: 'Rate limiting is unavailable; retry later', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    }
  };
}

export function rateLimitKey(apiKey: string | undefined, viewer: Viewer | null, ip: string): string {
  // API keys are secrets: only a digest of one goes into Redis.
  if (apiKey) return `key:${createHash('sha256').update(apiKey).digest('hex').slice(0, 32)}`;
  if (viewer) return `user:${viewer.id}`;
  return `ip:${ip}`;
}
