// The one way this app opens a Redis connection: from the whole REDIS_URL (password, db number,
// TLS with rediss://), named for CLIENT LIST, with one reconnect policy. Callers add only what their
// use needs (offline queue, per-command retries, resubscription).
import { Redis, type RedisOptions } from 'ioredis';

/** Reconnect after 100 ms, 200 ms, 400 ms, 800 ms, then every second, for as long as it takes. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 5), 1_000);
}

export function connectRedis(url: string, connectionName: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { ...options, connectionName, retryStrategy: reconnectDelayMs });
}
