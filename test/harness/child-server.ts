// The real server as its own process (`src/main.ts`), for tests that must see it survive, measure
// its memory, or read what it logs. Stopped with SIGTERM in the test's afterAll. Also what several
// such processes (or test/harness/live-instances.ts instances) share: Redis, a database, requests to them.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { type Database, openDatabase } from '../../src/db/client.ts';
import { type Instance, startInstances } from './live-instances.ts';
import { type RedisServer, startRedis } from './redis.ts';
import { createPostgresDatabase, type GraphQLResponse } from './server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ChildServer {
  child: ChildProcess;
  /** http://127.0.0.1:PORT */
  base: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resident set size in bytes (Linux /proc). */
  rss(): number;
  alive(): boolean;
  stop(): Promise<void>;
}

export async function startChildServer(env: Record<string, string | undefined>): Promise<ChildServer> {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }))
    if (v !== undefined) childEnv[k] = v;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const base = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /News API on http:\/\/localhost:(\d+)\//.exec(out);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${out}`)));
    // A server that never says it listens (e.g. LOG_LEVEL above info) is killed, not left running.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not report listening within 90 s: ${out}`));
    }, 90_000);
    timer.unref();
    child.stdout!.on('data', () => /News API on/.test(out) && clearTimeout(timer));
  });
  return {
    child,
    base,
    output: () => out,
    rss: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * What a multi-process test runs its API processes on: a redis-server of its own and a copy of the run's
 * seeded PostgreSQL database, with a connection of the test's own for arranging and checking rows.
 */
export interface SharedBackends {
  redis: RedisServer;
  /** The database's URL: every process's DATABASE_URL. */
  url: string;
  db: Database;
  /**
   * Ends what the test opened on them, in this order: subscriptions, their clients, the API processes;
   * then the test's connection and Redis.
   */
  stop(opened: {
    subscriptions?: { dispose(): void }[];
    clients?: { dispose(): unknown }[];
    servers?: { stop(): Promise<void> }[];
  }): Promise<void>;
}

export async function startSharedBackends(): Promise<SharedBackends> {
  const redis = await startRedis();
  try {
    const url = await createPostgresDatabase('seeded');
    const db = await openDatabase({ kind: 'postgres', url });
    return {
      redis,
      url,
      db,
      async stop({ subscriptions = [], clients = [], servers = [] }) {
        for (const s of subscriptions) s.dispose();
        await Promise.all(clients.map((c) => c.dispose()));
        await Promise.all(servers.map((s) => s.stop()));
        await db.close();
        await redis.stop();
      },
    };
  } catch (error) {
    await redis.stop();
    throw error;
  }
}

export interface LiveCluster extends SharedBackends {
  /** test/harness/live-instances.ts processes on the shared backends; stop() stops them too. */
  instances: Instance[];
}

/** `count` live-server instances on shared backends of their own (startInstances: the tests' settings). */
export async function startLiveCluster(count: number): Promise<LiveCluster> {
  const backends = await startSharedBackends();
  try {
    const instances = await startInstances(count, backends);
    return {
      ...backends,
      instances,
      stop: (opened) => backends.stop({ ...opened, servers: [...(opened.servers ?? []), ...instances] }),
    };
  } catch (error) {
    await backends.stop({});
    throw error;
  }
}

/**
 * POSTs a document made by `graphql()` from test/generated to a server process's `/graphql` URL, with
 * the bearer `token` if one is given; the answer is typed from the document.
 */
export async function postGraphQL<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
  token?: string,
): Promise<{ status: number; body: GraphQLResponse<TData> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
  });
  return { status: res.status, body: (await res.json()) as GraphQLResponse<TData> };
}
