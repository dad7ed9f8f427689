// Fixed-window rate limits, shared by every instance through Redis when REDIS_URL is set, in
// process otherwise. If Redis cannot be reached, this instance's own counts still apply.
import { Redis } from 'ioredis';
import { type Logger, silentLogger } from '../platform/logger.ts';

export interface RateLimit {
  /** Which limit ("email:recipient"), and whose budget ("someone@example.com"). */
  name: string;
  key: string;
  limit: number;
  windowMs: number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** When the window resets. */
  retryAfterMs: number;
}

export interface RateLimiter {
  /** Counts one attempt against each limit; allowed only if every limit still has room. */
  hit(limits: RateLimit[], now: number): Promise<RateLimitResult>;
  close(): Promise<void>;
}

function windowOf(limit: RateLimit, now: number) {
  const start = Math.floor(now / limit.windowMs) * limit.windowMs;
  return { start, retryAfterMs: start + limit.windowMs - now, id: `rl:${limit.name}:${limit.key}:${start}` };
}

export function createMemoryRateLimiter(): RateLimiter {
  const counts = new Map<string, { count: number; expires: number }>();
  return {
    async hit(limits, now) {
      for (const [k, v] of counts) if (v.expires <= now) counts.delete(k);
      let result: RateLimitResult = { allowed: true, retryAfterMs: 0 };
      for (const limit of limits) {
        const w = windowOf(limit, now);
        const entry = counts.get(w.id) ?? { count: 0, expires: w.start + limit.windowMs };
        entry.count++;
        counts.set(w.id, entry);
        if (entry.count > limit.limit) result = { allowed: false, retryAfterMs: Math.max(result.retryAfterMs, w.retryAfterMs) };
      }
      return result;
    },
    async close() {},
  };
}

export function createRedisRateLimiter(url: string, log: Logger = silentLogger): RateLimiter {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  redis.on('error', () => {}); // reported through failed hits below
  const fallback = createMemoryRateLimiter();
  return {
    async hit(limits, now) {
      try {
        const multi = redis.multi();
        const windows = limits.map((limit) => {
          const w = windowOf(limit, now);
          multi.incr(w.id).pexpire(w.id, limit.windowMs + 1000);
          return w;
        });
        const replies = (await multi.exec()) ?? [];
        let result: RateLimitResult = { allowed: true, retryAfterMs: 0 };
        windows.forEach((w, i) => {
          const count = Number(replies[i * 2]?.[1] ?? 0);
          if (count > limits[i]!.limit) result = { allowed: false, retryAfterMs: Math.max(result.retryAfterMs, w.retryAfterMs) };
        });
        return result;
      } catch (error) {
        log.warn({ err: error }, 'rate limit: Redis unavailable; counting in this process');
        return fallback.hit(limits, now);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}

export function createRateLimiter(redisUrl: string | undefined, log?: Logger): RateLimiter {
  return redisUrl ? createRedisRateLimiter(redisUrl, log) : createMemoryRateLimiter();
}
