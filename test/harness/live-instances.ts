// Starting and driving test/harness/live-server.ts processes from a test or the benchmark.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./live-server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface InstanceStats {
  rss: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  sockets: number;
  subscriptions: number;
}

export interface Instance {
  port: number;
  url: string;
  wsUrl: string;
  pid: number;
  /** Whether its Redis subscriber connection is subscribed right now. */
  subscribed(): boolean;
  /** Resolves when the instance reports itself subscribed (immediately if it is). */
  whenSubscribed(): Promise<void>;
  /** Resolves when it reports losing its subscription (e.g. Redis went away). */
  whenUnsubscribed(): Promise<void>;
  /** Publishes an article through this instance; resolves with when the call started (epoch ms). */
  publish(id: number): Promise<{ announced: boolean; at: number }>;
  stats(): Promise<InstanceStats>;
  /** When the instance handed each `next` frame to a socket, per article (needs LIVE_SERVER_RECORD_WRITES=true). */
  writes(): Promise<Record<string, number[]>>;
  /** Resolves once at least `count` subscriptions are open on this instance. */
  whenSubscriptions(count: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startInstance(env: Record<string, string>, options: { quiet?: boolean } = {}): Promise<Instance> {
  const profile = process.env.LIVE_SERVER_PROFILE_DIR
    ? ['--cpu-prof', '--cpu-prof-dir', process.env.LIVE_SERVER_PROFILE_DIR]
    : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', SCRIPT], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: process.env.NODE_ENV ?? 'production',
      LIVE_SERVER_QUIET: options.quiet ? 'true' : 'false',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let subscribed = false;
  const statusWaiters: { want: boolean; resolve: () => void }[] = [];
  const pending = new Map<number, (message: any) => void>();
  let ref = 0;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const ready = new Promise<{ port: number }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`instance exited with ${code} before it was ready`)));
    child.on('message', (message: any) => {
      if (message.type === 'ready') {
        subscribed = message.subscribed;
        resolve(message);
      } else if (message.type === 'pubsub') {
        subscribed = message.subscribed;
        for (const waiter of statusWaiters.splice(0)) {
          if (waiter.want === subscribed) waiter.resolve();
          else statusWaiters.push(waiter);
        }
      } else if (message.ref != null) {
        pending.get(message.ref)?.(message);
        pending.delete(message.ref);
      }
    });
  });
  const { port } = await ready;

  const request = <T>(message: object): Promise<T> =>
    new Promise((resolve, reject) => {
      const r = ++ref;
      pending.set(r, resolve);
      child.send({ ...message, ref: r }, (error) => error && reject(error));
    });
  const waitFor = (want: boolean) =>
    subscribed === want ? Promise.resolve() : new Promise<void>((resolve) => statusWaiters.push({ want, resolve }));

  return {
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    pid: child.pid!,
    subscribed: () => subscribed,
    whenSubscribed: () => waitFor(true),
    whenUnsubscribed: () => waitFor(false),
    async publish(id) {
      const reply = await request<{ announced: boolean; at: number; error?: string }>({ type: 'publish', id });
      if (reply.error) throw new Error(`publish ${id} failed: ${reply.error}`);
      return reply;
    },
    stats: () => request<InstanceStats>({ type: 'stats' }),
    writes: () => request<{ writes: Record<string, number[]> }>({ type: 'writes' }).then((m) => m.writes),
    whenSubscriptions: (count) => request<void>({ type: 'subscriptions', count }),
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

/**
 * `count` instances on one PostgreSQL database and one Redis as the multi-instance tests run them (test
 * mode, no demo seeding, no publish scheduler, quiet), started together: the migrator's lock orders them.
 */
export function startInstances(
  count: number,
  on: { url: string; redis: { url: string } },
  env: Record<string, string> = {},
): Promise<Instance[]> {
  const shared = {
    DATABASE_URL: on.url,
    REDIS_URL: on.redis.url,
    NODE_ENV: 'test',
    SITE_URL: 'https://news.example',
    PUBLISH_SCHEDULER_MS: '0',
    SEED_DEMO: 'false',
    ...env,
  };
  return Promise.all(Array.from({ length: count }, () => startInstance(shared, { quiet: true })));
}
