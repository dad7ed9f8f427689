// Rate limits (rate-limiter-flexible): fixed windows counted in Redis when REDIS_URL is set, so every
// instance shares one budget per client, in process otherwise. If Redis cannot be reached, each
// instance counts in its own memory (the library's insurance limiter) until it is back.
import { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { userError } from '../errors.ts';
import { type Logger, silentLogger } from '../platform/logger.ts';

export interface RateLimit {
  /** Which limit ("email:recipient"), and whose budget ("someone@example.com"). */
  name: string;
  key: string;
  limit: number;
  windowMs: number;
  /** Points this attempt costs (default 1). */
  cost?: number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** When the most exhausted window has room again (0 when allowed). */
  retryAfterMs: number;
}

export interface RateLimiter {
  /** Counts one attempt against each limit; allowed only if every limit still has room. */
  hit(limits: RateLimit[]): Promise<RateLimitResult>;
  close(): Promise<void>;
}

/** The RATE_LIMITED error: `retryAfterSeconds` in extensions, HTTP 429 with Retry-After. */
export function rateLimited(message: string, retryAfterMs: number) {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return userError('RATE_LIMITED', message, {
    retryAfterSeconds: seconds,
    http: { status: 429, headers: { 'Retry-After': String(seconds) } },
  });
}

export function createRateLimiter(redisUrl: string | undefined, log: Logger = silentLogger): RateLimiter {
  const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false }) : null;
  let warned = false;
  redis?.on('error', (error) => {
    if (!warned) log.warn({ err: error }, 'rate limit: Redis unavailable; counting in this process until it is back');
    warned = true;
  });
  redis?.on('ready', () => (warned = false));
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiterFor = (limit: RateLimit): RateLimiterAbstract => {
    const id = `${limit.name}:${limit.limit}:${limit.windowMs}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      const options = {
        keyPrefix: `rl:${limit.name}`,
        points: limit.limit,
        duration: Math.max(1, Math.round(limit.windowMs / 1000)),
      };
      const memory = new RateLimiterMemory(options);
      limiter = redis
        ? new RateLimiterRedis({
            ...options,
            storeClient: redis,
            rejectIfRedisNotReady: true,
            insuranceLimiter: memory,
          })
        : memory;
      limiters.set(id, limiter);
    }
    return limiter;
  };
  return {
    async hit(limits) {
      const verdicts = await Promise.all(
        limits.map((limit) =>
          limiterFor(limit)
            .consume(limit.key, limit.cost ?? 1)
            .then(
              () => 0,
              (rejection: unknown) => {
                if (rejection instanceof RateLimiterRes) return Math.max(1, rejection.msBeforeNext);
                throw rejection;
              },
            ),
        ),
      );
      const retryAfterMs = Math.max(0, ...verdicts);
      return { allowed: retryAfterMs === 0, retryAfterMs };
    },
    async close() {
      redis?.disconnect();
    },
  };
}
