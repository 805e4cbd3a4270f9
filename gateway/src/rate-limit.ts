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
 * Rate limits per partner (a known API key), else per signed-in user, else per client IP, counted
 * in Redis so that every replica shares one budget (rate-limiter-flexible). Over the limit: HTTP
 * 429 with Retry-After. Runs after authentication and after `identifyPartner`, so a user cannot be
 * charged by someone else's token, and an unknown API key is charged to the caller's IP: invented
 * keys are throttled like any request from that address and never create a counter of their own.
 */
export function rateLimitMiddleware(config: RateLimitConfig, redis: GatewayRedis | null, keyPrefix: string): RequestHandler {
  const options = { points: config.pointsPerMinute, duration: 60, keyPrefix: `${keyPrefix}ratelimit` };
  const limiter = redis ? new RateLimiterRedis({ ...options, storeClient: redis.client, rejectIfRedisNotReady: true }) : new RateLimiterMemory(options);
  return async (req, res, next) => {
    const key = rateLimitKey(res.locals.partner as string | null | undefined, res.locals.viewer as Viewer | null, req.ip ?? 'unknown');
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

/**
 * The budget a request is charged to. `partner`: the client of its API key, null when it sent an
 * unknown key (charged to its IP, whoever it claims to be), undefined when it sent none. The set
 * of keys is bounded by partners, users and addresses, never by what a client puts in a header.
 */
export function rateLimitKey(partner: string | null | undefined, viewer: Viewer | null, ip: string): string {
  if (partner) return `partner:${partner}`;
  if (partner === undefined && viewer) return `user:${viewer.id}`;
  return `ip:${ip}`;
}
