// What bench:read and bench:cache share: the PostGraphile v5 peer (bench/peers/postgraphile, its own
// package, installed on first use) they measure the API against, its SQL functions, and the run log
// they print and write to bench/results/.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

const PEERS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers');
const PEER = path.join(PEERS, 'postgraphile');

/** `npm ci` of the peer's own package unless it is installed; `log` hears that it is being installed. */
export function ensurePeerInstalled(log: (line: string) => void = () => {}): void {
  if (existsSync(path.join(PEER, 'node_modules', 'postgraphile'))) return;
  log('Installing the PostGraphile peer (npm --prefix bench/peers/postgraphile ci)…');
  const r = spawnSync('npm', ['--prefix', PEER, 'ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm ci of bench/peers/postgraphile failed');
}

/** VACUUM ANALYZE, then the functions the peer's queries call (bench/peers/functions.sql). */
export async function preparePeerDatabase(client: pg.Client): Promise<void> {
  await client.query('VACUUM ANALYZE');
  await client.query(readFileSync(path.join(PEERS, 'functions.sql'), 'utf8'));
}

/** The peer's server script and the options to fork it with, on `url` with `poolSize` connections. */
export function peerProcess(
  url: string,
  poolSize: string,
): [string, { cwd: string; execArgv: string[]; env: Record<string, string> }] {
  return [
    path.join(PEER, 'server.mjs'),
    {
      cwd: PEER,
      execArgv: [],
      env: { DATABASE_URL: url, POOL_SIZE: poolSize, NODE_OPTIONS: `--require ${path.join(PEER, 'polyfill.cjs')}` },
    },
  ];
}

/**
 * The run's report: `log` prints a line and keeps it in `out` (written to bench/results/ at the end);
 * `load` is the load average, to `digits` decimals.
 */
export function runLog(digits: number): { out: string[]; log(line?: string): void; load(): string } {
  const out: string[] = [];
  return {
    out,
    log(line = '') {
      console.log(line);
      out.push(line);
    },
    load: () =>
      os
        .loadavg()
        .map((l) => l.toFixed(digits))
        .join(' '),
  };
}
