// `npm run bench:views`: view counting under HTTP load, with Redis and PostgreSQL, as ratios measured
// in the same run (these machines are noisy: only ratios mean anything).
//
//   beacon       POST /views/:id (unique visitors)          vs  a bare node:http handler answering 204
//   recordView   the GraphQL mutation (unique visitors)      vs  a trivial Yoga query ({ __typename })
//   PostgreSQL   statements per 1,000 recorded views (cache misses, flushes; counted by the server)
//   mostViewed   p99 with 100,000 articles and 10,000,000 views in the store (DAY and MONTH windows)
//
// Starts its own redis-server and, without DATABASE_URL, its own PostgreSQL; seeds 100,000 articles.
// BENCH_SECONDS (default 10) per run, BENCH_CONNECTIONS (default 32).
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { seedIfEmpty } from '../src/seed/demo.ts';
import { LEVEL_MS } from '../src/rankings/windows.ts';
import { OutageLog } from '../src/views/outage-log.ts';
import { RedisViewStore } from '../src/views/redis-store.ts';
import { findPostgresBin, findRedisServer } from '../test/harness/binaries.ts';
import { freePort, startPostgres } from '../test/harness/postgres.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 100_000);
const TOTAL_VIEWS = Number(process.env.BENCH_VIEWS ?? 10_000_000);
const PREFIX = 'bench:';
const UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const log = (s: string) => console.log(s);

// ---- infrastructure -------------------------------------------------------------------------------
const cleanup: (() => Promise<void> | void)[] = [];
async function startRedisServer(): Promise<string> {
  const bin = findRedisServer();
  if (!bin) throw new Error('redis-server not installed (apt-get install redis-server)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-redis-'));
  const port = await freePort();
  const proc = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  cleanup.push(() => {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `redis://127.0.0.1:${port}/0`;
  const probe = new Redis(url, { retryStrategy: () => 20, maxRetriesPerRequest: null });
  probe.on('error', () => {});
  await probe.ping();
  probe.disconnect();
  return url;
}

function child(
  script: string,
  env: Record<string, string>,
): Promise<{ proc: ChildProcess; port: number; call: (op: string) => Promise<any> }> {
  const proc = fork(path.join(HERE, script), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let seq = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  proc.on('message', (m: { id?: number }) => {
    if (m.id != null) waiting.get(m.id)?.(m), waiting.delete(m.id);
  });
  cleanup.push(() => void proc.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    proc.on('message', (m: { ready?: number }) => {
      if (m.ready == null) return;
      resolve({
        proc,
        port: m.ready,
        call: (op) =>
          new Promise((res) => {
            const id = ++seq;
            waiting.set(id, res);
            proc.send({ id, op });
          }),
      });
    });
  });
}

// ---- load -----------------------------------------------------------------------------------------
interface Run {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

async function cannon(name: string, opts: autocannon.Options, connections = CONNECTIONS): Promise<Run> {
  await autocannon({ ...opts, duration: 2, connections }); // warm-up
  const r = await autocannon({ ...opts, duration: SECONDS, connections });
  const run = {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    total: r.requests.total,
  };
  log(
    `  ${name.padEnd(34)} ${Math.round(run.rps).toString().padStart(7)} req/s   p50 ${run.p50} ms   p99 ${run.p99} ms${run.non2xx || run.errors ? `   non-2xx ${run.non2xx} errors ${run.errors}` : ''}`,
  );
  return run;
}

/** Article ids drawn Zipf-like by recency: news traffic concentrates on the latest articles. */
function zipfPicker(ids: number[]): () => number {
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  return () => ids[Math.min(ids.length - 1, Math.floor(ids.length * rnd() ** 4))]!;
}

// ---- main -----------------------------------------------------------------------------------------
async function main() {
  log(
    `bench:views — ${os.cpus().length} CPUs, node ${process.version}, ${SECONDS} s per run, ${CONNECTIONS} connections`,
  );
  const redisUrl = await startRedisServer();
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const bin = findPostgresBin();
    if (!bin) throw new Error('PostgreSQL not installed and DATABASE_URL not set');
    const server = await startPostgres(bin);
    cleanup.push(() => server.stop());
    databaseUrl = await server.createDatabase('bench');
  }

  // 100,000 articles.
  const db = await openDatabase(loadConfig({ DATABASE_URL: databaseUrl }).database);
  await seedIfEmpty(db.prisma);
  const have = await db.prisma.article.count();
  if (have < ARTICLES) {
    // Plain rows in one statement (the demo corpus generator writes bodies, bylines and tags, and
    // takes minutes for 100,000): headline, section and publish time are all view counting reads.
    const t0 = Date.now();
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "Article" ("slug", "headline", "bodyText", "status", "publishedAt", "sectionId", "updatedAt")
       SELECT 'bench-' || g, '벤치마크 기사 ' || g, '본문 ' || g, 'PUBLISHED', now() - (g || ' minutes')::interval,
              (SELECT id FROM "Section" ORDER BY id OFFSET (g % (SELECT count(*) FROM "Section")) LIMIT 1), now()
         FROM generate_series(1, $1::int) g`,
      ARTICLES - have,
    );
    log(`seeded ${ARTICLES - have} articles in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const visible = await db.prisma.article.findMany({
    where: { status: 'PUBLISHED', deletedAt: null, publishedAt: { lte: new Date() } },
    orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
    select: { id: true, sectionId: true },
  });
  log(`${visible.length} visible articles`);

  const env = {
    NODE_ENV: 'production',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    SEED_DEMO: 'false',
    GRAPHIQL: 'false',
    PUBLISH_SCHEDULER_MS: '0',
    VIEWS_REDIS_PREFIX: PREFIX,
  };
  const floor = await child('views-floor.ts', {});
  const server = await child('views-server.ts', env);
  const base = `http://127.0.0.1:${server.port}`;
  const pick = zipfPicker(visible.map((v) => v.id));
  let visitor = 0;
  const nextVisitor = () => `bench-${(++visitor).toString(36).padStart(8, '0')}`;

  log('\nHTTP load (autocannon, loopback):');
  const floorRun = await cannon('node:http 204 (floor)', { url: `http://127.0.0.1:${floor.port}/`, method: 'POST' });
  const before = await server.call('stats');
  const beaconRun = await cannon('POST /views/:id (beacon)', {
    url: base,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: any) => ({
          ...req,
          path: `/views/${pick()}?v=${nextVisitor()}`,
          headers: { 'user-agent': UA },
        }),
      },
    ],
  });
  const trivialRun = await cannon('Yoga { __typename }', {
    url: `${base}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': UA },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  const mutation = 'mutation($a: ID!, $v: String!) { recordView(articleId: $a, visitorId: $v) { status } }';
  const recordRun = await cannon('recordView mutation', {
    url: `${base}/graphql`,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: any) => ({
          ...req,
          path: '/graphql',
          headers: { 'content-type': 'application/json', 'user-agent': UA },
          body: JSON.stringify({
            query: mutation,
            variables: { a: Buffer.from(`Article:${pick()}`).toString('base64'), v: nextVisitor() },
          }),
        }),
      },
    ],
  });
  const flushed = await server.call('flush');
  const after = await server.call('stats');
  const counted = await db.prisma.article.aggregate({ _sum: { viewCount: true } });
  const history = await db.prisma.articleViewHour.aggregate({ _sum: { views: true } });
  const viewsRecorded = Number(history._sum.views ?? 0);
  // Trivial queries run no SQL; so every statement in the window is view counting (lookups + flushes).
  const statements = after.statements - before.statements;
  log(
    `\nPostgreSQL: ${statements} statements for ${viewsRecorded} recorded views (${after.directoryQueries - before.directoryQueries} article lookups) = ${((statements / viewsRecorded) * 1000).toFixed(3)} per 1,000 views; Article.viewCount sum ${counted._sum.viewCount}; last flush ${JSON.stringify(flushed.report)}`,
  );

  // 10 million views generated directly into the store's buckets (60 days: the month and the one before).
  log(`\nGenerating ${TOTAL_VIEWS.toLocaleString('en')} views over 60 days into Redis…`);
  const t0 = Date.now();
  // Written as the record script would have left them: hourly and daily sorted sets, overall and per
  // section (one ZADD per key: every member once), with the store's own key names.
  const store = new RedisViewStore(redisUrl, { outageLog: new OutageLog(db.prisma), prefix: PREFIX });
  await store.ready();
  const redis = store.redis;
  const now = Date.now();
  const section = new Map(visible.map((v) => [v.id, v.sectionId]));
  const perHour = Math.floor(TOTAL_VIEWS / (60 * 24));
  const pad = (id: number) => String(id).padStart(10, '0');
  const zadd = (
    pipeline: ReturnType<typeof redis.pipeline>,
    key: string,
    counts: Map<number, number>,
    ttlSeconds: number,
  ) => {
    const args: (string | number)[] = [];
    for (const [id, n] of counts) args.push(n, pad(id));
    // Added to what the load runs recorded (the current hour and day): written aside, then summed in.
    const aside = `${key}:gen`;
    for (let i = 0; i < args.length; i += 20_000)
      pipeline.zadd(aside, ...(args.slice(i, i + 20_000) as [number, string]));
    pipeline.zunionstore(key, 2, key, aside);
    pipeline.del(aside);
    pipeline.expire(key, ttlSeconds);
  };
  const bySection = (counts: Map<number, number>) => {
    const out = new Map<number, Map<number, number>>();
    for (const [id, n] of counts) {
      const s = section.get(id)!;
      let m = out.get(s);
      if (!m) out.set(s, (m = new Map()));
      m.set(id, n);
    }
    return out;
  };
  let generated = 0;
  const currentHour = Math.floor(now / LEVEL_MS.h);
  let dayCounts = new Map<number, number>();
  let dayIndex = Math.floor((currentHour * LEVEL_MS.h) / LEVEL_MS.d);
  const flushDay = async () => {
    const pipeline = redis.pipeline();
    const ttl = 62 * 86_400;
    zadd(pipeline, store.keys.rank({ level: 'd', index: dayIndex }, 'a'), dayCounts, ttl);
    for (const [s, counts] of bySection(dayCounts))
      zadd(pipeline, store.keys.rank({ level: 'd', index: dayIndex }, String(s)), counts, ttl);
    await pipeline.exec();
    dayCounts = new Map();
  };
  for (let back = 0; back < 60 * 24; back++) {
    const hour = currentHour - back;
    const day = Math.floor((hour * LEVEL_MS.h) / LEVEL_MS.d);
    if (day !== dayIndex) {
      await flushDay();
      dayIndex = day;
    }
    const counts = new Map<number, number>();
    const n = back === 60 * 24 - 1 ? TOTAL_VIEWS - generated : perHour;
    for (let i = 0; i < n; i++) {
      const id = pick();
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    generated += n;
    for (const [id, c] of counts) dayCounts.set(id, (dayCounts.get(id) ?? 0) + c);
    const pipeline = redis.pipeline();
    const ttl = 61 * 86_400;
    zadd(pipeline, store.keys.rank({ level: 'h', index: hour }, 'a'), counts, ttl);
    for (const [s, c] of bySection(counts))
      zadd(pipeline, store.keys.rank({ level: 'h', index: hour }, String(s)), c, ttl);
    await pipeline.exec();
  }
  await flushDay();
  await store.close();
  log(`  ${generated.toLocaleString('en')} views in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  log(
    '\nmostViewed (ranking cached 1 s, refreshed in the background); latency with one request at a time, then saturated:',
  );
  const mv = (query: string) => ({
    url: `${base}/graphql`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', 'user-agent': UA },
    body: JSON.stringify({ query }),
  });
  const entry = 'rank views previousRank article { id headline url section { name } }';
  const day = mv(`{ mostViewed(window: DAY, first: 10) { ${entry} } }`);
  const month = mv(`{ mostViewed(window: MONTH, first: 10) { ${entry} } }`);
  const week = mv(`{ mostViewed(window: WEEK, section: "politics", first: 10) { ${entry} } }`);
  const dayRun = await cannon('mostViewed(DAY) 1 connection', day, 1);
  const monthRun = await cannon('mostViewed(MONTH) 1 connection', month, 1);
  const sectionRun = await cannon('mostViewed(WEEK, section) 1 conn.', week, 1);
  const daySat = await cannon(`mostViewed(DAY) ${CONNECTIONS} connections`, day);
  const monthSat = await cannon(`mostViewed(MONTH) ${CONNECTIONS} connections`, month);
  const stats = await server.call('stats');

  const ratio = (a: Run, b: Run) => a.rps / b.rps;
  const line = (label: string, value: string, target: string, ok: boolean) =>
    log(`  ${label.padEnd(44)} ${value.padStart(10)}   target ${target.padEnd(8)} ${ok ? 'met' : 'MISSED'}`);
  log('\nSummary');
  line(
    'beacon / bare node:http 204',
    `${ratio(beaconRun, floorRun).toFixed(2)}x`,
    '>= 0.7x',
    ratio(beaconRun, floorRun) >= 0.7,
  );
  line(
    'recordView / trivial Yoga query',
    `${ratio(recordRun, trivialRun).toFixed(2)}x`,
    '>= 0.8x',
    ratio(recordRun, trivialRun) >= 0.8,
  );
  line(
    'PostgreSQL statements per 1,000 views',
    ((statements / viewsRecorded) * 1000).toFixed(3),
    '< 2',
    (statements / viewsRecorded) * 1000 < 2,
  );
  line('mostViewed DAY p99 (ms)', String(dayRun.p99), '< 5', dayRun.p99 < 5);
  line('mostViewed MONTH p99 (ms)', String(monthRun.p99), '< 5', monthRun.p99 < 5);
  line('mostViewed WEEK, one section p99 (ms)', String(sectionRun.p99), '< 5', sectionRun.p99 < 5);
  log(`  (rankings computed during the run: ${stats.rankingsComputed}; store ${JSON.stringify(stats.health)})`);
  log(
    `  (saturated: DAY ${Math.round(daySat.rps)} req/s p99 ${daySat.p99} ms, MONTH ${Math.round(monthSat.rps)} req/s p99 ${monthSat.p99} ms; trivial Yoga query p99 at ${CONNECTIONS} connections: ${trivialRun.p99} ms)`,
  );
  for (const r of [floorRun, beaconRun, trivialRun, recordRun, dayRun, monthRun, sectionRun, daySat, monthSat]) {
    if (r.non2xx || r.errors) log(`  WARNING: ${r.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  }

  await server.call('stop');
  await db.close();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    for (const fn of cleanup.reverse()) await fn();
    process.exit(130);
  });
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const fn of cleanup.reverse()) await fn();
    process.exit();
  });
