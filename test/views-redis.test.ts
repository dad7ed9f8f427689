// View counting with Redis and PostgreSQL when things go wrong: two instances flushing at once (and
// re-committing each other's batches), a `kill -9` of a server process in the middle of a load run,
// Redis stopped for 10 s under load, and Redis coming back empty. In every case the database totals
// must equal the acknowledged views exactly.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ResultOf } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { ViewFlusher } from '../src/views/flusher.ts';
import { OutageLog } from '../src/views/outage-log.ts';
import { LUA_KEY_FUNCTIONS, ViewKeys } from '../src/views/redis-keys.ts';
import { RedisViewStore } from '../src/views/redis-store.ts';
import { graphql } from './generated/index.ts';
import { redisSkipReason, type RedisServer, startRedis } from './harness/redis.ts';
import { createPostgresDatabase } from './harness/server.ts';
import { silentLogger } from '../src/platform/logger.ts';

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** What readers ask while Redis is down: the hour's ranking with counters, and counters of a list. */
const OUTAGE_READS = graphql(`
  query TestRedisOutageReads { mostViewed(window: HOUR, first: 5) { rank views article { id viewCount uniqueViewers(window: HOUR) } } latestArticles(first: 2) { viewCount } }
`);
const RANKINGS = graphql(`
  query TestRedisRankings { day: mostViewed(window: DAY, first: 15) { rank views previousRank article { id viewCount } } week: mostViewed(window: WEEK, first: 15) { rank views article { id } } }
`);
const skip = redisSkipReason() ?? inject('postgresSkip');
if (skip) console.warn(`Redis view-count resilience suite skipped: ${skip}`);

async function dbTotals(url: string): Promise<{ views: bigint; history: bigint; ledger: bigint }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT
      (SELECT coalesce(sum("viewCount"), 0) FROM "Article") AS views,
      (SELECT coalesce(sum("views"), 0) FROM "ArticleViewHour") AS history,
      (SELECT coalesce(sum("views"), 0) FROM "ViewFlush") AS ledger`);
    return { views: BigInt(rows[0].views), history: BigInt(rows[0].history), ledger: BigInt(rows[0].ledger) };
  } finally {
    await client.end();
  }
}

/** Sends `count` beacon views (visitor `${prefix}-${i}`) with `concurrency` in flight; resolves with each one's status. */
async function load(
  base: () => string,
  ids: number[],
  prefix: string,
  from: number,
  to: number,
  concurrency: number,
  onResult?: (i: number, status: string) => void,
) {
  const results = new Map<number, string>();
  let next = from;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      let status: string;
      try {
        const res = await fetch(`${base()}/views/${ids[i % ids.length]}?v=${prefix}-${String(i).padStart(6, '0')}`, {
          method: 'POST',
          headers: { 'user-agent': BROWSER },
        });
        status = res.status === 204 ? res.headers.get('x-view-status')! : `HTTP ${res.status}`;
      } catch {
        status = 'FAILED';
      }
      results.set(i, status);
      onResult?.(i, status);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

describe.skipIf(skip)('view counting with Redis and PostgreSQL under failure', () => {
  let redis: RedisServer;
  const apps: App[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis({ persistent: true });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const app of apps) await app.stop();
    await redis?.stop();
  });

  async function startApp(
    databaseUrl: string,
    env: Record<string, string>,
    clock?: () => Date,
  ): Promise<{ app: App; base: string }> {
    const config = loadConfig({
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      SEED_DEMO: 'true',
      DEMO_VIEWS: 'false',
      PUBLISH_SCHEDULER_MS: '0',
      ...env,
    });
    const app = await buildApp(config, { logger: silentLogger, ...(clock ? { clock } : {}) });
    apps.push(app);
    return { app, base: `http://127.0.0.1:${await app.start(0, '127.0.0.1')}` };
  }

  /** The real server (src/main.ts) as its own process, so it can be killed with SIGKILL. */
  async function startChild(
    databaseUrl: string,
    env: Record<string, string>,
  ): Promise<{ child: ChildProcess; base: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        SEED_DEMO: 'true',
        DEMO_VIEWS: 'false',
        PUBLISH_SCHEDULER_MS: '0',
        GRAPHIQL: 'false',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        const m = /News API on http:\/\/localhost:(\d+)\//.exec(out);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${out}`)));
    });
    return { child, base };
  }

  async function publishedIds(app: App, n: number): Promise<number[]> {
    const rows = await app.db.prisma.article.findMany({
      where: { status: 'PUBLISHED', deletedAt: null, publishedAt: { lte: new Date() } },
      take: n,
      orderBy: { id: 'asc' },
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }

  it("two instances flushing at once, re-committing each other's batches, count every acknowledged view once", async () => {
    const db = await createPostgresDatabase('seeded');
    const env = { VIEWS_FLUSH_MS: '20', VIEWS_REDIS_PREFIX: 'two:' };
    const a = await startApp(db, env);
    const b = await startApp(db, env);
    const ids = await publishedIds(a.app, 12);
    const before = await dbTotals(db);

    // A flusher that claimed a batch and died: the batch stays in Redis until another commits it.
    await load(() => a.base, ids, 'pre', 0, 200, 10);
    await a.app.services.views.store.claim('dead-flusher');
    const rescuers = [a, b].map(
      ({ app }) =>
        new ViewFlusher({
          store: app.services.views.store,
          prisma: app.db.prisma,
          clock: () => new Date(),
          log: silentLogger,
          intervalMs: 0,
          leaseMs: 0,
        }),
    );
    await Promise.all(rescuers.map((f) => f.flush()));
    expect(await a.app.services.views.store.claimed('dead-flusher')).toBeNull();

    // Under load: both instances' own flushers every 20 ms, plus two flushers with a zero lease that
    // grab every in-flight batch of the others.
    let loading = true;
    const aggressive = rescuers.map(async (f) => {
      let skipped = 0;
      while (loading) skipped += (await f.flush()).skipped;
      return skipped;
    });
    const results = await Promise.all([
      load(() => a.base, ids, 'two-a', 0, 2500, 25),
      load(() => b.base, ids, 'two-b', 0, 2500, 25),
    ]);
    loading = false;
    await Promise.all(aggressive);
    const acknowledged = results.reduce((n, r) => n + [...r.values()].filter((s) => s === 'COUNTED').length, 0);
    expect(acknowledged).toBe(5000);

    await a.app.stop();
    await b.app.stop();
    await Promise.all(rescuers.map((f) => f.stop()));
    const after = await dbTotals(db);
    expect(after.views - before.views).toBe(BigInt(acknowledged + 200));
    expect(after.history - before.history).toBe(BigInt(acknowledged + 200));
    expect(after.ledger - before.ledger).toBe(BigInt(acknowledged + 200));
    const check = new Redis(redis.url);
    expect(await check.zcard('two:fl')).toBe(0);
    expect(await check.exists('two:ph', 'two:pt')).toBe(0);
    check.disconnect();
  });

  it('kill -9 of a server during a load run loses no acknowledged view and counts none twice', async () => {
    const db = await createPostgresDatabase('seeded');
    let base = '';
    const startK9 = async () => {
      const started = await startChild(db, { VIEWS_FLUSH_MS: '15', VIEWS_REDIS_PREFIX: 'k9:' });
      base = started.base;
      return started.child;
    };

    let child = await startK9();
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    const ids = (
      await client.query(
        `SELECT id FROM "Article" WHERE status = 'PUBLISHED' AND "deletedAt" IS NULL AND "publishedAt" <= now() ORDER BY id LIMIT 8`,
      )
    ).rows.map((r) => r.id as number);
    await client.end();
    const before = await dbTotals(db);

    // Load until 1,500 views are acknowledged, then SIGKILL in the middle of it (flushes run every 15 ms).
    const N = 3000;
    let acked = 0;
    const exited = once(child, 'exit');
    const first = await load(
      () => base,
      ids,
      'k9',
      0,
      N,
      30,
      (_i, status) => {
        if (status === 'COUNTED' && ++acked === 1500) child.kill('SIGKILL');
      },
    );
    await exited;
    expect(child.signalCode).toBe('SIGKILL');
    const acknowledged = [...first].filter(([, s]) => s === 'COUNTED').map(([i]) => i);
    const unanswered = [...first].filter(([, s]) => s !== 'COUNTED').map(([i]) => i);
    expect(acknowledged.length).toBeGreaterThanOrEqual(1500);
    expect(unanswered.length).toBeGreaterThan(0);

    // Restarted, the server commits what the dead one left (pending counts, a claimed batch); the
    // clients retry the views that got no answer: those that were counted are duplicates now.
    child = await startK9();
    const retried = new Map<number, string>();
    let k = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (k < unanswered.length) {
          const i = unanswered[k++]!;
          const res = await fetch(`${base}/views/${ids[i % ids.length]}?v=k9-${String(i).padStart(6, '0')}`, {
            method: 'POST',
            headers: { 'user-agent': BROWSER },
          });
          retried.set(i, res.headers.get('x-view-status') ?? `HTTP ${res.status}`);
        }
      }),
    );
    expect([...retried.values()].every((s) => s === 'COUNTED' || s === 'DUPLICATE')).toBe(true);
    const stopped = once(child, 'exit');
    child.kill('SIGTERM');
    await stopped;
    const after = await dbTotals(db);
    // Every one of the N views counted exactly once: acknowledged ones not lost, none twice.
    expect(after.views - before.views).toBe(BigInt(N));
    expect(after.history - before.history).toBe(BigInt(N));
  }, 180_000);

  it('Redis stopped for 10 s under load: the API keeps answering, views are buffered and applied exactly', async () => {
    const db = await createPostgresDatabase('seeded');
    const { app, base } = await startApp(db, {
      VIEWS_FLUSH_MS: '50',
      VIEWS_REDIS_PREFIX: 'out:',
      VIEWS_RANKING_CACHE_MS: '200',
    });
    const ids = await publishedIds(app, 10);
    const before = await dbTotals(db);
    const store = app.services.views.store as RedisViewStore;
    const statuses: string[] = [];
    const collect = (r: Map<number, string>) => statuses.push(...r.values());

    collect(await load(() => base, ids, 'out', 0, 1000, 20));
    await redis.kill();
    // Ten seconds of traffic with Redis down: views and reads, side by side.
    const downUntil = Date.now() + 10_000;
    let i = 1000;
    const readErrors: unknown[] = [];
    const readers = (async () => {
      let reads = 0;
      while (Date.now() < downUntil) {
        const res = await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': BROWSER },
          body: JSON.stringify({ query: print(OUTAGE_READS) }),
        });
        const body = (await res.json()) as { errors?: unknown[] };
        if (body.errors) readErrors.push(body.errors);
        reads++;
      }
      return reads;
    })();
    while (Date.now() < downUntil) {
      const r = await load(() => base, ids, 'out', i, i + 100, 10);
      i += 100;
      collect(r);
    }
    const reads = await readers;
    expect(readErrors).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    const queuedDuringOutage = statuses.filter((s) => s === 'QUEUED').length;
    expect(queuedDuringOutage).toBe(i - 1000);
    expect(store.health()).toMatchObject({ connected: false, dropped: 0 });
    expect(store.health().buffered).toBeGreaterThan(0);

    await redis.restart();
    collect(await load(() => base, ids, 'out', i, i + 1000, 20));
    // Applied in arrival order once Redis is back.
    while (store.health().buffered > 0) {
      await store.ready();
      await store.drain();
    }
    expect(statuses.every((s) => s === 'COUNTED' || s === 'QUEUED')).toBe(true);
    await app.stop();
    const after = await dbTotals(db);
    expect(after.views - before.views).toBe(BigInt(statuses.length));
    expect(after.history - before.history).toBe(BigInt(statuses.length));
  }, 120_000);

  it('views acknowledged during a Redis outage survive a kill -9 of the instance that acknowledged them', async () => {
    const db = await createPostgresDatabase('seeded');
    const env = { VIEWS_FLUSH_MS: '50', VIEWS_REDIS_PREFIX: 'crash:', VIEWS_FLUSH_LEASE_MS: '1000' };
    // Instance A is a process of its own (killed with SIGKILL), B runs here.
    const a = await startChild(db, env);
    const b = await startApp(db, env);
    const ids = await publishedIds(b.app, 10);
    const before = await dbTotals(db);
    const store = b.app.services.views.store as RedisViewStore;
    const statuses = new Map<string, string>();
    const collect = (name: string, r: Map<number, string>) => {
      for (const [i, status] of r) statuses.set(`${name}-${String(i).padStart(6, '0')}`, status);
    };

    collect('crash-a', await load(() => a.base, ids, 'crash-a', 0, 300, 10));
    collect('crash-b', await load(() => b.base, ids, 'crash-b', 0, 300, 10));
    await redis.kill();
    // Both acknowledge views during the outage; A is killed once it has acknowledged 400 of them,
    // with requests in flight.
    let queuedByA = 0;
    const exited = once(a.child, 'exit');
    const [duringA, duringB] = await Promise.all([
      load(
        () => a.base,
        ids,
        'crash-a',
        300,
        1300,
        20,
        (_i, status) => {
          if (status === 'QUEUED' && ++queuedByA === 400) a.child.kill('SIGKILL');
        },
      ),
      load(() => b.base, ids, 'crash-b', 300, 900, 10),
    ]);
    await exited;
    expect(a.child.signalCode).toBe('SIGKILL');
    collect('crash-a', duringA);
    collect('crash-b', duringB);
    expect([...duringB.values()].every((s) => s === 'QUEUED')).toBe(true);
    const acknowledgedByA = [...duringA.values()].filter((s) => s === 'QUEUED').length;
    expect(acknowledgedByA).toBeGreaterThanOrEqual(400);
    const unanswered = [...duringA].filter(([, s]) => s !== 'QUEUED').map(([i]) => i);
    expect(unanswered.length).toBeGreaterThan(0);
    // What A acknowledged is in PostgreSQL, not in a dead process.
    const outage = new pg.Client({ connectionString: db });
    await outage.connect();
    const inTable = async () => Number((await outage.query('SELECT count(*) AS n FROM "ViewOutage"')).rows[0].n);
    expect(await inTable()).toBeGreaterThanOrEqual(acknowledgedByA + 600);

    // Redis returns: B applies every buffered view, its own and the dead instance's.
    await redis.restart();
    await store.ready(10_000);
    collect('crash-b', await load(() => b.base, ids, 'crash-b', 900, 1200, 10));
    while ((await inTable()) > 0) await store.drain(true);
    await outage.end();
    // The views A never answered are sent again (to B), as a client would: those A had written are duplicates now.
    const retried = await Promise.all(
      unanswered.map(async (i) => {
        const res = await fetch(`${b.base}/views/${ids[i % ids.length]}?v=crash-a-${String(i).padStart(6, '0')}`, {
          method: 'POST',
          headers: { 'user-agent': BROWSER },
        });
        return res.headers.get('x-view-status') ?? `HTTP ${res.status}`;
      }),
    );
    expect(retried.every((s) => s === 'COUNTED' || s === 'DUPLICATE')).toBe(true);

    await b.app.stop();
    const after = await dbTotals(db);
    // Every distinct view sent counted exactly once: none acknowledged lost, none twice.
    expect(statuses.size).toBe(1300 + 1200);
    expect(after.views - before.views).toBe(BigInt(statuses.size));
    expect(after.history - before.history).toBe(BigInt(statuses.size));
  }, 180_000);

  it('committing the same batch twice at once (two flushers, one abandoned batch) applies it once', async () => {
    const db = await createPostgresDatabase('seeded');
    const { app } = await startApp(db, { VIEWS_FLUSH_MS: '0', VIEWS_REDIS_PREFIX: 'twice:' });
    const [id] = await publishedIds(app, 1);
    const before = await app.db.prisma.article.findUniqueOrThrow({ where: { id: id! }, select: { viewCount: true } });
    const batch = { id: 'same-batch', rows: [[id!, 493_000, 7] as [number, number, number]] };
    const released: string[] = [];
    const stub = {
      ...app.services.views.store,
      needsRebuild: async () => false,
      claimed: async () => null,
      abandoned: async () => [batch],
      claim: async () => null,
      release: async (flushId: string) => void released.push(flushId),
    };
    const flushers = [0, 1].map(
      () =>
        new ViewFlusher({
          store: stub as never,
          prisma: app.db.prisma,
          clock: () => new Date(),
          log: silentLogger,
          intervalMs: 0,
          leaseMs: 0,
        }),
    );
    const reports = await Promise.all(flushers.map((f) => f.flush()));
    expect(reports.map((r) => r.views).sort()).toEqual([0, 7]);
    expect(reports.map((r) => r.skipped).sort()).toEqual([0, 1]);
    expect(released).toEqual(['same-batch', 'same-batch']);
    const after = await app.db.prisma.article.findUniqueOrThrow({ where: { id: id! }, select: { viewCount: true } });
    expect(after.viewCount - before.viewCount).toBe(7);
  });

  it('the outage buffer is bounded and durable: beyond it, or when PostgreSQL cannot take a view, it is refused, not acknowledged', async () => {
    const db = await openDatabase({ kind: 'postgres', url: await createPostgresDatabase('seeded') });
    try {
      const dead = new RedisViewStore('redis://127.0.0.1:1/0', { outageLog: new OutageLog(db.prisma), maxBuffered: 3 });
      const view = (n: number) => ({
        articleId: 1,
        sectionId: 1,
        visitor: n.toString(16).padStart(16, '0'),
        at: Date.now(),
      });
      const outcomes = await Promise.all([1, 2, 3, 4, 5].map((n) => dead.record(view(n), 60_000)));
      expect(outcomes).toEqual(['QUEUED', 'QUEUED', 'QUEUED', 'DROPPED', 'DROPPED']);
      expect(dead.health()).toMatchObject({ buffered: 3, dropped: 2, connected: false });
      // Acknowledged means written: the three are in PostgreSQL before their answer.
      expect(await db.prisma.viewOutage.count()).toBe(3);
      await dead.close();
      // Without a database to write to, a view is not acknowledged (the beacon answers 503).
      const noDb = new RedisViewStore('redis://127.0.0.1:1/0', { outageLog: new OutageLog(db.prisma), maxBuffered: 3 });
      await db.prisma.$executeRawUnsafe('ALTER TABLE "ViewOutage" RENAME TO "ViewOutageAway"');
      expect(await noDb.record(view(6), 60_000)).toBe('DROPPED');
      await db.prisma.$executeRawUnsafe('ALTER TABLE "ViewOutageAway" RENAME TO "ViewOutage"');
      await noDb.close();
    } finally {
      await db.close();
    }
  });

  it('Redis coming back empty: rankings and totals are rebuilt from the hourly history', async () => {
    const db = await createPostgresDatabase('seeded');
    let now = Date.parse('2026-02-10T06:00:00Z');
    const env = { VIEWS_FLUSH_MS: '0', VIEWS_REDIS_PREFIX: 'empty:', VIEWS_RANKING_CACHE_MS: '0' };
    const first = await startApp(db, env, () => new Date(now));
    const ids = await publishedIds(first.app, 30);
    const { counter } = first.app.services.views;
    let counted = 0;
    for (let h = 0; h < 30; h++) {
      now += 3_600_000;
      for (let j = 0; j < 40; j++) {
        if (
          (await counter.record(ids[(h * 7 + j * j) % ids.length]!, `empty-${h}-${j}`, {
            userAgent: BROWSER,
            address: null,
          })) === 'COUNTED'
        )
          counted++;
      }
    }
    // Pending flush (the views_pending_flush metric), then committed.
    expect(await first.app.services.views.store.pendingSum()).toBe(counted);
    await first.app.services.views.flusher.flush();
    expect(await first.app.services.views.store.pendingSum()).toBe(0);
    const query = print(RANKINGS);
    const gql = async (base: string) =>
      (await (
        await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': BROWSER },
          body: JSON.stringify({ query }),
        })
      ).json()) as { data: ResultOf<typeof RANKINGS> };
    const before = await gql(first.base);
    await first.app.stop();

    const wipe = new Redis(redis.url);
    await wipe.flushall();
    wipe.disconnect();
    const second = await startApp(db, env, () => new Date(now));
    expect(await gql(second.base)).toEqual(before);
    await second.app.stop();
  });

  it('the Lua scripts and TypeScript spell every key the same (one definition in redis-keys.ts)', async () => {
    const keys = new ViewKeys('nv:');
    const bucket = { level: 'h' as const, index: 493_000 };
    const expected = [
      keys.seen(7, 'abcdef0123456789'),
      keys.pendingTotals(),
      keys.pendingHours(),
      keys.flushes(),
      keys.flushTotals('f-1'),
      keys.flushHours('f-1'),
      keys.rebuilt(),
      keys.rebuildLock(),
      keys.rank(bucket, 'a'),
      keys.unique(bucket, 7),
      keys.scratch('x'),
    ];
    const lua = `${LUA_KEY_FUNCTIONS}
return { key_seen(ARGV[1], 7, 'abcdef0123456789'), key_pendingTotals(ARGV[1]), key_pendingHours(ARGV[1]), key_flushes(ARGV[1]),
  key_flushTotals(ARGV[1], 'f-1'), key_flushHours(ARGV[1], 'f-1'), key_rebuilt(ARGV[1]), key_rebuildLock(ARGV[1]),
  key_rank(ARGV[1], 'h', 493000, 'a'), key_unique(ARGV[1], 'h', 493000, 7), key_scratch(ARGV[1], 'x') }`;
    const client = new Redis(redis.url);
    try {
      expect(await client.eval(lua, 0, 'nv:')).toEqual(expected);
      expect(expected).toContain('nv:z:h:493000:a');
    } finally {
      client.disconnect();
    }
  });
});
