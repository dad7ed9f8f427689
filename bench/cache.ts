// `npm run bench:cache`: the cached article page against a bare node:http server sending the same
// bytes, measured alternately in the same run (these machines are shared and noisy: compare ratios).
//   - the API (bench/cache-server.ts) answering the article page GET from its response cache, and
//     answering 304 to If-None-Match; the floor (bench/cache-floor.ts) doing the same with fixed bytes
//   - the response cache's hit ratio over the whole run
//   - publishArticle → purge request leaving the server (outbox INSERT, worker claim, POST), p50/p99
// Environment: BENCH_SECONDS (per run, default 8), BENCH_ROUNDS (default 2), BENCH_CONNECTIONS (default 32),
// BENCH_PUBLISHES (default 100).
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? 100);
const children: ChildProcess[] = [];

function child(script: string, env: Record<string, string> = {}): Promise<{ proc: ChildProcess; port: number }> {
  const proc = fork(path.join(HERE, script), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, NODE_ENV: 'production', ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(proc);
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
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
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main() {
  console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
  const api = await child('cache-server.ts');
  const query = readFileSync(path.join(HERE, '..', 'examples', 'article-page.graphql'), 'utf8');
  const pagePath = `/graphql?query=${encodeURIComponent(query)}`;
  const first = await fetch(`http://127.0.0.1:${api.port}${pagePath}`);
  const body = Buffer.from(await first.arrayBuffer());
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'cache-control', 'etag', 'surrogate-key', 'cache-tag', 'vary', 'last-modified']) headers[name] = first.headers.get(name) ?? '';
  if (first.status !== 200 || !headers.etag) throw new Error(`article page not cacheable: ${first.status}`);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-cache-')), 'body.json');
  writeFileSync(file, body);
  const floor = await child('cache-floor.ts', { FLOOR_BODY_FILE: file, FLOOR_HEADERS: JSON.stringify(headers) });
  console.log(`article page: ${body.length} bytes, ${headers['cache-control']}, ${(headers['surrogate-key'] ?? '').split(' ').length} surrogate keys`);

  const etag = headers.etag;
  const contenders: { name: string; port: number; headers: Record<string, string> }[] = [
    { name: 'API, cache hit (200)', port: api.port, headers: {} },
    { name: 'floor, same bytes (200)', port: floor.port, headers: {} },
    { name: 'API, 304', port: api.port, headers: { 'if-none-match': etag } },
    { name: 'floor, 304', port: floor.port, headers: { 'if-none-match': etag } },
  ];
  const results = new Map<string, { rps: number[]; p99: number[]; bad: number }>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of contenders) {
      const opts = { url: `http://127.0.0.1:${c.port}${pagePath}`, connections: CONNECTIONS, headers: c.headers };
      await autocannon({ ...opts, duration: 1 });
      const r = await autocannon({ ...opts, duration: SECONDS });
      const entry = results.get(c.name) ?? { rps: [], p99: [], bad: 0 };
      entry.rps.push(r.requests.average);
      entry.p99.push(r.latency.p99);
      entry.bad += r.errors + (c.headers['if-none-match'] ? 0 : r.non2xx);
      results.set(c.name, entry);
      console.log(`round ${round + 1}: ${c.name}: ${Math.round(r.requests.average)} req/s, p99 ${r.latency.p99} ms`);
    }
  }
  const stats = await ask<{ hits: number; misses: number }>(api.proc, { stats: true }, 'stats');
  const latencies = (await ask<number[]>(api.proc, { publish: PUBLISHES }, 'latencies')).sort((a, b) => a - b);

  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const row = (name: string) => results.get(name)!;
  const lines = [
    `| contender | req/s (mean of ${ROUNDS}) | p99 ms | errors | vs floor |`,
    '|---|---|---|---|---|',
    ...contenders.map((c) => {
      const r = row(c.name);
      const floorName = c.name.includes('304') ? 'floor, 304' : 'floor, same bytes (200)';
      return `| ${c.name} | ${Math.round(mean(r.rps)).toLocaleString('en')} | ${Math.max(...r.p99)} | ${r.bad} | ${(mean(r.rps) / mean(row(floorName).rps)).toFixed(2)}× |`;
    }),
    '',
    `response-cache hit ratio: ${((100 * stats.hits) / (stats.hits + stats.misses)).toFixed(3)} % (${stats.hits.toLocaleString('en')} hits, ${stats.misses} misses)`,
    `publishArticle → purge request leaving the server, ${latencies.length} publications: p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms (target p99 < 1000 ms)`,
    `load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  ];
  console.log(`\n${lines.join('\n')}`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGTERM');
  });
