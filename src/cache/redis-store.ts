// The response cache in Redis, shared by every instance. A response is one string key with its TTL;
// each surrogate key is a set of the response ids filed under it. Purging a key deletes its
// responses and the set in one script.
//
// Redis down: reads miss and writes are dropped at once (no offline queue, short command timeout),
// so requests are answered from PostgreSQL meanwhile. Purges that failed while it was down are
// caught up by clearing this cache once it is back (a response it still holds may be stale).
import { Redis } from 'ioredis';
import type { ExecutionResult } from 'graphql';
import { keysOfResult, type ResponseStore } from './store.ts';
import { type Logger, silentLogger } from '../platform/logger.ts';

const PURGE = `
for i, key in ipairs(KEYS) do
  local ids = redis.call('SMEMBERS', key)
  for j = 1, #ids, 500 do
    local chunk = {}
    for k = j, math.min(j + 499, #ids) do chunk[#chunk + 1] = ARGV[1] .. ids[k] end
    redis.call('UNLINK', unpack(chunk))
  end
  redis.call('UNLINK', key)
end
return 1`;

export interface RedisStoreOptions {
  prefix?: string;
  log?: Logger;
  /** How long a key's set of response ids lives (longer than any response TTL). */
  keyTtlMs?: number;
}

export function createRedisStore(url: string, options: RedisStoreOptions = {}): ResponseStore {
  const prefix = options.prefix ?? 'newsroom:rc:';
  const responsePrefix = `${prefix}r:`;
  const keyPrefix = `${prefix}k:`;
  const keyTtlMs = options.keyTtlMs ?? 24 * 3_600_000;
  const log = options.log ?? silentLogger;
  const redis = new Redis(url, {
    connectionName: 'newsroom-response-cache',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
  });
  let lastError = '';
  let missedPurge = false;
  redis.on('error', (error: Error) => {
    if (error.message !== lastError) log.warn(`response cache: redis: ${error.message}`);
    lastError = error.message;
  });
  redis.on('ready', () => {
    lastError = '';
    if (missedPurge) void clearAll();
  });

  async function clearAll() {
    try {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (found.length) await redis.unlink(...found);
      } while (cursor !== '0');
      missedPurge = false;
      log.info('response cache: cleared after purges were missed while Redis was unreachable');
    } catch (error) {
      log.warn(`response cache: clearing after an outage failed: ${(error as Error).message}`);
    }
  }

  return {
    kind: 'redis',
    async set(id, result, _entities, ttl) {
      if (!(ttl > 0)) return;
      const keys = keysOfResult(result);
      try {
        const multi = redis.multi().set(responsePrefix + id, JSON.stringify(result), 'PX', Math.ceil(ttl));
        for (const key of keys) multi.sadd(keyPrefix + key, id).pexpire(keyPrefix + key, keyTtlMs);
        await multi.exec();
      } catch {
        // Not cached this time.
      }
    },
    async get(id) {
      try {
        const json = await redis.get(responsePrefix + id);
        return json ? (JSON.parse(json) as ExecutionResult) : undefined;
      } catch {
        return undefined;
      }
    },
    invalidate() {},
    async invalidateKeys(keys) {
      if (!keys.length) return;
      try {
        await redis.eval(PURGE, keys.length, ...keys.map((k) => keyPrefix + k), responsePrefix);
      } catch (error) {
        missedPurge = true;
        log.warn(
          `response cache: purge of ${keys.length} keys failed (${(error as Error).message}); the cache is cleared when Redis is back`,
        );
      }
    },
    async close() {
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
