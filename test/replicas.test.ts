// Read replicas against a real streaming replica: a throwaway primary, `pg_basebackup -R` from it, the
// copy started as a hot standby on its own port. With the replica's WAL replay paused, a publish is
// visible at once on the primary (an editor's read, the live event's article) and not on the replica
// (an anonymous read), which shows where each read went; after replay resumes the anonymous read sees
// it. With the replica stopped, anonymous reads keep answering from the primary, /readyz stays 200 and
// says so, and once the replica is back, anonymous reads return to it.
import { print } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../src/auth/tokens.ts';
import { openDatabase } from '../src/db/client.ts';
import { replicaName } from '../src/db/replicas.ts';
import { seedIfEmpty } from '../src/seed/demo.ts';
import { graphql } from './generated/index.ts';
import { findPostgresBin, requireBinary } from './harness/binaries.ts';
import { whenSubscriptions } from './harness/live-hub.ts';
import { draftBy } from './harness/newsroom.ts';
import { type PostgresServer, runPostgresTool, startPostgres } from './harness/postgres.ts';
import { startTestServer, type TestServer } from './harness/server.ts';

const bin = findPostgresBin();
const ARTICLE = graphql(`
  query TestReplicaArticle($id: ID!) { article(id: $id) { id headline } }
`);
const PUBLISH = graphql(`
  mutation TestReplicaPublish($id: ID!) { publishArticle(input: { id: $id }) { changed } }
`);
const PUBLISHED = graphql(`
  subscription TestReplicaPublished { articlePublished { article { id headline } } }
`);
const skip = requireBinary('PostgreSQL', bin);

const until = async (check: () => Promise<boolean>, what: string, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.skipIf(skip)('read replicas (a real streaming replica)', () => {
  let primary: PostgresServer;
  let replica: PostgresServer;
  let server: TestServer;
  let replicaUrl: string;
  let editor: string;
  let reporterId: number;
  let publishedCount = 0;

  beforeAll(async () => {
    primary = await startPostgres(bin!, {
      settings: ['wal_level=replica', 'max_wal_senders=5', 'hot_standby_feedback=on'],
    });
    const url = await primary.createDatabase('news');
    const setup = await openDatabase({ kind: 'postgres', url });
    await seedIfEmpty(setup.prisma);
    editor = (await createApiToken(setup.prisma, { name: 'desk', role: 'EDITOR' })).token;
    reporterId = (await setup.prisma.reporter.findFirstOrThrow({ select: { id: true } })).id;
    await setup.close();
    replica = await startPostgres(bin!, {
      fromDataDir: (data) =>
        runPostgresTool(bin!, 'pg_basebackup', [
          '-D',
          data,
          '-h',
          '127.0.0.1',
          '-p',
          String(primary.port),
          '-U',
          'postgres',
          '-R',
          '-X',
          'stream',
          '-c',
          'fast',
        ]),
    });
    replicaUrl = replica.url.replace(/\/postgres$/, '/news');
    server = await startTestServer('postgres', {
      env: {
        DATABASE_URL: url,
        DATABASE_REPLICA_URLS: replicaUrl,
        SEED_DEMO: 'false',
        RATE_LIMIT_MUTATIONS_PER_MINUTE: '10000',
      },
      replicaCheckMs: 300,
    });
  });
  afterAll(async () => {
    await server?.stop();
    replica?.stop();
    primary?.stop();
  });

  /** On the replica's own server: pause or resume applying the primary's WAL. */
  const replay = async (action: 'pause' | 'resume') => {
    const client = new pg.Client({ connectionString: replica.url });
    await client.connect();
    try {
      await client.query(`SELECT pg_wal_replay_${action}()`);
    } finally {
      await client.end();
    }
  };
  const read = async (id: string, token?: string) => {
    const res = await server.graphql(ARTICLE, { id }, token ? { token } : {});
    expect(res.errors).toBeUndefined();
    return res.data!.article;
  };
  /** A draft published through the API by the editor; returns its id. */
  const publish = async () => {
    const headline = `복제 확인 기사 ${++publishedCount}`;
    const id = await draftBy(server, reporterId, headline);
    const res = await server.graphql(PUBLISH, { id }, { token: editor });
    expect(res).toEqual({ data: { publishArticle: { changed: true } } });
    return { id, headline };
  };

  /** Anonymous reads go to the replica: with its replay paused, a fresh publish is invisible to them only. */
  const expectAnonymousReadsOnReplica = async () => {
    await replay('pause');
    let article: { id: string; headline: string };
    try {
      article = await publish();
      // The primary has it at once: the editor reads there, and so does the publishing mutation itself.
      expect(await read(article.id, editor)).toEqual(article);
      // The replica does not, and every anonymous read (round-robin over one replica) asks it.
      for (let i = 0; i < 3; i++) expect(await read(article.id)).toBeNull();
    } finally {
      await replay('resume');
    }
    // Replicated: the anonymous read sees it.
    await until(async () => (await read(article.id)) !== null, 'the replica to replay the publish');
    expect(await read(article.id)).toEqual(article);
  };

  const readyz = async () => {
    const res = await fetch(server.url.replace('/graphql', '/readyz'));
    return { status: res.status, body: await res.json() };
  };

  it('sends anonymous reads to the replica and newsroom reads to the primary; /readyz reports the replica', async () => {
    const name = replicaName(replicaUrl);
    expect(await readyz()).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'ok', migrations: 'ok' }, replicas: { [name]: 'ok' } },
    });
    await expectAnonymousReadsOnReplica();
  });

  it('delivers a live event with its article loaded from the primary while the replica lags', async () => {
    await replay('pause');
    try {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: print(PUBLISHED) }),
      });
      const reader = res.body!.getReader();
      await whenSubscriptions(server.app.services.live, 1);
      const article = await publish();
      let text = '';
      while (!/event: next\ndata: .*\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      const event = JSON.parse(/event: next\ndata: (.*)\n/.exec(text)![1]!);
      expect(event).toEqual({ data: { articlePublished: { article } } });
      // …which anonymous reads do not see yet.
      expect(await read(article.id)).toBeNull();
    } finally {
      await replay('resume');
    }
  });

  it('holds a cache purge until the replica has replayed the change it is for', async () => {
    // Otherwise a cache refilled by an anonymous read right after the purge would keep the old answer.
    const purged: { keys: string[]; at: number }[] = [];
    const off = server.app.pubsub.listen(
      'cache:purge',
      (d) => void purged.push({ keys: d.payload.keys, at: Date.now() }),
    );
    let article: { id: string; headline: string } | undefined;
    let resumedAt = 0;
    await replay('pause');
    try {
      article = await publish();
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      resumedAt = Date.now();
      await replay('resume');
    }
    try {
      await until(async () => purged.some((p) => p.keys.includes(article!.id)), 'the purge');
      expect(purged.find((p) => p.keys.includes(article!.id))!.at).toBeGreaterThanOrEqual(resumedAt);
    } finally {
      off();
    }
  });

  it('keeps answering anonymous reads from the primary while the replica is stopped, and returns to it when it is back', async () => {
    const name = replicaName(replicaUrl);
    const { id, headline } = await publish();
    await until(async () => (await read(id)) !== null, 'replication');
    replica.halt();
    // Every read answers, at once, from the primary (the first ones may still try the replica and fall back).
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      expect(await read(id)).toEqual({ id, headline });
      expect(Date.now() - started).toBeLessThan(3_000);
    }
    const fresh = await publish();
    expect(await read(fresh.id)).toEqual(fresh);
    // Ready (the primary serves), with the replica reported down.
    await until(async () => (await readyz()).body.replicas[name] !== 'ok', 'the probe to notice');
    const ready = await readyz();
    expect(ready.status).toBe(200);
    expect(ready.body.replicas[name]).toMatch(/^down \(.+\): reads on the primary$/);
    const metrics = await server.app.metrics.registry.metrics();
    expect(metrics).toContain(`db_replica_up{replica="${name}"} 0`);

    replica.restart();
    await until(async () => (await readyz()).body.replicas[name] === 'ok', 'the replica back in rotation');
    expect(await server.app.metrics.registry.metrics()).toContain(`db_replica_up{replica="${name}"} 1`);
    await expectAnonymousReadsOnReplica();
  });
});
