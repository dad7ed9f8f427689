// `npm run bench:cache`: the cached article page, as ratios measured in the same run (these machines
// are shared and noisy: compare ratios of alternating runs, not absolute figures).
//   - its own PostgreSQL with the demo data (the API seeds it at its first start), shared by every contender
//   - the API (bench/cache-server.ts) answering the article page GET (read scenario `article`, the same
//     data PostGraphile serves) from its cache, and 304 to If-None-Match
//   - PostGraphile v5 (bench/peers/postgraphile, amber preset, no cache) answering the same page (POST)
//   - the floor (bench/cache-floor.ts): a bare node:http server sending the API's bytes and headers, and 304
//   - contenders alternate, BENCH_ROUNDS rounds, each run after a 1 s warm-up; the answers of the API
//     and PostGraphile are checked equal first (canonical form from bench/read-scenarios.ts)
//   - hit ratio over the whole run (fast path, response store), and publishArticle → purge request
//     leaving the server (outbox INSERT in the publication's transaction, worker claim, POST), p50/p99
// Environment: BENCH_SECONDS (per run, default 8), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 32),
// BENCH_PUBLISHES (default 100). Writes bench/results/cache-<timestamp>.md.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { SAMPLE_SLUG } from '../src/seed/demo.ts';
import { findPostgresBin } from '../test/harness/binaries.ts';
import { startPostgres } from '../test/harness/postgres.ts';
import { ensurePeerInstalled, peerProcess, preparePeerDatabase, runLog } from './peers.ts';
import { canonical, SCENARIOS } from './read-scenarios.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? 100);
const children: ChildProcess[] = [];
const cleanup: (() => unknown)[] = [];
const { out, log, load } = runLog(2);

function child(
  script: string,
  options: { env?: Record<string, string>; execArgv?: string[]; cwd?: string } = {},
): Promise<{ proc: ChildProcess; port: number }> {
  const proc = fork(script, [], {
    cwd: options.cwd,
    execArgv: options.execArgv ?? ['--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'production', ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(proc);
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${path.basename(script)} exited with ${code}`)));
    proc.on('message', (m: { ready?: number }) => m.ready != null && resolve({ proc, port: m.ready }));
  });
}
const ask = <T>(proc: ChildProcess, message: object, key: string): Promise<T> =>
  new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (key in m) {
        proc.off('message', on);
        resolve(m[key] as T);
      }
    };
    proc.on('message', on);
    proc.send(message);
  });
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

async function main() {
  const started = new Date();
  log(`# bench:cache — ${started.toISOString()}`);
  log(
    `\n${os.cpus().length} CPUs, node ${process.version}, ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s. Load average at start: ${load()}`,
  );
  ensurePeerInstalled();
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL not installed (apt-get install postgresql postgresql-contrib)');
  const server = await startPostgres(bin);
  cleanup.push(() => server.stop());
  const url = await server.createDatabase('bench_cache');

  // The API first: it migrates and seeds the demo data; then the peer's functions and the peer.
  const api = await child(path.join(HERE, 'cache-server.ts'), { env: { DATABASE_URL: url } });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await preparePeerDatabase(client);
  await client.end();
  const peer = await child(...peerProcess(url, '10'));

  const scenario = SCENARIOS.find((s) => s.name === 'article')!;
  const variables = JSON.stringify({ slug: SAMPLE_SLUG });
  const pagePath = `/graphql?query=${encodeURIComponent(scenario.api)}&variables=${encodeURIComponent(variables)}`;
  const peerBody = JSON.stringify({ query: scenario.postgraphile, variables: { slug: SAMPLE_SLUG } });
  const first = await fetch(`http://127.0.0.1:${api.port}${pagePath}`);
  const body = Buffer.from(await first.arrayBuffer());
  const headers: Record<string, string> = {};
  first.headers.forEach((value, name) => {
    if (!['date', 'connection', 'keep-alive', 'content-length', 'x-request-id'].includes(name)) headers[name] = value;
  });
  if (first.status !== 200 || !headers.etag) throw new Error(`article page not cacheable: ${first.status}`);
  const peerAnswer = await (
    await fetch(`http://127.0.0.1:${peer.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: peerBody,
    })
  ).json();
  const apiAnswer = JSON.parse(body.toString());
  if (
    !isDeepStrictEqual(
      canonical('article', 'api', apiAnswer.data),
      canonical('article', 'postgraphile', peerAnswer.data),
    )
  ) {
    throw new Error(
      `the API and PostGraphile answer differently:\n${JSON.stringify(apiAnswer).slice(0, 400)}\n${JSON.stringify(peerAnswer).slice(0, 400)}`,
    );
  }
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-cache-')), 'body.json');
  writeFileSync(file, body);
  const floor = await child(path.join(HERE, 'cache-floor.ts'), {
    env: { FLOOR_BODY_FILE: file, FLOOR_HEADERS: JSON.stringify(headers) },
  });
  log(
    `\nArticle page \`${SAMPLE_SLUG.slice(0, 24)}…\` (read scenario \`article\`, the same data from both, checked equal): ${body.length} bytes, \`${headers['cache-control']}\`, ${(headers['surrogate-key'] ?? '').split(' ').length} surrogate keys.`,
  );

  const etag = headers.etag;
  const get = { method: 'GET' as const };
  const contenders: {
    name: string;
    port: number;
    headers: Record<string, string>;
    method: 'GET' | 'POST';
    path: string;
    body?: string;
  }[] = [
    { name: 'API, cache hit (200)', port: api.port, headers: {}, ...get, path: pagePath },
    { name: 'floor, same bytes (200)', port: floor.port, headers: {}, ...get, path: pagePath },
    { name: 'API, 304', port: api.port, headers: { 'if-none-match': etag }, ...get, path: pagePath },
    { name: 'floor, 304', port: floor.port, headers: { 'if-none-match': etag }, ...get, path: pagePath },
    {
      name: 'PostGraphile v5, uncached (POST)',
      port: peer.port,
      headers: { 'content-type': 'application/json' },
      method: 'POST',
      path: '/graphql',
      body: peerBody,
    },
  ];
  const results = new Map<string, { rps: number[]; p99: number[]; bad: number }>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of contenders) {
      const opts = {
        url: `http://127.0.0.1:${c.port}${c.path}`,
        method: c.method,
        body: c.body,
        connections: CONNECTIONS,
        headers: c.headers,
      };
      await autocannon({ ...opts, duration: 1 });
      const r = await autocannon({ ...opts, duration: SECONDS });
      const entry = results.get(c.name) ?? { rps: [], p99: [], bad: 0 };
      entry.rps.push(r.requests.average);
      entry.p99.push(r.latency.p99);
      entry.bad += r.errors + (c.headers['if-none-match'] ? 0 : r.non2xx);
      results.set(c.name, entry);
      console.log(
        `round ${round + 1}: ${c.name}: ${Math.round(r.requests.average)} req/s, p99 ${r.latency.p99} ms (load ${load()})`,
      );
    }
  }
  const stats = await ask<{ fast: Record<string, number>; hits: number; misses: number }>(
    api.proc,
    { stats: true },
    'stats',
  );
  const latencies = (await ask<number[]>(api.proc, { publish: PUBLISHES }, 'latencies')).sort((a, b) => a - b);

  const rps = (name: string) => mean(results.get(name)!.rps);
  const pgl = rps('PostGraphile v5, uncached (POST)');
  log(`\n| contender | req/s (mean of ${ROUNDS}) | p99 ms (worst round) | bad answers | vs floor | vs PostGraphile |`);
  log('|---|---|---|---|---|---|');
  for (const c of contenders) {
    const r = results.get(c.name)!;
    const floorName = c.name.includes('304') ? 'floor, 304' : 'floor, same bytes (200)';
    const vsFloor = c.name.startsWith('PostGraphile') ? '' : `${(rps(c.name) / rps(floorName)).toFixed(2)}×`;
    log(
      `| ${c.name} | ${Math.round(rps(c.name)).toLocaleString('en')} | ${Math.max(...r.p99)} | ${r.bad} | ${vsFloor} | ${(rps(c.name) / pgl).toFixed(2)}× |`,
    );
  }
  const hit = (stats.fast.hit ?? 0) + (stats.fast.not_modified ?? 0);
  const miss = stats.fast.miss ?? 0;
  log(
    `\nPer-round figures (req/s): ${contenders
      .map(
        (c) =>
          `${c.name}: ${results
            .get(c.name)!
            .rps.map((x) => Math.round(x))
            .join(' / ')}`,
      )
      .join('; ')}`,
  );
  log(
    `\nHit ratio: ${((100 * hit) / (hit + miss)).toFixed(3)} % of anonymous GETs answered by the fast path (${hit.toLocaleString('en')} of ${(hit + miss).toLocaleString('en')}); the ${miss} that went through Yoga's pipeline found the response store ${stats.hits} times and executed ${stats.misses} times.`,
  );
  log(
    `\npublishArticle → purge request leaving the server, ${latencies.length} publications: p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms (target p99 < 1000 ms).`,
  );
  log(`\nLoad average at end: ${load()}`);
  const dir = path.join(HERE, 'results');
  mkdirSync(dir, { recursive: true });
  const name = path.join(dir, `cache-${started.toISOString().slice(0, 16).replace(/[-:T]/g, '')}.md`);
  writeFileSync(name, `${out.join('\n')}\n`);
  console.log(`\nwritten to ${path.relative(process.cwd(), name)}`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 2_000));
    for (const c of children) if (c.exitCode == null) c.kill('SIGKILL');
    for (const f of cleanup.reverse()) await f();
  });
