// `npm run bench:read`: read performance at archive scale, as ratios measured in the same run (these
// machines are shared and noisy: absolute figures move, ratios of alternating runs much less).
//
//   1. its own PostgreSQL, BENCH_ARTICLES generated articles (default 100,000) through `npm run db:seed`
//      laid out in publish order as a real archive is (CLUSTER, then VACUUM ANALYZE)
//   2. one request at a time: p50/p99 of every operation in examples/ and of search (1-, 2-, 3+-syllable
//      Korean words, English words, a word in a section and one with a photo), BENCH_SAMPLES requests
//      each after a warm-up
//   3. 32 connections (autocannon): article page without and with previous/next, section front,
//      reporter page, against PostGraphile v5 (amber preset, bench/peers/postgraphile) and against a
//      bare node:http + pg floor answering with one SQL statement (read-floor.ts); BENCH_ROUNDS rounds,
//      contenders alternating, each run after a warm-up; every contender's answers are checked equal first
//   4. a markdown table of ratios, printed and written to bench/results/
//
// Environment: DATABASE_URL (an existing database: seeded up to BENCH_ARTICLES; default: its own server), BENCH_ARTICLES, BENCH_SECONDS (per run, default 10), BENCH_ROUNDS (default 3),
// BENCH_CONNECTIONS (default 32), BENCH_SAMPLES (default 300), BENCH_POOL (connections per server, default 10),
// BENCH_PROFILE=DIR (this API runs with --cpu-prof, profile summary printed), BENCH_ONLY=single|load,
// BENCH_LAYOUT=as-seeded (keep the generator's row order instead of clustering by publish time).
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import { Kind, parse } from 'graphql';
import pg from 'pg';
import { findPostgresBin } from '../test/harness/binaries.ts';
import { startPostgres } from '../test/harness/postgres.ts';
import { summariseProfile } from './cpu-profile.ts';
import { ensurePeerInstalled, peerProcess, preparePeerDatabase, runLog } from './peers.ts';
import { type Contender, SCENARIOS, type Scenario, canonical } from './read-scenarios.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '..');
const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const POOL = process.env.BENCH_POOL ?? '10';
const PROFILE = process.env.BENCH_PROFILE;
const ONLY = process.env.BENCH_ONLY;
/** Lay a database the bench seeded out in publish order (`layOutByPublishTime`); BENCH_LAYOUT=as-seeded keeps the generator's. */
const LAYOUT = process.env.BENCH_LAYOUT !== 'as-seeded';
/** [kind, word, filter]: the filtered ones are a section front's search box, a photo desk's and a reporter page's. */
const SEARCHES: [string, string, Record<string, unknown>?][] = [
  ['1 syllable', '가'],
  ['1 syllable', '물'],
  ['2 syllables', '서울'],
  ['2 syllables', '경제'],
  ['3+ syllables', '베이징시장'],
  ['3+ syllables', '탄소중립'],
  ['2 words', '서울 베이징'],
  ['with particle', '서울시는'],
  ['English', 'Yin Yong'],
  ['English', 'MENA'],
  ['2 syllables, in a section', '서울', { section: 'politics' }],
  ['1 syllable, with a photo', '물', { hasPhoto: true }],
  ['3+ syllables, by a reporter', '탄소중립', { reporter: 'kim-minjun' }],
];

const { out, log, load } = runLog(1);
const cleanup: (() => void)[] = [];

/**
 * Lay the seeded archive out as one written day by day is: rows in publish order (CLUSTER on the
 * publish-time index), then VACUUM ANALYZE (CLUSTER leaves the visibility map unset). The generator
 * writes publish times in random order, the worst case for every range read (README, "Performance").
 * BENCH_LAYOUT=as-seeded keeps it.
 */
async function layOutByPublishTime(url: string): Promise<void> {
  const t0 = Date.now();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`SET maintenance_work_mem = '1GB'`);
    await c.query(`CLUSTER "Article" USING "Article_status_publishedAt_id_idx"`);
    await c.query(`VACUUM ANALYZE "Article"`);
  } finally {
    await c.end();
  }
  log(`Clustered "Article" by publish time and vacuumed it in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
}

// ---- processes ------------------------------------------------------------------------------------
/**
 * Node flags every contender (this API, PostGraphile, the floor) runs with: the API's production
 * start command's (package.json `start:prod`, README Operations), given to the peers too so the
 * comparison stays like for like. BENCH_NODE_FLAGS='' runs all with Node's defaults.
 */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=32').split(' ').filter(Boolean);

function child(
  script: string,
  options: { env?: Record<string, string>; execArgv?: string[]; cwd?: string },
): Promise<{ proc: ChildProcess; port: number }> {
  const proc = fork(script, [], {
    cwd: options.cwd,
    execArgv: [...NODE_FLAGS, ...(options.execArgv ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  cleanup.push(() => void proc.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${path.basename(script)} exited with ${code}`)));
    proc.on('message', (m: { ready?: number }) => m.ready != null && resolve({ proc, port: m.ready }));
  });
}

async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode != null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
}

// ---- requests -------------------------------------------------------------------------------------
interface Target {
  contender: Contender;
  port: number;
  /** Distinguishes two servers of one contender (this API with its response cache). */
  label?: string;
}

/** A GraphQL POST of `body` (JSON). */
const postJson = (body: string) => ({
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json' },
  body,
});

function request(
  target: Target,
  scenario: Scenario,
  key: string,
): { method: string; path: string; headers: Record<string, string>; body?: string } {
  if (target.contender === 'floor')
    return { method: 'GET', path: `/${scenario.name}?key=${encodeURIComponent(key)}`, headers: {} };
  const query = target.contender === 'api' ? scenario.api : scenario.postgraphile;
  // The response cache serves anonymous GETs (a POST always executes): ask it as a page or CDN would.
  if (target.label === 'api+cache') {
    return {
      method: 'GET',
      path: `/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify({ slug: key }))}`,
      headers: {},
    };
  }
  return postJson(JSON.stringify({ query, variables: { slug: key } }));
}

async function send(
  port: number,
  req: { method: string; path: string; headers: Record<string, string>; body?: string },
): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}${req.path}`, {
    method: req.method,
    headers: req.headers,
    body: req.body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
  // An operation with @defer answers multipart/mixed: timed to its last part, checked for errors.
  if (res.headers.get('content-type')?.startsWith('multipart/mixed')) {
    if (text.includes('"errors"')) throw new Error(`GraphQL errors: ${text.slice(0, 500)}`);
    return { data: null, multipart: text };
  }
  const json = JSON.parse(text);
  if (json.errors) throw new Error(`GraphQL errors: ${JSON.stringify(json.errors).slice(0, 500)}`);
  return json;
}

function percentile<T>(sorted: T[], p: number): T {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Garbage-collection pauses of a server process (bench/read-server.ts) since `since` (epoch ms): [start, ms]. */
function gcPauses(proc: ChildProcess, since: number): Promise<[number, number][]> {
  return new Promise((resolve) => {
    const onMessage = (m: { gc?: [number, number][] }) => {
      if (!m?.gc) return;
      proc.off('message', onMessage);
      resolve(m.gc);
    };
    proc.on('message', onMessage);
    proc.send({ gcSince: since });
  });
}

interface Latency {
  p50: number;
  p99: number;
  n: number;
  /** The API's GC pauses during the timed requests: how many, the longest (ms). */
  gc: { count: number; max: number };
  /** Milliseconds of GC pause inside the p99 request. */
  gcInP99: number;
}

/**
 * One request at a time: 30 warm-up (at least 3, at most ~5 s), then SAMPLES timed requests (at least 5,
 * fewer than SAMPLES past 20 s). With `proc`, the server's GC pauses are matched to the requests they
 * fell into, so a p99 says how much of it was a pause.
 */
async function latency(
  port: number,
  req: () => { method: string; path: string; headers: Record<string, string>; body?: string },
  proc?: ChildProcess,
): Promise<Latency> {
  const warm = Date.now() + 5_000;
  for (let i = 0; i < 30 && (i < 3 || Date.now() < warm); i++) await send(port, req());
  const spans: { start: number; ms: number }[] = [];
  const until = Date.now() + 20_000;
  for (let i = 0; i < SAMPLES && (i < 5 || Date.now() < until); i++) {
    const t0 = performance.now();
    await send(port, req());
    spans.push({ start: performance.timeOrigin + t0, ms: performance.now() - t0 });
  }
  const pauses = proc ? await gcPauses(proc, spans[0]!.start) : [];
  const inside = (s: { start: number; ms: number }) =>
    pauses.reduce(
      (sum, [start, ms]) => sum + Math.max(0, Math.min(start + ms, s.start + s.ms) - Math.max(start, s.start)),
      0,
    );
  spans.sort((a, b) => a.ms - b.ms);
  const p99 = percentile(spans, 99);
  return {
    p50: percentile(spans, 50).ms,
    p99: p99.ms,
    n: spans.length,
    gc: { count: pauses.length, max: Math.max(0, ...pauses.map(([, ms]) => ms)) },
    gcInP99: inside(p99),
  };
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  bad: number;
}

async function cannon(target: Target, scenario: Scenario, keys: string[]): Promise<Run> {
  let i = Math.floor(Math.random() * keys.length);
  const opts: autocannon.Options = {
    url: `http://127.0.0.1:${target.port}`,
    connections: CONNECTIONS,
    requests: [{ setupRequest: (r: any) => ({ ...r, ...request(target, scenario, keys[i++ % keys.length]!) }) }],
  };
  await autocannon({ ...opts, duration: 2 });
  const r = await autocannon({ ...opts, duration: SECONDS });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, bad: r.non2xx + r.errors };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));

// ---- main -----------------------------------------------------------------------------------------
async function main() {
  const started = new Date();
  log(`# bench:read — ${started.toISOString()}`);
  log(
    `\n${os.cpus().length} CPUs (${os.cpus()[0]?.model}), node ${process.version}, ${ARTICLES.toLocaleString('en')} generated articles, ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s, pool ${POOL} per server, Node flags for every contender: ${NODE_FLAGS.join(' ') || '(none)'}. Load average at start: ${load()}`,
  );
  ensurePeerInstalled(log);

  let url = process.env.DATABASE_URL ?? '';
  if (!url) {
    const bin = findPostgresBin();
    if (!bin) throw new Error('PostgreSQL not installed (apt-get install postgresql postgresql-contrib)');
    const server = await startPostgres(bin);
    cleanup.push(() => server.stop());
    url = await server.createDatabase('bench');
  }
  const generated = async () => {
    const probe = new pg.Client({ connectionString: url });
    await probe.connect();
    const exists = (await probe.query(`SELECT to_regclass('"Article"') AS t`)).rows[0].t;
    const n = exists
      ? Number((await probe.query(`SELECT count(*) FROM "Article" WHERE slug ~ '^s[0-9]+-'`)).rows[0].count)
      : 0;
    await probe.end();
    return n;
  };
  const have = await generated();
  if (have < ARTICLES) {
    const t0 = Date.now();
    execFileSync(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src/seed/cli.ts'), '--articles', String(ARTICLES - have)],
      {
        env: { ...process.env, DATABASE_URL: url },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const seconds = (Date.now() - t0) / 1000;
    log(
      `\nSeeded demo data + ${(ARTICLES - have).toLocaleString('en')} articles (npm run db:seed) in ${seconds.toFixed(1)} s = ${Math.round((ARTICLES - have) / seconds)} articles/s (load ${load()})`,
    );
    if (LAYOUT) await layOutByPublishTime(url);
  } else log(`\nDATABASE_URL already holds ${have.toLocaleString('en')} generated articles.`);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const order = (
    await client.query(`SELECT correlation FROM pg_stats WHERE tablename = 'Article' AND attname = 'publishedAt'`)
  ).rows[0]?.correlation;
  log(
    `Heap order against publish time: correlation ${order == null ? 'unknown' : Number(order).toFixed(2)} (±1: in publish order, as an archive written day by day; 0: scattered, as the generator writes it).`,
  );
  await preparePeerDatabase(client);
  const visible = `"status" = 'PUBLISHED' AND "deletedAt" IS NULL AND "publishedAt" <= (now() AT TIME ZONE 'UTC')`;
  const keys = {
    article: (await client.query(`SELECT slug FROM "Article" WHERE ${visible} ORDER BY md5(slug) LIMIT 1000`)).rows.map(
      (r) => r.slug as string,
    ),
    section: (await client.query(`SELECT slug FROM "Section" ORDER BY position`)).rows.map((r) => r.slug as string),
    reporter: (await client.query(`SELECT slug FROM "Reporter" ORDER BY id`)).rows.map((r) => r.slug as string),
  };
  await client.end();

  // This API twice: without its response cache (every request executed: the engine against the peers)
  // and as deployed, with it (repeated pages answered from memory).
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: url,
    PORT: '0',
    SEED_DEMO: 'false',
    DEMO_VIEWS: 'false',
    GRAPHIQL: 'false',
    PUBLISH_SCHEDULER_MS: '0',
    DATABASE_POOL_SIZE: POOL,
    RESPONSE_CACHE: 'false',
    LOG_LEVEL: 'error',
    // One load generator on loopback is one client: the per-client limits would refuse it.
    RATE_LIMIT_SEARCH_PER_MINUTE: '1000000',
    RATE_LIMIT_MUTATIONS_PER_MINUTE: '1000000',
  };
  const profileDir = PROFILE ? path.resolve(PROFILE) : undefined;
  const [api, postgraphile, floor, cached] = await Promise.all([
    child(path.join(HERE, 'read-server.ts'), {
      env,
      execArgv: ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    }),
    child(...peerProcess(url, POOL)),
    child(path.join(HERE, 'read-floor.ts'), {
      env: { DATABASE_URL: url, POOL_SIZE: POOL },
      execArgv: ['--import', 'tsx'],
    }),
    child(path.join(HERE, 'read-server.ts'), {
      env: { ...env, RESPONSE_CACHE: 'true' },
      execArgv: ['--import', 'tsx'],
    }),
  ]);
  const targets: Target[] = [
    { contender: 'api', port: api.port },
    { contender: 'postgraphile', port: postgraphile.port },
    { contender: 'floor', port: floor.port },
  ];
  const loadTargets: Target[] = [...targets, { contender: 'api', port: cached.port, label: 'api+cache' }];

  // Equal answers before any timing: every section and reporter, 30 articles.
  let compared = 0;
  for (const scenario of SCENARIOS) {
    for (const key of scenario.key === 'article' ? keys.article.slice(0, 30) : keys[scenario.key]) {
      const [mine, ...others] = await Promise.all(
        targets.map(async (t) =>
          canonical(scenario.name, t.contender, (await send(t.port, request(t, scenario, key))).data),
        ),
      );
      for (const [i, other] of others.entries()) {
        if (!isDeepStrictEqual(mine, other)) {
          throw new Error(
            `${scenario.name} ${key}: ${targets[i + 1]!.contender} answers differently:\n api: ${JSON.stringify(mine).slice(0, 1500)}\n ${targets[i + 1]!.contender}: ${JSON.stringify(other).slice(0, 1500)}`,
          );
        }
      }
      if (!JSON.stringify(mine).includes('"headline"'))
        throw new Error(`${scenario.name} ${key}: empty page ${JSON.stringify(mine)}`);
      compared++;
    }
  }
  log(`\nAnswers checked equal (normalised) across the three contenders for ${compared} pages.`);

  const single: string[] = [];
  if (ONLY !== 'load') {
    log(
      `\n## One request at a time (up to ${SAMPLES} requests after up to 30 warm-up, each row time-boxed to ~20 s; load ${load()})\n`,
    );
    log(
      '| operation | requests | p50 ms | p99 ms | target p99 | API GC pauses: count, longest ms; in the p99 request |',
    );
    log('|---|---|---|---|---|---|');
    // The issue's bounds: 15 ms per page and 30 ms per search at 100,000 articles, twice those at 1,000,000.
    const scale = ARTICLES >= 1_000_000 ? 2 : 1;
    const row = (name: string, r: Latency, bound: number) => {
      const target = bound * scale;
      const gc = `${r.gc.count}, ${ms(r.gc.max)}; ${r.gcInP99 > 0 ? ms(r.gcInP99) : 'none'}`;
      const line = `| ${name} | ${r.n} | ${ms(r.p50)} | ${ms(r.p99)} | ≤ ${target} ms ${r.p99 <= target ? 'met' : '**MISSED**'} | ${gc} |`;
      single.push(line);
      log(line);
    };
    for (const file of readdirSync(path.join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.graphql'))
      .sort()) {
      const source = readFileSync(path.join(ROOT, 'examples', file), 'utf8');
      for (const def of parse(source).definitions) {
        if (def.kind !== Kind.OPERATION_DEFINITION || def.operation !== 'query') continue;
        const body = JSON.stringify({ query: source, operationName: def.name?.value });
        row(`examples/${file} ${def.name?.value ?? ''}`, await latency(api.port, () => postJson(body), api.proc), 15);
      }
    }
    for (const scenario of SCENARIOS) {
      let i = 0;
      row(
        `${scenario.title}`,
        await latency(
          api.port,
          () => request(targets[0]!, scenario, keys[scenario.key][i++ % keys[scenario.key].length]!),
          api.proc,
        ),
        15,
      );
    }
    const search =
      'query ($q: String!, $filter: ArticleFilter) { search(query: $q, first: 10, filter: $filter) { totalCount edges { snippet node { headline url } } } }';
    for (const [kind, q, filter] of SEARCHES) {
      const body = JSON.stringify({ query: search, variables: { q, filter } });
      const hits = (await send(api.port, postJson(body))).data.search.totalCount;
      row(`search "${q}" (${kind}, ${hits} hits)`, await latency(api.port, () => postJson(body), api.proc), 30);
    }
  }

  const runs = new Map<string, Run[]>();
  if (ONLY !== 'single') {
    log(`\n## ${CONNECTIONS} connections, ${ROUNDS} rounds alternating (load at start ${load()})\n`);
    for (let round = 0; round < ROUNDS; round++) {
      for (const scenario of SCENARIOS) {
        // Rotate who goes first so no contender always follows the same one.
        const order = loadTargets.map((_, i) => loadTargets[(i + round) % loadTargets.length]!);
        for (const target of order) {
          const run = await cannon(target, scenario, keys[scenario.key]);
          const id = `${scenario.name}/${target.label ?? target.contender}`;
          runs.set(id, [...(runs.get(id) ?? []), run]);
          console.log(
            `  round ${round + 1} ${scenario.name.padEnd(10)} ${(target.label ?? target.contender).padEnd(12)} ${Math.round(run.rps).toString().padStart(6)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms${run.bad ? `  ${run.bad} non-2xx/errors` : ''}  (load ${load()})`,
          );
        }
      }
    }
    log('\nMedian over rounds of req/s and p99 (ms); ratios are this API over the peer.\n');
    log(
      '| scenario | this API req/s (p99) | PostGraphile v5 req/s (p99) | floor req/s (p99) | API / PostGraphile | API / floor | targets (≥ 1.0×, p99 no worse; ≥ 0.5× floor) | with response cache req/s (p99), / PostGraphile |',
    );
    log('|---|---|---|---|---|---|---|---|');
    for (const scenario of SCENARIOS) {
      const [a, p, f, c] = (['api', 'postgraphile', 'floor', 'api+cache'] as const).map((c) => {
        const rs = runs.get(`${scenario.name}/${c}`)!;
        return {
          rps: median(rs.map((r) => r.rps)),
          p99: median(rs.map((r) => r.p99)),
          bad: rs.reduce((n, r) => n + r.bad, 0),
        };
      });
      const vsPeer = a!.rps / p!.rps;
      const vsFloor = a!.rps / f!.rps;
      const met = [
        vsPeer >= 1 ? 'met' : '**MISSED**',
        a!.p99 <= p!.p99 ? 'met' : '**MISSED**',
        vsFloor >= 0.5 ? 'met' : '**MISSED**',
      ].join(' / ');
      log(
        `| ${scenario.title} | ${Math.round(a!.rps)} (${a!.p99}) | ${Math.round(p!.rps)} (${p!.p99}) | ${Math.round(f!.rps)} (${f!.p99}) | ${vsPeer.toFixed(2)}× | ${vsFloor.toFixed(2)}× | ${met} | ${Math.round(c!.rps)} (${c!.p99}), ${(c!.rps / p!.rps).toFixed(2)}× |`,
      );
      for (const [who, r] of [
        ['api', a],
        ['postgraphile', p],
        ['floor', f],
        ['api+cache', c],
      ] as const)
        if (r!.bad) log(`\nWARNING: ${scenario.name}/${who}: ${r!.bad} non-2xx responses or errors`);
    }
  }
  log(`\nLoad average at the end: ${load()}.`);

  await Promise.all([api, postgraphile, floor, cached].map((c) => stopChild(c.proc)));
  if (profileDir) {
    // The largest profile is the main thread's (tsx's loader thread writes one too).
    const file = readdirSync(profileDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort((a, b) => statSync(path.join(profileDir, b)).size - statSync(path.join(profileDir, a)).size)[0];
    if (file) {
      log(`\n## CPU profile of this API over the whole run (${path.join(profileDir, file)})\n`);
      log(summariseProfile(JSON.parse(readFileSync(path.join(profileDir, file), 'utf8'))));
    }
  }

  mkdirSync(path.join(HERE, 'results'), { recursive: true });
  const name = `read-${ARTICLES}-${started.toISOString().slice(0, 16).replace(/[:T]/g, '')}.md`;
  writeFileSync(path.join(HERE, 'results', name), `${out.join('\n')}\n`);
  console.log(`\nWritten to bench/results/${name}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const fn of cleanup.reverse()) fn();
    process.exit(130);
  });
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const fn of cleanup.reverse()) fn();
    process.exit();
  });
