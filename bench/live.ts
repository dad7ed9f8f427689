// `npm run bench:live`: N graphql-ws subscribers on articlePublished, M articles published, measured
// end to end: publish call (database write + pub/sub) to the `next` message arriving at each socket.
//
//   npm run bench:live -- --subscribers 10000 --events 20 --clients 4 --interval 500
//   options: --subscribers N (5000)  --events M (20)  --clients P (one per 2,500 subscribers)
//            --instances I (1; >1 needs Redis)  --interval ms between publishes (500)
//            --pubsub redis|memory (redis when redis-server is installed)  --db postgres (required)
//            --selection "articleId article { headline }" (what each subscriber selects)
//
// It starts its own throwaway PostgreSQL and redis-server (when installed), the API instance(s) as
// separate processes (test/harness/live-server.ts) and the client processes (bench/live-client.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/client.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { findPostgresBin, findRedisServer } from '../test/harness/binaries.ts';
import { startPostgres } from '../test/harness/postgres.ts';
import { startRedis } from '../test/harness/redis.ts';
import { type Instance, type InstanceStats, startInstance } from '../test/harness/live-instances.ts';

const { values: opts } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '5000' },
    events: { type: 'string', default: '20' },
    clients: { type: 'string' },
    instances: { type: 'string', default: '1' },
    interval: { type: 'string', default: '500' },
    pubsub: { type: 'string' },
    db: { type: 'string' },
    selection: { type: 'string', default: 'articleId article { headline section { slug } }' },
    'drain-timeout': { type: 'string', default: '30000' },
  },
});
const N = Number(opts.subscribers);
const M = Number(opts.events);
const P = Number(opts.clients ?? Math.max(1, Math.ceil(N / 2500)));
const I = Number(opts.instances);
const interval = Number(opts.interval);
const pubsub = opts.pubsub ?? (findRedisServer() ? 'redis' : 'memory');
const dbKind = opts.db ?? (findPostgresBin() ? 'postgres' : 'pglite');
if (I > 1 && pubsub !== 'redis') throw new Error('--instances > 1 needs --pubsub redis');
if (I > 1 && dbKind !== 'postgres') throw new Error('--instances > 1 needs --db postgres');

const log = (m: string) => console.log(m);
const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const cleanups: (() => Promise<void> | void)[] = [];
try {
  log(
    `bench:live  subscribers=${N} events=${M} clientProcesses=${P} instances=${I} pubsub=${pubsub} db=${dbKind} interval=${interval}ms`,
  );
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    SEED_DEMO: 'true',
    SITE_URL: 'https://news.example',
    PUBLISH_SCHEDULER_MS: '0',
    GRAPHIQL: 'false',
    WS_INIT_TIMEOUT_MS: '30000',
    // The server records when it handed each frame to a socket: its share of the latency.
    LIVE_SERVER_RECORD_WRITES: 'true',
  };
  if (pubsub === 'redis') {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    env.REDIS_URL = redis.url;
  }
  let databaseUrl: string | undefined;
  if (dbKind === 'postgres') {
    const pg = await startPostgres(findPostgresBin()!);
    cleanups.push(() => pg.stop());
    databaseUrl = await pg.createDatabase('bench');
    env.DATABASE_URL = databaseUrl;
  } else {
    env.PGLITE_DIR = 'memory';
  }

  const instances: Instance[] = [await startInstance(env, { quiet: true })];
  for (let i = 1; i < I; i++) instances.push(await startInstance({ ...env, SEED_DEMO: 'false' }, { quiet: true }));
  cleanups.push(() => Promise.all(instances.map((i) => i.stop())).then(() => {}));

  // The drafts to publish are created through the bench's own connection, which embedded PGlite
  // (one connection, inside the server process) cannot offer.
  if (!databaseUrl) throw new Error('the benchmark needs PostgreSQL (install postgresql) to create its drafts');
  const db = await openDatabase({ kind: 'postgres', url: databaseUrl });
  const section = await db.prisma.section.findFirstOrThrow({ where: { slug: 'politics' } });
  const drafts: number[] = [];
  for (let i = 0; i < M; i++) {
    const a = await db.prisma.article.create({
      data: {
        slug: `bench-${Date.now()}-${i}`,
        headline: `벤치마크 속보 ${i}`,
        status: 'DRAFT',
        sectionId: section.id,
        breaking: true,
      },
    });
    drafts.push(a.id);
  }
  await db.close();

  // Client processes.
  const script = fileURLToPath(new URL('./live-client.ts', import.meta.url));
  const children: ChildProcess[] = [];
  const messages = (child: ChildProcess, type: string) =>
    new Promise<any>((resolve) => {
      const on = (m: any) => {
        if (m.type !== type) return;
        child.off('message', on);
        resolve(m);
      };
      child.on('message', on);
    });
  for (let i = 0; i < P; i++) {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    cleanups.push(() => void child.kill());
  }
  const query = `subscription { articlePublished { ${opts.selection} } }`;
  const perClient = children.map((_, i) => Math.floor(N / P) + (i < N % P ? 1 : 0));
  const statsBefore: InstanceStats[] = await Promise.all(instances.map((i) => i.stats()));
  const connectStart = performance.now();
  const urls = instances.map((i) => i.wsUrl);
  await Promise.all(
    children.map((c, i) => {
      const connected = messages(c, 'connected');
      c.send({ type: 'start', urls, count: perClient[i], query });
      return connected;
    }),
  );
  const perInstance = instances.map((_, n) => Math.floor(N / I) + (n < N % I ? 1 : 0));
  await Promise.all(instances.map((inst, n) => inst.whenSubscriptions(perInstance[n]!)));
  const connectMs = performance.now() - connectStart;
  log(`connected and subscribed: ${N} sockets in ${(connectMs / 1000).toFixed(2)} s`);

  const statsSubscribed = await Promise.all(instances.map((i) => i.stats()));
  log('publishing…');
  const done = children.map((c) => messages(c, 'done'));
  children.forEach((c, i) => {
    c.send({ type: 'expect', expect: perClient[i]! * M });
  });

  // Publish, round-robin over instances, one every `interval` ms.
  const publishedAt = new Map<string, number>();
  const publishStart = performance.now();
  for (const [n, id] of drafts.entries()) {
    const started = performance.now();
    const { at, announced } = await instances[n % I]!.publish(id);
    if (!announced) log(`article ${id}: not announced`);
    publishedAt.set(encodeGlobalId('Article', id), at);
    const wait = interval - (performance.now() - started);
    if (wait > 0 && n < drafts.length - 1) await new Promise((r) => setTimeout(r, wait)); // pacing, not synchronisation
  }
  log(`published ${M} articles; waiting for deliveries`);
  const drainTimeout = Number(opts['drain-timeout']);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    Promise.all(done).then(() => false),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(true), drainTimeout))),
  ]);
  clearTimeout(timer);
  const publishWallMs = performance.now() - publishStart;
  const statsAfter = await Promise.all(instances.map((i) => i.stats()));

  const collected = await Promise.all(
    children.map((c) => {
      const r = messages(c, 'receipts');
      c.send({ type: 'collect' });
      return r;
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  let closed = 0;
  for (const { receipts, errors: e, closed: c } of collected) {
    errors += e;
    closed += c;
    for (const [id, times] of Object.entries(receipts as Record<string, number[]>)) {
      const at = publishedAt.get(id);
      if (at == null) continue;
      for (const t of times) latencies.push(t - at);
    }
  }
  const sorted = Float64Array.from(latencies).sort();
  // Publish call to the server handing the frame to the kernel: what the server itself takes; the
  // rest of the end-to-end figure is the kernel and the client processes (on the same cores) getting
  // round to reading it.
  const writeLatencies: number[] = [];
  for (const writes of await Promise.all(instances.map((i) => i.writes()))) {
    for (const [id, times] of Object.entries(writes)) {
      const at = publishedAt.get(id);
      if (at == null) continue;
      for (const t of times) writeLatencies.push(t - at);
    }
  }
  const writesSorted = Float64Array.from(writeLatencies).sort();
  const expected = N * M;
  const cpuMs = statsAfter.reduce(
    (n, s, i) => n + s.cpuUserMs + s.cpuSystemMs - statsSubscribed[i]!.cpuUserMs - statsSubscribed[i]!.cpuSystemMs,
    0,
  );
  const connectCpuMs = statsSubscribed.reduce(
    (n, s, i) => n + s.cpuUserMs + s.cpuSystemMs - statsBefore[i]!.cpuUserMs - statsBefore[i]!.cpuSystemMs,
    0,
  );
  const result = {
    subscribers: N,
    events: M,
    instances: I,
    clientProcesses: P,
    pubsub,
    db: dbKind,
    connectSeconds: +(connectMs / 1000).toFixed(2),
    delivered: latencies.length,
    expected,
    deliveredPct: +((100 * latencies.length) / expected).toFixed(3),
    missed: expected - latencies.length,
    timedOut,
    subscriptionErrors: errors,
    socketsClosed: closed,
    // publish call -> `next` received by the client process
    latencyMs: {
      p50: +percentile(sorted, 50).toFixed(1),
      p95: +percentile(sorted, 95).toFixed(1),
      p99: +percentile(sorted, 99).toFixed(1),
      max: +(sorted[sorted.length - 1] ?? NaN).toFixed(1),
    },
    serverWriteMs: {
      frames: writesSorted.length,
      p50: +percentile(writesSorted, 50).toFixed(1),
      p95: +percentile(writesSorted, 95).toFixed(1),
      p99: +percentile(writesSorted, 99).toFixed(1),
      max: +(writesSorted[writesSorted.length - 1] ?? NaN).toFixed(1),
    },
    serverRss: statsAfter.map(
      (s, i) => `${mb(statsBefore[i]!.rss)} idle -> ${mb(statsSubscribed[i]!.rss)} subscribed -> ${mb(s.rss)} after`,
    ),
    serverCpu: {
      connectPhaseSeconds: +(connectCpuMs / 1000).toFixed(2),
      publishPhaseSeconds: +(cpuMs / 1000).toFixed(2),
      publishPhaseWallSeconds: +(publishWallMs / 1000).toFixed(2),
      publishPhaseCoresUsed: +(cpuMs / publishWallMs).toFixed(2),
    },
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error(error);
    }
  }
}
process.exit(0);
