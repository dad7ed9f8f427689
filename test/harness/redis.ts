// A throwaway redis-server: own directory, free port, no persistence, stopped in teardown. It can be
// killed and started again on the same port to test what a Redis restart does to the app.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findRedisServer, requireBinary } from './binaries.ts';
import { freePort } from './postgres.ts';

export interface RedisServer {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: no goodbye to clients) and waits until it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port; resolves once it answers PING. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Null with a one-line reason logged when redis-server is missing; under CI=true that throws. */
export function redisSkipReason(): string | null {
  return requireBinary('redis-server', findRedisServer());
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) {
        socket.destroy();
        resolve(answer.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
  });
}

export interface RedisServerOptions {
  /** Append-only file, fsync on every write: a kill and restart keeps every acknowledged write. */
  persistent?: boolean;
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const bin = findRedisServer();
  if (!bin) throw new Error('redis-server not installed');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'newsroom-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const launch = async () => {
    const proc = spawn(
      bin,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        ...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
        '--dir',
        dir,
        '--logfile',
        path.join(dir, 'log'),
      ],
      {
        stdio: 'ignore',
      },
    );
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    // Readiness is an event we can observe: the server answering PING. Poll it at a short interval
    // (there is no other signal), bounded so a broken binary fails the suite instead of hanging.
    for (let attempt = 0; attempt < 500; attempt++) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}; see ${dir}/log`);
      if (await ping(port)) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('redis-server did not answer PING within 5 s');
  };
  await launch();

  const kill = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    proc.kill('SIGKILL');
    await exited;
  };

  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    kill,
    restart: launch,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
