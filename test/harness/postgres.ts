// A throwaway PostgreSQL server: own data directory, free port, stopped in teardown.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function asPostgresUser(command: string, args: string[]): void {
  const isRoot = process.getuid?.() === 0;
  const result = isRoot
    ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' })
    : spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${path.basename(command)} failed: ${result.stderr || result.stdout}`);
}

/** Creates a database (empty, or a copy of `template`) in the server `adminUrl` points at (its `postgres` database); returns its URL. */
export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  } finally {
    await client.end();
  }
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}

export interface PostgresServer {
  /** postgres:// URL of the `postgres` database. */
  url: string;
  port: number;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** The data directory (e.g. to pg_basebackup from, or to restart on). */
  dataDir: string;
  /** `pg_ctl stop -m fast` (connections terminated with 57P01), keeping the data directory. */
  halt(): void;
  /** Starts the server again on the same port and data directory. */
  restart(): void;
  stop(): void;
}

export interface PostgresOptions {
  /** Extra `-c name=value` settings (e.g. wal_level=replica). */
  settings?: string[];
  /** Start from this data directory (e.g. a pg_basebackup -R copy: a streaming replica) instead of initdb. */
  fromDataDir?: (dataDir: string) => void;
}

/** Runs a PostgreSQL binary (initdb, pg_ctl, pg_basebackup …) as the postgres user when we are root. */
export function runPostgresTool(bin: string, tool: string, args: string[]): void {
  asPostgresUser(path.join(bin, tool), args);
}

export async function startPostgres(bin: string, options: PostgresOptions = {}): Promise<PostgresServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'newsroom-pg-'));
  if (process.getuid?.() === 0)
    chownSync(
      dir,
      Number(execFileSync('id', ['-u', 'postgres']).toString()),
      Number(execFileSync('id', ['-g', 'postgres']).toString()),
    );
  const data = path.join(dir, 'data');
  if (options.fromDataDir) options.fromDataDir(data);
  else
    asPostgresUser(path.join(bin, 'initdb'), [
      '-D',
      data,
      '--auth=trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ]);
  const port = await freePort();
  const settings = [
    'fsync=off',
    'synchronous_commit=off',
    'full_page_writes=off',
    'max_connections=300',
    ...(options.settings ?? []),
  ];
  const start = () =>
    asPostgresUser(path.join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 ${settings.map((s) => `-c ${s}`).join(' ')}`,
      'start',
    ]);
  start();
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dataDir: data,
    createDatabase: (name) => createDatabase(url, name),
    halt: () => asPostgresUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']),
    restart: start,
    stop() {
      try {
        if (existsSync(path.join(data, 'postmaster.pid')))
          asPostgresUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
