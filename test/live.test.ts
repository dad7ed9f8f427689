// Live news on one instance over real transports: graphql-ws over a real WebSocket, GraphQL over SSE,
// real HTTP. Twice: embedded PGlite with in-process pub/sub, and PostgreSQL with a real redis-server.
import { print } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from 'graphql-ws';
import { formatPrismaCursor } from '@pothos/plugin-prisma';
import { editArticle } from '../src/articles/editing.ts';
import { publishArticle, runDuePublications, unpublishArticle } from '../src/articles/publishing.ts';
import type { PrismaClient } from '../src/generated/prisma/client.ts';
import { LiveHub, type PublishedEvent } from '../src/live/hub.ts';
import { type FrameSocket, writeNextFrames } from '../src/live/frames.ts';
import { LiveStream } from '../src/live/stream.ts';
import { createMemoryPubSub } from '../src/pubsub/pubsub.ts';
import { createRedisPubSub } from '../src/pubsub/redis.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { graphql } from './generated/index.ts';
import { type Operation, type Recorded, subscribeSse, subscribeWs, wsClient } from './harness/live-clients.ts';
import { backends, startTestServer, type TestServer } from './harness/server.ts';
import { redisSkipReason, type RedisServer, startRedis } from './harness/redis.ts';
import { silentLogger } from '../src/platform/logger.ts';
import { untilSubscriptions, whenSubscriptions } from './harness/live-hub.ts';

const redisSkip = redisSkipReason();
if (redisSkip) console.warn(`Redis suites skipped: ${redisSkip}`);

// Subscriptions are codegen documents; the strings left are invalid on purpose, and the raw-socket tests
// send protocol frames by hand (their messages stay untyped JSON).
const PUBLISHED = graphql(`subscription TestLivePublished($filter: LiveArticleFilter, $after: String) {
  articlePublished(filter: $filter, after: $after) { cursor articleId replayed gap article { id slug headline section { slug } } }
}`);
const WITH_URL = graphql(`subscription TestLiveWithUrl { articlePublished { articleId article { headline url } } }`);
const BREAKING = graphql(`subscription TestLiveBreaking { breakingNews { articleId } }`);
const SMALL = graphql(`subscription TestLiveSmall { articlePublished { articleId } }`);
const LARGE = graphql(`subscription TestLiveLarge { articlePublished { articleId article { slug headline } } }`);
const UPDATES = graphql(
  `subscription TestLiveUpdates($id: ID!) { articleUpdated(id: $id) { kind articleId article { headline } } }`,
);
const UPDATES_AT = graphql(
  `subscription TestLiveUpdatesAt($id: ID!) { articleUpdated(id: $id) { kind articleId at article { headline editedAt } } }`,
);
const OVER_SSE = graphql(`subscription TestLiveOverSse { articlePublished { articleId article { slug } } }`);

let draftSeq = 0;
async function createDraft(prisma: PrismaClient, options: { section?: string; breaking?: boolean } = {}) {
  const section = await prisma.section.findUniqueOrThrow({ where: { slug: options.section ?? 'politics' } });
  const n = ++draftSeq;
  return prisma.article.create({
    data: {
      slug: `live-${process.pid}-${Date.now()}-${n}`,
      headline: `라이브 테스트 기사 ${n}`,
      status: 'DRAFT',
      sectionId: section.id,
      breaking: options.breaking ?? false,
    },
  });
}

const gid = (id: number) => encodeGlobalId('Article', id);
/** The article ids a subscription delivered, from whichever field it selects (articleId or article.id). */
const ids = (rec: Recorded<Record<string, { articleId?: string; article?: { id?: string } | null }>>) =>
  rec
    .data()
    .map((d) => Object.values(d)[0]!)
    .map((e) => e.articleId ?? e.article?.id);

/** Raw protocol socket for close-code checks. */
function rawSocket(
  url: string,
): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }>; messages: any[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws');
    const messages: any[] = [];
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      ws.once('close', (code, reason) => r({ code, reason: String(reason) })),
    );
    ws.on('message', (m) => messages.push(JSON.parse(String(m))));
    ws.once('open', () => resolve({ ws, closed, messages }));
    ws.once('error', reject);
  });
}
const nextMessage = (ws: WebSocket) => new Promise<any>((r) => ws.once('message', (m) => r(JSON.parse(String(m)))));

const setups: { name: string; backend: 'pglite' | 'postgres'; redis: boolean }[] = [
  { name: 'PGlite, in-process pub/sub', backend: 'pglite', redis: false },
  ...(backends().includes('postgres') && !redisSkip
    ? [{ name: 'PostgreSQL, Redis pub/sub', backend: 'postgres' as const, redis: true }]
    : []),
];

describe.each(setups)('live news ($name)', ({ backend, redis: useRedis }) => {
  let server: TestServer;
  let redis: RedisServer | undefined;
  let now = new Date();
  let wsUrl: string;
  const clients: { dispose(): unknown }[] = [];
  const track = <T extends { dispose(): unknown }>(c: T) => (clients.push(c), c);

  beforeAll(async () => {
    if (useRedis) redis = await startRedis();
    server = await startTestServer(backend, {
      clock: () => now,
      env: {
        ...(redis ? { REDIS_URL: redis.url } : {}),
        PUBLISH_SCHEDULER_MS: '0',
        WS_MAX_SUBSCRIPTIONS: '3',
        WS_INIT_TIMEOUT_MS: '300',
      },
    });
    wsUrl = server.url.replace('http', 'ws');
    expect(server.app.pubsub.transport).toBe(useRedis ? 'redis' : 'memory');
  });
  // Every test disposes what it opened; the next one starts from zero open subscriptions, so "n open"
  // means its own n are registered.
  beforeEach(() => untilSubscriptions(hub(), (s) => s.published + s.updated === 0));
  afterAll(async () => {
    for (const c of clients) c.dispose();
    await server?.stop();
    await redis?.stop();
  });

  const hub = () => server.app.services.live;
  const services = () => server.app.services;
  async function subscribed<T>(rec: T, total: number): Promise<T> {
    await whenSubscriptions(hub(), total);
    return rec;
  }

  it('delivers a published article over WebSocket with the subscriber’s own selection', async () => {
    const client = track(wsClient(wsUrl));
    const rec = await subscribed(subscribeWs(client, { query: WITH_URL }), 1);
    const draft = await createDraft(server.app.db.prisma);
    const result = await publishArticle(services(), draft.id);
    expect(result).toMatchObject({ changed: true, announced: true });
    const [event] = await rec.received(1);
    expect(event!.data).toEqual({
      articlePublished: {
        articleId: gid(draft.id),
        article: { headline: draft.headline, url: `https://news.example/articles/${draft.slug}` },
      },
    });
    rec.dispose();
  });

  it('applies filters: section, breakingOnly and breakingNews', async () => {
    const client = track(wsClient(wsUrl));
    const all = subscribeWs(client, { query: PUBLISHED });
    const economy = subscribeWs(client, { query: PUBLISHED, variables: { filter: { section: 'economy' } } });
    const breaking = subscribeWs(track(wsClient(wsUrl)), { query: BREAKING });
    await whenSubscriptions(hub(), 3);
    const prisma = server.app.db.prisma;
    const a = await createDraft(prisma, { section: 'economy' });
    const b = await createDraft(prisma, { section: 'politics', breaking: true });
    const sentinel = await createDraft(prisma, { section: 'economy', breaking: true });
    for (const d of [a, b, sentinel]) await publishArticle(services(), d.id);
    await Promise.all([all.received(3), economy.received(2), breaking.received(2)]);
    // Each stream is ordered, so everything before the sentinel is everything it will ever get.
    expect(ids(all)).toEqual([gid(a.id), gid(b.id), gid(sentinel.id)]);
    expect(ids(economy)).toEqual([gid(a.id), gid(sentinel.id)]);
    expect(ids(breaking)).toEqual([gid(b.id), gid(sentinel.id)]);
    expect(all.data()[0]!.articlePublished).toMatchObject({
      replayed: false,
      gap: false,
      article: { section: { slug: 'economy' } },
    });
    for (const r of [all, economy, breaking]) r.dispose();
  });

  it('gives each subscriber its own selection when executions are shared', async () => {
    const client = track(wsClient(wsUrl));
    const recs = [
      subscribeWs(client, { query: SMALL }),
      subscribeWs(client, { query: SMALL }),
      subscribeWs(client, { query: LARGE }),
    ];
    await whenSubscriptions(hub(), 3);
    const draft = await createDraft(server.app.db.prisma);
    await publishArticle(services(), draft.id);
    const [a, b, c] = await Promise.all(recs.map(async (r) => (await r.received(1))[0]!.data));
    expect(a).toEqual({ articlePublished: { articleId: gid(draft.id) } });
    expect(b).toEqual(a);
    expect(c).toEqual({
      articlePublished: { articleId: gid(draft.id), article: { slug: draft.slug, headline: draft.headline } },
    });
    for (const r of recs) r.dispose();
  });

  it('never delivers drafts, scheduled or unpublished articles, even when an event names one', async () => {
    const prisma = server.app.db.prisma;
    const client = track(wsClient(wsUrl));
    const draft = await createDraft(prisma);
    const rec = subscribeWs(client, { query: PUBLISHED });
    const updates = subscribeWs(client, { query: UPDATES, variables: { id: gid(draft.id) } });
    await whenSubscriptions(hub(), 2);
    await editArticle(services(), draft.id, { headline: '초안 수정' }, null); // a draft edit: no event
    await publishArticle(services(), draft.id, { at: new Date(now.getTime() + 3_600_000) }); // scheduled: no event yet
    // A stale or forged event naming an invisible article reaches the hub: it is dropped there.
    await services().pubsub.publish('article:published', {
      articleId: draft.id,
      publishedAt: now.toISOString(),
      sectionSlug: 'politics',
      breaking: false,
    });
    const sentinel = await createDraft(prisma);
    await publishArticle(services(), sentinel.id);
    await rec.received(1);
    expect(ids(rec)).toEqual([gid(sentinel.id)]);
    expect(updates.results).toEqual([]);
    rec.dispose();
    updates.dispose();
  });

  it('announces a scheduled article when its time comes, once even with two schedulers racing', async () => {
    const prisma = server.app.db.prisma;
    const rec = subscribeWs(track(wsClient(wsUrl)), { query: PUBLISHED });
    await whenSubscriptions(hub(), 1);
    const draft = await createDraft(prisma);
    const at = new Date(now.getTime() + 60_000);
    const scheduled = await publishArticle(services(), draft.id, { at });
    expect(scheduled.article.status).toBe('SCHEDULED');
    expect(await runDuePublications(services())).toEqual([]);
    now = new Date(at.getTime() + 1_000);
    const runs = await Promise.all([runDuePublications(services()), runDuePublications(services())]);
    expect(runs.flat()).toEqual([draft.id]);
    const sentinel = await createDraft(prisma);
    await publishArticle(services(), sentinel.id);
    await rec.received(2);
    expect(ids(rec)).toEqual([gid(draft.id), gid(sentinel.id)]);
    rec.dispose();
  });

  it('reports edits, unpublishing and archiving through articleUpdated', async () => {
    const prisma = server.app.db.prisma;
    const draft = await createDraft(prisma);
    await publishArticle(services(), draft.id);
    const rec = subscribeWs(track(wsClient(wsUrl)), {
      query: UPDATES_AT,
      variables: { id: gid(draft.id) },
    });
    await whenSubscriptions(hub(), 1);
    now = new Date(now.getTime() + 1_000);
    // Each event's article is loaded as it is when the event arrives: wait for one before the next change.
    await editArticle(services(), draft.id, { headline: '정정: 새 제목' }, null);
    await rec.received(1);
    await unpublishArticle(services(), draft.id);
    await rec.received(2);
    await publishArticle(services(), draft.id);
    await unpublishArticle(services(), draft.id, { archive: true });
    const events = (await rec.received(3)).map((r) => r.data!.articleUpdated);
    expect(events).toEqual([
      {
        kind: 'EDITED',
        articleId: gid(draft.id),
        at: now.toISOString(),
        article: { headline: '정정: 새 제목', editedAt: now.toISOString() },
      },
      { kind: 'UNPUBLISHED', articleId: gid(draft.id), at: now.toISOString(), article: null },
      { kind: 'ARCHIVED', articleId: gid(draft.id), at: now.toISOString(), article: null },
    ]);
    rec.dispose();
  });

  it('resumes from a cursor: exactly what was missed, oldest first, then live, no duplicate', async () => {
    const prisma = server.app.db.prisma;
    const first = subscribeWs(track(wsClient(wsUrl)), { query: PUBLISHED });
    await whenSubscriptions(hub(), 1);
    const seen = await createDraft(prisma);
    now = new Date(now.getTime() + 1_000);
    await publishArticle(services(), seen.id);
    const [event] = await first.received(1);
    const cursor = event!.data!.articlePublished.cursor;
    first.dispose();

    const missed = [];
    for (let i = 0; i < 5; i++) {
      now = new Date(now.getTime() + 1_000);
      const d = await createDraft(prisma);
      await publishArticle(services(), d.id);
      missed.push(d);
    }
    const resumed = subscribeWs(track(wsClient(wsUrl)), { query: PUBLISHED, variables: { after: cursor } });
    await resumed.received(5);
    now = new Date(now.getTime() + 1_000);
    const live = await createDraft(prisma);
    await publishArticle(services(), live.id);
    await resumed.received(6);
    expect(ids(resumed)).toEqual([...missed, live].map((d) => gid(d.id)));
    expect(resumed.data().map((d) => d.articlePublished.replayed)).toEqual([true, true, true, true, true, false]);
    resumed.dispose();
  });

  it('writes pre-built next frames: byte for byte graphql-ws framing, each socket its own id and selection', async () => {
    const [small, large] = [print(SMALL), print(LARGE)];
    const open = async () => {
      const { ws, messages } = await rawSocket(wsUrl);
      ws.send(JSON.stringify({ type: 'connection_init' }));
      await nextMessage(ws);
      const raw: string[] = [];
      ws.on('message', (m) => raw.push(String(m)));
      return { ws, raw, messages };
    };
    const sockets = [await open(), await open(), await open()];
    const plan = [
      { socket: sockets[0]!, id: 'a-1', query: small },
      { socket: sockets[1]!, id: 'b "quoted" \\ id', query: small },
      { socket: sockets[2]!, id: 'c-1', query: large },
      { socket: sockets[2]!, id: 'c-2', query: small },
    ];
    for (const p of plan)
      p.socket.ws.send(JSON.stringify({ id: p.id, type: 'subscribe', payload: { query: p.query } }));
    await whenSubscriptions(hub(), plan.length);
    const draft = await createDraft(server.app.db.prisma);
    await publishArticle(services(), draft.id);
    const smallPayload = { data: { articlePublished: { articleId: gid(draft.id) } } };
    const largePayload = {
      data: { articlePublished: { articleId: gid(draft.id), article: { slug: draft.slug, headline: draft.headline } } },
    };
    await expect.poll(() => sockets.reduce((n, s) => n + s.raw.length, 0)).toBe(plan.length);
    const frame = (id: string, payload: object) => JSON.stringify({ id, type: 'next', payload });
    expect(sockets[0]!.raw).toEqual([frame('a-1', smallPayload)]);
    expect(sockets[1]!.raw).toEqual([frame('b "quoted" \\ id', smallPayload)]);
    expect([...sockets[2]!.raw].sort()).toEqual([frame('c-1', largePayload), frame('c-2', smallPayload)].sort());
    for (const s of sockets) s.ws.close();
  });

  it('works over GraphQL SSE (graphql-sse client, distinct connections)', async () => {
    const rec = track(subscribeSse(server.url, { query: OVER_SSE }));
    await whenSubscriptions(hub(), 1);
    const draft = await createDraft(server.app.db.prisma);
    await publishArticle(services(), draft.id);
    const [event] = await rec.received(1);
    expect(event!.data).toEqual({ articlePublished: { articleId: gid(draft.id), article: { slug: draft.slug } } });
    const invalid = track(subscribeSse(server.url, { query: 'subscription { articlePublished { nope } }' }));
    const [bad] = await invalid.received(1);
    expect(bad!.errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
    rec.dispose();
    invalid.dispose();
  });

  it('answers invalid documents and arguments with errors, never a crash', async () => {
    const client = track(wsClient(wsUrl));
    const cases: Operation<unknown, any>[] = [
      { query: 'subscription { articlePublished { ' },
      { query: 'subscription { articlePublished { nope } }' },
      { query: PUBLISHED, variables: { after: 'not-a-cursor' } },
      { query: PUBLISHED, variables: { after: formatPrismaCursor({ id: 2_000_000_000 }, 'id') } },
      { query: 'subscription { articleUpdated(id: "U2VjdGlvbjox") { kind } }' },
    ];
    // Either an `error` message for the operation, or a result with errors and then `complete`.
    const errorsOf = async (rec: Recorded) => {
      const ended = (await rec.ended) as { message: string; extensions?: Record<string, unknown> }[] | null;
      return ended ?? rec.results.flatMap((r) => r.errors ?? []);
    };
    for (const operation of cases) {
      const errors = await errorsOf(subscribeWs(client, operation));
      expect(errors.length, JSON.stringify(operation)).toBeGreaterThan(0);
      expect(errors[0]!.message).toBeTruthy();
    }
    const badCursor = await errorsOf(subscribeWs(client, { query: PUBLISHED, variables: { after: 'not-a-cursor' } }));
    expect(badCursor[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
    const unknownCursor = await errorsOf(subscribeWs(client, cases[3]!));
    expect(unknownCursor[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
    const badToken = wsClient(wsUrl, { connectionParams: { authorization: 'Bearer nope' } });
    const refused = await subscribeWs(badToken, { query: PUBLISHED }).ended;
    expect((refused as { code: number }).code).toBe(CloseCode.Forbidden);
    // The server still serves.
    expect(
      (await server.graphql(graphql(`query TestLatestOne { latestArticles(first: 1) { slug } }`))).data?.latestArticles,
    ).toHaveLength(1);
  });

  it('enforces the protocol: close codes 4400, 4401, 4408, 4409, 4429 and 4403 from the auth hook', async () => {
    const expectClose = async (send: (ws: WebSocket) => Promise<void> | void, code: number) => {
      const { ws, closed } = await rawSocket(wsUrl);
      await send(ws);
      expect((await closed).code).toBe(code);
    };
    const init = async (ws: WebSocket, payload?: object) => {
      ws.send(JSON.stringify({ type: 'connection_init', payload }));
      expect(await nextMessage(ws)).toEqual({ type: 'connection_ack' });
    };
    const sub = (id: string) => JSON.stringify({ id, type: 'subscribe', payload: { query: print(PUBLISHED) } });
    await expectClose((ws) => ws.send('{"type":"bogus"}'), CloseCode.BadRequest);
    await expectClose((ws) => ws.send(sub('1')), CloseCode.Unauthorized);
    await expectClose(() => {}, CloseCode.ConnectionInitialisationTimeout);
    await expectClose(async (ws) => {
      await init(ws);
      ws.send(sub('1'));
      ws.send(sub('1'));
    }, CloseCode.SubscriberAlreadyExists);
    await expectClose(async (ws) => {
      await init(ws);
      ws.send(JSON.stringify({ type: 'connection_init' }));
    }, CloseCode.TooManyInitialisationRequests);
    await expectClose(
      (ws) => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer nws_unknown' } })),
      CloseCode.Forbidden,
    );
  });

  it('caps subscriptions per socket', async () => {
    const { ws } = await rawSocket(wsUrl);
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await nextMessage(ws);
    const subscribe = (id: string) =>
      ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: print(PUBLISHED) } }));
    for (const id of ['1', '2', '3']) subscribe(id);
    subscribe('4');
    const message = await nextMessage(ws);
    expect(message).toMatchObject({ id: '4', type: 'error', payload: [{ extensions: { code: 'RATE_LIMITED' } }] });
    // Completing one frees a slot.
    ws.send(JSON.stringify({ id: '1', type: 'complete' }));
    subscribe('5');
    await whenSubscriptions(hub(), 3);
    ws.close();
  });
});

describe('live hub seam (controlled replay)', () => {
  it('delivers events that arrive during the replay after it, without duplicates', async () => {
    const pubsub = createMemoryPubSub();
    let releaseReplay!: (rows: { id: number; publishedAt: Date }[]) => void;
    const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
    const prisma = {
      article: {
        findMany: () => new Promise((resolve) => (releaseReplay = resolve)),
        // The cursor's article (published at t(0)), and each live event's visibility check.
        findFirst: async ({ where }: { where: { id: number } }) => ({ id: where.id, publishedAt: t(0) }),
      },
    } as unknown as PrismaClient;
    const hub = new LiveHub({
      prisma,
      pubsub,
      clock: () => t(10),
      log: silentLogger,
      replayLimit: 2,
      maxBuffered: 100,
    });
    const stream = hub.articlePublished({}, formatPrismaCursor({ id: 1 }, 'id'));
    const publish = (id: number, s: number) =>
      pubsub.publish('article:published', {
        articleId: id,
        publishedAt: t(s).toISOString(),
        sectionSlug: 'x',
        breaking: false,
      });
    await publish(3, 3); // also in the replay: must not repeat
    await publish(4, 4); // only live
    // newest first from the database, limit + 1 rows: a gap
    releaseReplay([
      { id: 3, publishedAt: t(3) },
      { id: 2, publishedAt: t(2) },
      { id: 9, publishedAt: t(1) },
    ]);
    const got: PublishedEvent[] = [];
    for (let i = 0; i < 3; i++) got.push((await stream.next()).value);
    expect(got.map((e) => [e.articleId, e.replayed, e.gap])).toEqual([
      [2, true, true],
      [3, true, false],
      [4, false, false],
    ]);
    await publish(3, 5); // re-published later: a new publication, delivered
    expect((await stream.next()).value.articleId).toBe(3);
    await stream.return();
    expect(hub.stats().published).toBe(0);
  });
});

describe.skipIf(redisSkip)('Redis pub/sub transport', () => {
  it('delivers across connections and recovers from a Redis restart', async () => {
    const redis = await startRedis();
    const a = createRedisPubSub(redis.url);
    const b = createRedisPubSub(redis.url);
    try {
      expect(await a.ready()).toBe(true);
      expect(await b.ready()).toBe(true);
      const received: number[] = [];
      let notify = () => {};
      b.listen('article:updated', (d) => {
        received.push(d.payload.articleId);
        notify();
      });
      const arrival = (n: number) => new Promise<void>((r) => (notify = () => received.length >= n && r()));
      let wait = arrival(1);
      await a.publish('article:updated', { articleId: 1, kind: 'EDITED', at: new Date().toISOString() });
      await wait;
      const down = new Promise<void>((r) => b.onStatus((s) => !s.subscribed && r()));
      await redis.kill();
      await down;
      await expect(a.publish('article:updated', { articleId: 2, kind: 'EDITED', at: '' })).rejects.toThrow();
      await redis.restart();
      await b.ready(10_000);
      wait = arrival(2);
      await a.publish('article:updated', { articleId: 3, kind: 'EDITED', at: '' });
      await wait;
      expect(received).toEqual([1, 3]);
    } finally {
      await a.close();
      await b.close();
      await redis.stop();
    }
  });
});

describe('direct frame writes (frames.ts)', () => {
  /** A socket whose writes complete only when `flush()` says so, as for a consumer that stopped reading. */
  function fakeSocket(slow: boolean) {
    const frames: string[] = [];
    const pending: (() => void)[] = [];
    const socket: FrameSocket & { frames: string[]; flush(): void } = {
      readyState: 1,
      get bufferedAmount() {
        return slow ? pending.length + (frames.length > 0 ? 1 : 0) : 0;
      },
      send(data, _options, cb) {
        frames.push(data);
        if (cb) pending.push(() => cb());
      },
      frames,
      flush() {
        slow = false;
        for (const done of pending.splice(0)) done();
      },
    };
    return socket;
  }

  it('writes shared results once serialised, holds a slow socket without stalling others, hands errors to graphql-ws', async () => {
    const fastStream = new LiveStream<object>(3);
    const slowStream = new LiveStream<object>(3);
    const fast = fakeSocket(false);
    const slow = fakeSocket(true);
    const fastIt = writeNextFrames(fastStream, fast, 'f');
    const slowIt = writeNextFrames(slowStream, slow, 's');
    const fastNext = fastIt.next();
    const slowNext = slowIt.next();
    const results = Array.from({ length: 6 }, (_, i) => ({ data: { n: i } }));
    for (const r of results) {
      fastStream.push(r);
      slowStream.push(r);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The fast socket got every frame; the slow one got two (the second one's write is still pending)
    // and the rest wait in its stream, which drops it past its limit of 3.
    expect(fast.frames).toEqual(results.map((r) => JSON.stringify({ id: 'f', type: 'next', payload: r })));
    expect(slow.frames).toEqual(results.slice(0, 2).map((r) => JSON.stringify({ id: 's', type: 'next', payload: r })));
    slow.flush();
    await expect(slowNext).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    expect(slow.frames).toHaveLength(5);
    // A result with errors is not written here: graphql-ws formats it.
    const failed = { data: null, errors: [new Error('x')] };
    fastStream.push(failed);
    expect(await fastNext).toEqual({ value: failed, done: false });
    expect(fast.frames).toHaveLength(6);
    await fastIt.return!();
    expect(fastStream.ended).toBe(true);
  });
});
