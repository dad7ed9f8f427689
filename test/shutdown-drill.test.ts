// Failure drill: SIGTERM under load (issue 15). Two real server processes (src/main.ts) on one
// PostgreSQL database and one redis-server. Instance A gets SIGTERM while it holds a WebSocket and an
// SSE subscriber, a request whose body is still arriving, beacon views not yet flushed and a stream of
// queries. /readyz turns 503 at once while A still serves (SHUTDOWN_DRAIN_MS); then new connections
// are refused, the request in flight is answered 200, the WebSocket client hears 1001 and the SSE
// stream completes; the views reach PostgreSQL; A exits 0. Both clients resume on B with their last
// cursor and receive the article published while they were away. A shutdown that cannot finish
// (a request that never ends) exits 1 after SHUTDOWN_TIMEOUT_MS, saying what it waited for.
import { request as httpRequest } from 'node:http';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { createApiToken } from '../src/auth/tokens.ts';
import { visibleArticleWhere } from '../src/articles/visibility.ts';
import type { Database } from '../src/db/client.ts';
import { encodePublicationCursor } from '../src/live/cursor.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { graphql } from './generated/index.ts';
import type { TestDrillResumeSubscription } from './generated/graphql.ts';
import {
  type ChildServer,
  postGraphQL,
  type SharedBackends,
  startChildServer,
  startSharedBackends,
} from './harness/child-server.ts';
import { type Recorded, subscribeSse, subscribeWs, wsClient } from './harness/live-clients.ts';
import { redisSkipReason } from './harness/redis.ts';
import type { GraphQLResponse } from './harness/server.ts';

const skip = redisSkipReason() ?? inject('postgresSkip');
if (skip) console.warn(`Shutdown drill skipped: ${skip}`);

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SUBSCRIPTION = graphql(
  `subscription TestDrillResume($after: String) { articlePublished(after: $after) { cursor articleId replayed } }`,
);
const QUERY = graphql(`query TestDrillLatest { latestArticles(first: 1) { slug } }`);
const PUBLISH = graphql(`mutation TestDrillPublish($id: ID!) { publishArticle(input: { id: $id }) { changed } }`);

/** Resolves once the process has written `text` (its log lines are JSON; `text` is a fragment of one). */
function logged(server: ChildServer, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const look = () => {
      if (!server.output().includes(text)) return false;
      server.child.stdout!.off('data', look);
      server.child.off('exit', gone);
      resolve();
      return true;
    };
    const gone = () =>
      look() ? undefined : reject(new Error(`exited without logging ${text}: ${server.output().slice(-2000)}`));
    if (look()) return;
    server.child.stdout!.on('data', look);
    server.child.once('exit', gone);
  });
}

function exited(server: ChildServer): Promise<number | null> {
  if (server.child.exitCode !== null) return Promise.resolve(server.child.exitCode);
  return new Promise((resolve) => server.child.once('exit', (code) => resolve(code)));
}

/** A POST /graphql whose body is sent in two parts: the request is in flight until `finish()`. */
function heldRequest<TData>(
  base: string,
  document: TypedDocumentNode<TData, Record<string, never>>,
): { finish(): void; response: Promise<{ status: number; body: GraphQLResponse<TData> }> } {
  const body = Buffer.from(JSON.stringify({ query: print(document) }));
  const half = Math.floor(body.length / 2);
  const url = new URL('/graphql', base);
  let finish!: () => void;
  const response = new Promise<{ status: number; body: GraphQLResponse<TData> }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.flushHeaders();
    req.write(body.subarray(0, half));
    finish = () => req.end(body.subarray(half));
  });
  return { finish: () => finish(), response };
}

const latest = (base: string) => postGraphQL(`${base}/graphql`, QUERY);

describe.skipIf(skip)('SIGTERM under load: two instances on one PostgreSQL and Redis', () => {
  let backends: SharedBackends;
  let db: Database;
  let editor: string;
  const servers: ChildServer[] = [];
  const clients: Client[] = [];
  const recs: Recorded<TestDrillResumeSubscription>[] = [];

  beforeAll(async () => {
    backends = await startSharedBackends();
    db = backends.db;
    editor = (await createApiToken(db.prisma, { name: 'night desk', role: 'EDITOR' })).token;
  });

  afterAll(() => backends?.stop({ subscriptions: recs, clients, servers }));

  const start = async (env: Record<string, string>) => {
    const server = await startChildServer({
      DATABASE_URL: backends.url,
      REDIS_URL: backends.redis.url,
      SEED_DEMO: 'false',
      DEMO_VIEWS: 'false',
      PUBLISH_SCHEDULER_MS: '0',
      // Views reach PostgreSQL only through the final flush at shutdown.
      VIEWS_FLUSH_MS: '0',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '1000',
      ...env,
    });
    servers.push(server);
    return server;
  };

  it('answers what is in flight, hands live clients to the other instance, flushes views, exits 0', async () => {
    // SHUTDOWN_TIMEOUT_MS is left at its default (10 s).
    const [a, b] = await Promise.all([start({ SHUTDOWN_DRAIN_MS: '3000' }), start({})]);
    const section = await db.prisma.section.findFirstOrThrow({ where: { slug: 'politics' } });
    const draft = (n: string) =>
      db.prisma.article.create({
        data: {
          slug: `drill-${n}-${Date.now()}`,
          headline: `종료 훈련 기사 ${n}`,
          status: 'DRAFT',
          sectionId: section.id,
        },
      });
    const [x, y] = [await draft('x'), await draft('y')];
    const publish = async (id: number) => {
      const { body } = await postGraphQL(`${b.base}/graphql`, PUBLISH, { id: encodeGlobalId('Article', id) }, editor);
      expect(body.errors).toBeUndefined();
      expect(body.data?.publishArticle.changed).toBe(true);
    };

    // Live clients on A resume from the newest article: whether X is published before or after their
    // subscription is registered, they get it exactly once (replay or live).
    const newest = await db.prisma.article.findFirstOrThrow({
      where: visibleArticleWhere(new Date()),
      orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
    });
    const startCursor = encodePublicationCursor(newest.id);
    const wsA = wsClient(`${a.base.replace('http', 'ws')}/graphql`);
    clients.push(wsA);
    const wsRec = subscribeWs(wsA, { query: SUBSCRIPTION, variables: { after: startCursor } });
    const sseRec = subscribeSse(`${a.base}/graphql`, { query: SUBSCRIPTION, variables: { after: startCursor } });
    recs.push(wsRec, sseRec);
    await publish(x.id);
    const [[wsX], [sseX]] = await Promise.all([wsRec.received(1), sseRec.received(1)]);
    expect(wsX!.data?.articlePublished.articleId).toBe(encodeGlobalId('Article', x.id));
    expect(sseX!.data?.articlePublished.articleId).toBe(encodeGlobalId('Article', x.id));
    const cursorX = wsX!.data!.articlePublished.cursor;

    // Views recorded through A just before the signal: counted in Redis, not yet in PostgreSQL.
    const viewed = newest.id;
    const before = (await db.prisma.article.findUniqueOrThrow({ where: { id: viewed } })).viewCount;
    const views = 120;
    const statuses = await Promise.all(
      Array.from({ length: views }, (_, i) =>
        fetch(`${a.base}/views/${viewed}?v=drill-visitor-${String(i).padStart(4, '0')}`, {
          method: 'POST',
          headers: { 'user-agent': BROWSER },
        }).then((r) => `${r.status} ${r.headers.get('x-view-status')}`),
      ),
    );
    expect(new Set(statuses)).toEqual(new Set(['204 COUNTED']));
    expect((await db.prisma.article.findUniqueOrThrow({ where: { id: viewed } })).viewCount).toBe(before);

    // Load while it shuts down: queries back to back until A stops taking connections.
    const held = heldRequest(a.base, QUERY);
    const answered: number[] = [];
    const refused: string[] = [];
    let loading = true;
    const load = (async () => {
      while (loading) {
        try {
          answered.push((await latest(a.base)).status);
        } catch (error) {
          refused.push(String((error as { cause?: { code?: string } }).cause?.code ?? error));
          if (refused.length > 3) break;
        }
      }
    })();
    await latest(a.base); // the held request's headers were sent before this answer

    const signalled = performance.now();
    a.child.kill('SIGTERM');
    const exit = exited(a);
    await logged(a, '"msg":"shutting down"');
    // At once: not ready (a load balancer stops sending), while it still serves.
    const ready = await fetch(`${a.base}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { notReady: string[] }).notReady).toContain('shutdown');
    expect((await fetch(`${b.base}/readyz`)).status).toBe(200);
    expect((await latest(a.base)).status).toBe(200);

    // After the drain: new connections are refused while the request in flight is still open.
    await logged(a, '"msg":"no longer accepting connections"');
    await expect(fetch(`${a.base}/healthz`)).rejects.toThrow();
    expect(a.alive()).toBe(true);
    // WebSocket clients are told 1001 Going Away; SSE streams complete.
    const wsEnd = (await wsRec.ended) as { code?: number };
    expect(wsEnd?.code).toBe(1001);
    expect(await sseRec.ended).toBeNull();

    held.finish();
    const answer = await held.response;
    expect(answer.status).toBe(200);
    expect(answer.body.data?.latestArticles).toHaveLength(1);
    loading = false;
    await load;

    expect(await exit).toBe(0);
    const tookMs = performance.now() - signalled;
    expect(a.output()).toContain('"msg":"shut down"');
    // Every query of the load that A answered was answered 200 (the others found the door closed).
    expect(answered.length).toBeGreaterThan(0);
    expect(new Set(answered)).toEqual(new Set([200]));
    // The final flush: every view acknowledged by A is in PostgreSQL.
    expect((await db.prisma.article.findUniqueOrThrow({ where: { id: viewed } })).viewCount).toBe(before + views);

    // Published while the clients were away; they resume on B from their last cursor.
    await publish(y.id);
    const wsB = wsClient(`${b.base.replace('http', 'ws')}/graphql`);
    clients.push(wsB);
    const wsResumed = subscribeWs(wsB, { query: SUBSCRIPTION, variables: { after: cursorX } });
    const sseResumed = subscribeSse(`${b.base}/graphql`, {
      query: SUBSCRIPTION,
      variables: { after: sseX!.data!.articlePublished.cursor },
    });
    recs.push(wsResumed, sseResumed);
    const [[wsY], [sseY]] = await Promise.all([wsResumed.received(1), sseResumed.received(1)]);
    for (const event of [wsY!, sseY!]) {
      expect(event.errors).toBeUndefined();
      expect(event.data?.articlePublished).toMatchObject({
        articleId: encodeGlobalId('Article', y.id),
        replayed: true,
      });
    }
    console.info(
      `shutdown drill: exit 0 after ${Math.round(tookMs)} ms (3,000 ms drain, 10,000 ms limit); ${answered.length} queries answered 200 during the drill, ${refused.length} refused (${[...new Set(refused)].join(', ')})`,
    );
  });

  it('exits 1 after SHUTDOWN_TIMEOUT_MS when a request never finishes, naming what it waited for', async () => {
    const c = await start({ SHUTDOWN_TIMEOUT_MS: '2000' });
    const held = heldRequest(c.base, QUERY);
    held.response.catch(() => {}); // cut when the process exits
    await latest(c.base);
    c.child.kill('SIGTERM');
    expect(await exited(c)).toBe(1);
    expect(c.output()).toContain('shutdown did not finish within SHUTDOWN_TIMEOUT_MS');
    expect(c.output()).toContain('"phase":"closing connections"');
  });
});
