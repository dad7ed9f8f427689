// The Redis view store: every instance shares the counts. One round trip per view, or fewer: the views
// that arrive in one event-loop turn go in one call of a Lua script that, per view, checks the
// de-duplication mark and, for a new view, bumps the pending counters, the 5-minute, hourly and daily
// sorted sets (overall and the article's section) and the article's HyperLogLogs, with expiries.
//
// When Redis cannot be reached, views are acknowledged once they are written to PostgreSQL (the outage
// buffer, src/views/outage-log.ts; bounded per instance) and applied when it returns, by whichever
// instance drains first, while new views go to Redis again. Applying a view twice is harmless: the
// script's de-duplication mark (the instant of the counted view) turns the second application into a
// DUPLICATE, so a view whose reply was lost can simply be sent again; and a buffered view applied after
// a later one of the same visitor is a DUPLICATE of it (a mark later than the view), so the order in
// which the buffer and new views arrive does not change the counts.
import { randomUUID } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import { connectRedis } from '../platform/redis.ts';
import { type Bucket, type Level, LEVEL_MS, RANK_RETENTION_MS, UNIQUE_RETENTION_MS } from '../rankings/windows.ts';
import type { Ranked, Scope } from '../rankings/ranked.ts';
import type { BufferedView, OutageLog } from './outage-log.ts';
import { LUA_KEY_FUNCTIONS, ViewKeys } from './redis-keys.ts';
import {
  type FlushBatch,
  type HistoryRow,
  type RecordOutcome,
  scopeKey,
  type StoreHealth,
  type ViewRecord,
  type ViewStore,
} from './store.ts';
import { type Logger, silentLogger } from '../platform/logger.ts';

// Records a batch of views (those arriving in one event-loop turn) in one round trip. Per view:
// article, section, visitor hash, instant (ms), de-duplication window (ms). Key names: redis-keys.ts.
const RECORD_MANY = `
${LUA_KEY_FUNCTIONS}
local p = ARGV[1]
local ttl = { m = ARGV[2], h = ARGV[3], d = ARGV[4] }
local uttl = { m = ARGV[5], h = ARGV[6], d = ARGV[7] }
local out = {}
local n = (#ARGV - 7) / 5
for i = 0, n - 1 do
  local o = 8 + i * 5
  local id, sec, visitor, at, dedup = ARGV[o], ARGV[o + 1], ARGV[o + 2], tonumber(ARGV[o + 3]), tonumber(ARGV[o + 4])
  local seen = key_seen(p, id, visitor)
  local last = redis.call('GET', seen)
  if last and at - tonumber(last) < dedup then
    out[i + 1] = 0
  else
    redis.call('SET', seen, ARGV[o + 3], 'PX', ARGV[o + 4])
    local idx = { m = string.format('%d', math.floor(at / 300000)), h = string.format('%d', math.floor(at / 3600000)), d = string.format('%d', math.floor(at / 86400000)) }
    redis.call('HINCRBY', key_pendingTotals(p), id, 1)
    redis.call('HINCRBY', key_pendingHours(p), id .. ':' .. idx.h, 1)
    local member = string.format('%010d', tonumber(id))
    for _, level in ipairs({ 'm', 'h', 'd' }) do
      local a = key_rank(p, level, idx[level], '${scopeKey('all')}')
      local s = key_rank(p, level, idx[level], sec)
      redis.call('ZINCRBY', a, 1, member)
      redis.call('EXPIRE', a, ttl[level])
      redis.call('ZINCRBY', s, 1, member)
      redis.call('EXPIRE', s, ttl[level])
      local u = key_unique(p, level, idx[level], id)
      redis.call('PFADD', u, visitor)
      redis.call('EXPIRE', u, uttl[level])
    end
    out[i + 1] = 1
  end
end
return out
`;

const PENDING = `
${LUA_KEY_FUNCTIONS}
local n = #ARGV - 1
local out = {}
local base = redis.call('HMGET', KEYS[1], unpack(ARGV, 2))
for i = 1, n do out[i] = tonumber(base[i]) or 0 end
local flushes = redis.call('ZRANGE', KEYS[2], 0, -1)
for _, f in ipairs(flushes) do
  local v = redis.call('HMGET', key_flushTotals(ARGV[1], f), unpack(ARGV, 2))
  for i = 1, n do out[i] = out[i] + (tonumber(v[i]) or 0) end
end
return out
`;

const PENDING_SUM = `
${LUA_KEY_FUNCTIONS}
local n = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do n = n + tonumber(v) end
for _, f in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  for _, v in ipairs(redis.call('HVALS', key_flushTotals(ARGV[1], f))) do n = n + tonumber(v) end
end
return n
`;

const TOP = `
if #KEYS < 2 then return {} end
redis.call('ZUNIONSTORE', KEYS[1], #KEYS - 1, unpack(KEYS, 2))
local r = redis.call('ZREVRANGE', KEYS[1], ARGV[1], ARGV[2], 'WITHSCORES')
redis.call('DEL', KEYS[1])
return r
`;

const CLAIM = `
if redis.call('EXISTS', KEYS[4]) == 0 then return -1 end
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('RENAME', KEYS[2], KEYS[6])
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('RENAME', KEYS[1], KEYS[5]) end
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
return 1
`;

const ABANDONED = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id) end
return ids
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    nvRecordMany(...args: (string | number)[]): Result<number[], Context>;
    nvPending(...args: (string | number)[]): Result<number[], Context>;
    nvPendingSum(...args: (string | number)[]): Result<number, Context>;
    nvTop(...args: (string | number)[]): Result<string[], Context>;
    nvClaim(...args: (string | number)[]): Result<number, Context>;
    nvAbandoned(...args: (string | number)[]): Result<string[], Context>;
  }
}

export interface RedisViewStoreOptions {
  /** Where views acknowledged while Redis is unreachable are kept until it returns. */
  outageLog: OutageLog;
  /** Key prefix, so several deployments can share one Redis. */
  prefix?: string;
  /** Most views this instance keeps in the outage buffer. */
  maxBuffered?: number;
  log?: Logger;
  /** Called for every view found new when the outage buffer is applied. */
  onLateCount?: (view: ViewRecord) => void;
}

const sec = (ms: number) => Math.ceil(ms / 1000);
const pad = (id: number) => String(id).padStart(10, '0');
const DRAIN_CHUNK = 500;
const BATCH_MAX = 500;

export class RedisViewStore implements ViewStore {
  readonly kind = 'redis' as const;
  readonly redis: Redis;
  readonly keys: ViewKeys;
  private readonly maxBuffered: number;
  private readonly log: Logger;
  /** Views waiting for their outage-buffer write, answered when it commits. */
  private staging: (BufferedView & { resolve: (outcome: RecordOutcome) => void })[] = [];
  private persisting: Promise<void> | null = null;
  /** Views this instance wrote to the outage buffer since it was last found empty. */
  private buffered = 0;
  /** Outage-buffer writes started and finished (a drain finding it empty after all of them saw every row). */
  private appends = { started: 0, finished: 0 };
  private dropped = 0;
  private draining: Promise<void> | null = null;
  private batch: { view: ViewRecord; dedupMs: number; resolve: (outcome: RecordOutcome) => void }[] = [];
  private readonly drainTimer: NodeJS.Timeout;
  private closed = false;
  private lastError = '';

  constructor(
    url: string,
    private readonly options: RedisViewStoreOptions,
  ) {
    this.keys = new ViewKeys(options.prefix ?? 'nv:');
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.log = options.log ?? silentLogger;
    this.redis = connectRedis(url, 'newsroom-views', {
      // Fail fast while disconnected: the buffer below, not ioredis' offline queue, holds views.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
    });
    this.redis.on('error', (error: Error) => this.noteError(error));
    this.redis.on('ready', () => {
      this.lastError = '';
      // Rows any instance left in the outage buffer (also one killed during the outage) are applied now.
      void this.drain(true);
    });
    this.redis.defineCommand('nvRecordMany', { numberOfKeys: 0, lua: RECORD_MANY });
    this.redis.defineCommand('nvPending', { numberOfKeys: 2, lua: PENDING });
    this.redis.defineCommand('nvPendingSum', { numberOfKeys: 2, lua: PENDING_SUM });
    this.redis.defineCommand('nvTop', { lua: TOP });
    this.redis.defineCommand('nvClaim', { numberOfKeys: 6, lua: CLAIM });
    this.redis.defineCommand('nvAbandoned', { numberOfKeys: 1, lua: ABANDONED });
    this.drainTimer = setInterval(() => void this.drain(false), 250);
    this.drainTimer.unref();
  }

  /** Resolves once connected (or false after `timeoutMs`). */
  async ready(timeoutMs = 5_000): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.redis.once('ready', onReady);
    });
  }

  record(view: ViewRecord, dedupMs: number): Promise<RecordOutcome> {
    if (this.redis.status !== 'ready') return this.hold(view, dedupMs);
    return new Promise((resolve) => {
      this.batch.push({ view, dedupMs, resolve });
      if (this.batch.length === 1) setImmediate(() => void this.sendBatch());
      else if (this.batch.length >= BATCH_MAX) void this.sendBatch();
    });
  }

  /** One script call for the views that arrived in this event-loop turn. */
  private async sendBatch(): Promise<void> {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    try {
      const results = await this.redis.nvRecordMany(...this.manyArgs(batch));
      batch.forEach((b, i) => {
        b.resolve(results[i] === 1 ? 'COUNTED' : 'DUPLICATE');
      });
    } catch (error) {
      // Unknown whether the script ran: re-applying is harmless (the de-duplication mark).
      this.noteError(error as Error);
      for (const b of batch) void this.hold(b.view, b.dedupMs).then(b.resolve);
    }
  }

  private manyArgs(views: readonly { view: ViewRecord; dedupMs: number }[]): (string | number)[] {
    const args: (string | number)[] = [
      this.keys.prefix,
      sec(RANK_RETENTION_MS.m),
      sec(RANK_RETENTION_MS.h),
      sec(RANK_RETENTION_MS.d),
      sec(UNIQUE_RETENTION_MS.m),
      sec(UNIQUE_RETENTION_MS.h),
      sec(UNIQUE_RETENTION_MS.d),
    ];
    for (const { view: v, dedupMs } of views) args.push(v.articleId, v.sectionId, v.visitor, v.at, dedupMs);
    return args;
  }

  /** QUEUED once the view is in the outage buffer; DROPPED when it is full or PostgreSQL did not take it. */
  private hold(view: ViewRecord, dedupMs: number): Promise<RecordOutcome> {
    if (this.buffered + this.staging.length >= this.maxBuffered) {
      this.dropped++;
      return Promise.resolve('DROPPED');
    }
    return new Promise((resolve) => {
      this.staging.push({ view, dedupMs, resolve });
      if (!this.persisting) this.persisting = this.persist();
    });
  }

  /** Writes staged views to the outage buffer, one statement per event-loop turn's worth. */
  private async persist(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    while (this.staging.length > 0) {
      const batch = this.staging.splice(0, BATCH_MAX);
      this.appends.started++;
      try {
        await this.options.outageLog.append(batch);
        this.buffered += batch.length;
        for (const b of batch) b.resolve('QUEUED');
      } catch (error) {
        this.dropped += batch.length;
        this.noteError(error as Error);
        for (const b of batch) b.resolve('DROPPED');
      } finally {
        this.appends.finished++;
      }
    }
    this.persisting = null;
  }

  /**
   * Applies the outage buffer in arrival order, in chunks, while Redis is up: this instance's views,
   * and with `all` (Redis just came back) whatever any instance left there.
   */
  drain(all = false): Promise<void> {
    if (this.draining || (!all && this.buffered === 0) || this.redis.status !== 'ready')
      return this.draining ?? Promise.resolve();
    this.draining = (async () => {
      let applied = 0;
      try {
        while (this.redis.status === 'ready') {
          const seen = this.appends.started;
          const idle = seen === this.appends.finished;
          const n = await this.options.outageLog.take(DRAIN_CHUNK, async (views) => {
            const results = await this.redis.nvRecordMany(...this.manyArgs(views));
            results.forEach((r, i) => {
              if (r === 1) this.options.onLateCount?.(views[i]!.view);
            });
          });
          applied += n;
          if (n > 0) continue;
          // Empty, and every write of ours had finished before the look: ours are all applied.
          if (idle && seen === this.appends.started) this.buffered = 0;
          break;
        }
      } catch (error) {
        this.noteError(error as Error);
      } finally {
        this.draining = null;
      }
      if (applied > 0) this.log.info({ views: applied }, 'views: applied views buffered during a Redis outage');
    })();
    return this.draining;
  }

  async pendingTotals(articleIds: readonly number[]): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < articleIds.length; i += 1000) {
      const ids = articleIds.slice(i, i + 1000);
      const values = await this.redis.nvPending(
        this.keys.pendingTotals(),
        this.keys.flushes(),
        this.keys.prefix,
        ...ids,
      );
      out.push(...values.map(Number));
    }
    return out;
  }

  async pendingSum(): Promise<number> {
    return Number(await this.redis.nvPendingSum(this.keys.pendingTotals(), this.keys.flushes(), this.keys.prefix));
  }

  async uniques(articleId: number, buckets: readonly Bucket[]): Promise<number> {
    if (buckets.length === 0) return 0;
    return this.redis.pfcount(...buckets.map((b) => this.keys.unique(b, articleId)));
  }

  async top(scope: Scope, buckets: readonly Bucket[], offset: number, limit: number): Promise<Ranked[]> {
    if (limit <= 0) return [];
    const keys = buckets.map((b) => this.keys.rank(b, scopeKey(scope)));
    const flat = await this.redis.nvTop(
      keys.length + 1,
      this.keys.scratch(randomUUID()),
      ...keys,
      offset,
      offset + limit - 1,
    );
    const out: Ranked[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ articleId: Number(flat[i]), views: Number(flat[i + 1]) });
    return out;
  }

  async claim(flushId: string): Promise<FlushBatch | null | 'REBUILD'> {
    const k = this.keys;
    const r = await this.redis.nvClaim(
      k.pendingTotals(),
      k.pendingHours(),
      k.flushes(),
      k.rebuilt(),
      k.flushTotals(flushId),
      k.flushHours(flushId),
      flushId,
      Date.now(),
    );
    if (r === -1) return 'REBUILD';
    if (r === 0) return null;
    return this.readBatch(flushId);
  }

  private async readBatch(flushId: string): Promise<FlushBatch> {
    const hours = await this.redis.hgetall(this.keys.flushHours(flushId));
    const rows: [number, number, number][] = [];
    for (const [key, views] of Object.entries(hours)) {
      const [article, hour] = key.split(':');
      rows.push([Number(article), Number(hour), Number(views)]);
    }
    rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return { id: flushId, rows };
  }

  async claimed(flushId: string): Promise<FlushBatch | null> {
    return (await this.redis.zscore(this.keys.flushes(), flushId)) === null ? null : this.readBatch(flushId);
  }

  async abandoned(olderThanMs: number): Promise<FlushBatch[]> {
    const now = Date.now();
    const ids = await this.redis.nvAbandoned(this.keys.flushes(), now - olderThanMs, now, 20);
    return Promise.all(ids.map((id) => this.readBatch(id)));
  }

  async release(flushId: string): Promise<void> {
    const k = this.keys;
    await this.redis.multi().del(k.flushTotals(flushId), k.flushHours(flushId)).zrem(k.flushes(), flushId).exec();
  }

  async needsRebuild(): Promise<boolean> {
    return (await this.redis.exists(this.keys.rebuilt())) === 0;
  }

  async beginRebuild(): Promise<boolean> {
    return (await this.redis.set(this.keys.rebuildLock(), randomUUID(), 'PX', 120_000, 'NX')) === 'OK';
  }

  async applyHistory(rows: readonly HistoryRow[], nowMs: number): Promise<void> {
    // Day buckets summed first: one ZINCRBY per article and day rather than per hour.
    const increments = new Map<string, Map<string, number>>();
    const add = (key: string, member: string, n: number) => {
      let m = increments.get(key);
      if (!m) increments.set(key, (m = new Map()));
      m.set(member, (m.get(member) ?? 0) + n);
    };
    const ttl = new Map<string, number>();
    for (const row of rows) {
      const at = row.hour * LEVEL_MS.h;
      const age = nowMs - at;
      if (age > RANK_RETENTION_MS.h) continue;
      for (const level of ['h', 'd'] as Level[]) {
        const b = { level, index: Math.floor(at / LEVEL_MS[level]) };
        for (const scope of ['a', String(row.sectionId)]) {
          const key = this.keys.rank(b, scope);
          add(key, pad(row.articleId), row.views);
          ttl.set(key, Math.max(60, sec(RANK_RETENTION_MS[level] - age)));
        }
      }
    }
    let pipeline = this.redis.pipeline();
    let n = 0;
    for (const [key, members] of increments) {
      for (const [member, by] of members) {
        pipeline.zincrby(key, by, member);
        if (++n % 5_000 === 0) {
          await pipeline.exec();
          pipeline = this.redis.pipeline();
        }
      }
      pipeline.expire(key, ttl.get(key)!);
    }
    await pipeline.exec();
  }

  async endRebuild(): Promise<void> {
    await this.redis.multi().set(this.keys.rebuilt(), String(Date.now())).del(this.keys.rebuildLock()).exec();
  }

  health(): StoreHealth {
    return {
      kind: 'redis',
      connected: this.redis.status === 'ready',
      buffered: this.buffered + this.staging.length,
      dropped: this.dropped,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.drainTimer);
    await this.persisting;
    await this.drain();
    if (this.buffered > 0)
      this.log.warn(
        { views: this.buffered },
        'views: outage buffer left in PostgreSQL (Redis unreachable): the next instance to reach Redis applies it',
      );
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }

  private noteError(error: Error): void {
    if (error.message === this.lastError) return;
    this.lastError = error.message;
    this.log.warn({ err: error }, 'views: redis');
  }
}
