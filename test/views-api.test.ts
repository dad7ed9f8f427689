// View counting over real HTTP on each database with the in-process store: the recordView
// mutation, the POST /views/:id beacon, validation and errors, bots, de-duplication, Article.viewCount
// before and after the flush, no SQL per view, shutdown flushing, and rankings and totals coming back
// after a restart (rebuilt from the hourly history table).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResultOf, TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import type { Config } from '../src/config.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { graphql } from './generated/index.ts';
import { backends, testConfig } from './harness/server.ts';
import { silentLogger } from '../src/platform/logger.ts';

const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const RECORD = graphql(`
  mutation TestViewsRecord($a: ID!, $v: String!) { recordView(articleId: $a, visitorId: $v) { status counted articleId } }
`);
const VIEW_COUNT = graphql(`
  query TestViewCount($id: ID!) { article(id: $id) { viewCount } }
`);
const MOST_VIEWED_PAGE = graphql(`
  query TestMostViewedPage { mostViewed(window: DAY, first: 5) { rank views article { headline section { name } reporters { name } } } }
`);
const MOST_VIEWED_IN_SECTION = graphql(`
  query TestMostViewedInSection($s: String) { mostViewed(window: HOUR, section: $s) { rank views previousRank article { id section { slug } } } }
`);
const MOST_VIEWED_IDS = graphql(`
  query TestMostViewedIds($window: RankingWindow) { mostViewed(window: $window) { rank views article { id } } }
`);
const VIEW_COUNT_CHANGED = graphql(`
  subscription TestViewCountChanged($id: ID!) { viewCountChanged(id: $id) { articleId viewCount } }
`);
const MOST_VIEWED_CHANGED = graphql(`
  subscription TestMostViewedChanged { mostViewedChanged(window: HOUR, first: 3) { rank views article { id } } }
`);
const NOW = Date.parse('2026-03-02T09:30:00Z');

describe.each(backends())('view counting over HTTP on %s', (backend) => {
  let app: App;
  let base: string;
  let config: Config;
  let pgliteDir: string | undefined;
  const statements: string[] = [];
  let published: { id: number; gid: string; viewCount: number }[];
  let draftGid: string;

  async function start() {
    app = await buildApp(config, {
      logger: silentLogger,
      clock: () => new Date(NOW),
      onQuery: (sql) => statements.push(sql),
    });
    base = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}`;
  }

  const gql = async <TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    ua: string | null = BROWSER,
  ) => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(ua != null ? { 'user-agent': ua } : {}) },
      body: JSON.stringify({ query: print(document), variables }),
    });
    return (await res.json()) as { data?: TData; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  };
  /** Edge and malformed requests, sent as written. */
  const gqlText = (query: string) =>
    gql(parse(query) as TypedDocumentNode<{ mostViewed: { rank: number }[] }, Record<string, never>>);
  const beacon = (id: string | number, init: RequestInit & { query?: string } = {}) =>
    fetch(`${base}/views/${encodeURIComponent(String(id))}${init.query ?? ''}`, {
      method: 'POST',
      ...init,
      headers: { 'user-agent': BROWSER, ...(init.headers as object) },
    });
  const viewCount = async (gid: string) => (await gql(VIEW_COUNT, { id: gid })).data!.article!.viewCount;

  beforeAll(async () => {
    pgliteDir = backend === 'pglite' ? mkdtempSync(path.join(os.tmpdir(), 'newsroom-views-')) : undefined;
    config = await testConfig(backend, {
      ...(pgliteDir ? { PGLITE_DIR: pgliteDir } : {}),
      VIEWS_FLUSH_MS: '0',
      VIEWS_RANKING_CACHE_MS: '0',
      PUBLISH_SCHEDULER_MS: '0',
      CDN_PURGE_POLL_MS: '0',
    });
    await start();
    const rows = await app.db.prisma.article.findMany({
      where: { status: 'PUBLISHED', deletedAt: null, publishedAt: { lte: new Date(NOW) } },
      orderBy: { id: 'asc' },
      take: 5,
      select: { id: true, viewCount: true },
    });
    published = rows.map((r) => ({ id: r.id, gid: encodeGlobalId('Article', r.id), viewCount: r.viewCount }));
    const draft = await app.db.prisma.article.findFirstOrThrow({ where: { status: 'DRAFT' }, select: { id: true } });
    draftGid = encodeGlobalId('Article', draft.id);
  });

  afterAll(async () => {
    await app?.stop();
    if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
  });

  it('recordView counts a view once per visitor within 30 minutes, and not for bots', async () => {
    const [a] = published;
    const first = await gql(RECORD, { a: a!.gid, v: 'reader-0001' });
    expect(first).toEqual({ data: { recordView: { status: 'COUNTED', counted: true, articleId: a!.gid } } });
    expect((await gql(RECORD, { a: a!.gid, v: 'reader-0001' })).data?.recordView.status).toBe('DUPLICATE');
    expect((await gql(RECORD, { a: a!.gid, v: 'reader-0002' })).data?.recordView.status).toBe('COUNTED');
    expect(
      (
        await gql(
          RECORD,
          { a: a!.gid, v: 'reader-0003' },
          'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
        )
      ).data?.recordView.status,
    ).toBe('BOT');
    expect(
      (await gql(RECORD, { a: a!.gid, v: 'reader-0004' }, 'facebookexternalhit/1.1')).data?.recordView.status,
    ).toBe('BOT');
    expect((await gql(RECORD, { a: a!.gid, v: 'reader-0005' }, '')).data?.recordView.status).toBe('BOT'); // an empty user agent (Node's fetch would send "node": an app client)
    expect(await viewCount(a!.gid)).toBe(a!.viewCount + 2);
  });

  it('refuses unknown, unpublished and malformed articles and bad visitor ids, counting nothing', async () => {
    const before = await app.services.views.store.pendingTotals(published.map((p) => p.id));
    const unknown = await gql(RECORD, { a: encodeGlobalId('Article', 987654), v: 'reader-0001' });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', argumentName: 'articleId' });
    expect((await gql(RECORD, { a: draftGid, v: 'reader-0001' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(
      (await gql(RECORD, { a: encodeGlobalId('Section', 1), v: 'reader-0001' })).errors?.[0]?.extensions?.code,
    ).toBe('NOT_FOUND');
    expect((await gql(RECORD, { a: 'not-an-id', v: 'reader-0001' })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'articleId',
    });
    expect((await gql(RECORD, { a: published[0]!.gid, v: 'x' })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'visitorId',
    });
    expect((await beacon(draftGid, { query: '?v=reader-0001' })).status).toBe(404);
    expect(await app.services.views.store.pendingTotals(published.map((p) => p.id))).toEqual(before);
  });

  it('the beacon answers 204 and takes the visitor from the query, the body or the cookie', async () => {
    const b = published[1]!;
    const byQuery = await beacon(b.gid, { query: '?v=beacon-0001' });
    expect(byQuery.status).toBe(204);
    expect(byQuery.headers.get('x-view-status')).toBe('COUNTED');
    expect(await byQuery.text()).toBe('');
    // Numeric ids work too; the same visitor in a text/plain body is a duplicate.
    const byBody = await beacon(b.id, { body: 'beacon-0001', headers: { 'content-type': 'text/plain' } });
    expect([byBody.status, byBody.headers.get('x-view-status')]).toEqual([204, 'DUPLICATE']);
    const byJson = await beacon(b.gid, {
      body: JSON.stringify({ visitorId: 'beacon-0002' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(byJson.headers.get('x-view-status')).toBe('COUNTED');
    const byCookie = await beacon(b.gid, { headers: { cookie: 'other=1; nvid=beacon-0003' } });
    expect(byCookie.headers.get('x-view-status')).toBe('COUNTED');
    const bot = await beacon(b.gid, { query: '?v=beacon-0004', headers: { 'user-agent': 'curl/8.5.0' } });
    expect([bot.status, bot.headers.get('x-view-status')]).toEqual([204, 'BOT']);
    expect(await viewCount(b.gid)).toBe(b.viewCount + 3);
  });

  it('the beacon rejects what it cannot count with a clear status', async () => {
    const notFound = await beacon(encodeGlobalId('Article', 987654), { query: '?v=beacon-0001' });
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ error: 'NOT_FOUND' });
    expect((await beacon('nonsense', { query: '?v=beacon-0001' })).status).toBe(400);
    expect((await beacon(published[0]!.id, { query: '?v=bad id' })).status).toBe(400);
    expect((await fetch(`${base}/views/${published[0]!.id}`)).status).toBe(405);
    expect(
      (await beacon(published[0]!.id, { body: 'x'.repeat(5000), headers: { 'content-type': 'text/plain' } })).status,
    ).toBe(413);
    const preflight = await fetch(`${base}/views/${published[0]!.id}`, { method: 'OPTIONS' });
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, '*']);
  });

  it('runs no SQL for a view of a cached article, and one statement for a cached ranking', async () => {
    const c = published[2]!;
    await gql(RECORD, { a: c.gid, v: 'sql-00000' });
    statements.length = 0;
    for (let i = 1; i <= 20; i++)
      expect((await gql(RECORD, { a: c.gid, v: `sql-${String(i).padStart(5, '0')}` })).data?.recordView.status).toBe(
        'COUNTED',
      );
    for (let i = 21; i <= 40; i++)
      expect((await beacon(c.id, { query: `?v=sql-${String(i).padStart(5, '0')}` })).status).toBe(204);
    expect(statements).toEqual([]);
    await app.services.views.rankings.mostViewed('DAY', null);
    const cached = await app.services.views.rankings.compute('DAY', null);
    expect(cached.entries.length).toBeGreaterThan(0);
    statements.length = 0;
    const res = await gql(MOST_VIEWED_PAGE);
    expect(res.errors).toBeUndefined();
    // Uncached here (VIEWS_RANKING_CACHE_MS=0): candidates' visibility for this and the previous window, then the articles.
    expect(statements.length).toBeLessThanOrEqual(3);
  });

  it('mostViewed validates its arguments and knows sections', async () => {
    expect((await gqlText(`{ mostViewed(first: 101) { rank } }`)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await gqlText(`{ mostViewed(section: "no-such-section") { rank } }`)).data?.mostViewed).toEqual([]);
    const sectionOf = await app.db.prisma.article.findUniqueOrThrow({
      where: { id: published[2]!.id },
      select: { section: { select: { slug: true } } },
    });
    const inSection = await gql(MOST_VIEWED_IN_SECTION, { s: sectionOf.section.slug });
    expect(inSection.data?.mostViewed[0]).toEqual({
      rank: 1,
      views: 41,
      previousRank: null,
      article: { id: published[2]!.gid, section: { slug: sectionOf.section.slug } },
    });
    for (const e of inSection.data!.mostViewed) expect(e.article.section.slug).toBe(sectionOf.section.slug);
  });

  it('viewCountChanged and mostViewedChanged fire on change only, over WebSocket', async () => {
    const { countWatcher, rankingWatcher } = app.services.views;
    const client = createClient({
      url: `${base.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const a = published[3]!;
    const counts = client.iterate<ResultOf<typeof VIEW_COUNT_CHANGED>>({
      query: print(VIEW_COUNT_CHANGED),
      variables: { id: a.gid },
    });
    const ranks = client.iterate<ResultOf<typeof MOST_VIEWED_CHANGED>>({ query: print(MOST_VIEWED_CHANGED) });
    const nextCount = counts.next();
    const nextRanks = ranks.next();
    // Registered once the server has both watches; then a first look sets the baseline.
    while (countWatcher.size < 1 || rankingWatcher.size < 1) await new Promise((r) => setImmediate(r));
    // The test looks by hand: no timer look may fall between the baseline and the 60 views below.
    countWatcher.stop();
    rankingWatcher.stop();
    await Promise.all([countWatcher.tick(), rankingWatcher.tick()]);
    const before = await viewCount(a.gid);
    // 60 views put this article on top of the HOUR ranking: one count event, one ranking event.
    for (let i = 0; i < 60; i++) await gql(RECORD, { a: a.gid, v: `live-${String(i).padStart(5, '0')}` });
    await Promise.all([countWatcher.tick(), rankingWatcher.tick()]);
    expect((await nextCount).value).toEqual({
      data: { viewCountChanged: { articleId: a.gid, viewCount: before + 60 } },
    });
    const ranking = (await nextRanks).value;
    expect(ranking?.data?.mostViewedChanged[0]).toEqual({ rank: 1, views: 60, article: { id: a.gid } });
    await counts.return?.();
    await ranks.return?.();
    await client.dispose();
    while (countWatcher.size + rankingWatcher.size > 0) await new Promise((r) => setImmediate(r));
    const unknown = createClient({
      url: `${base.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const bad = await unknown
      .iterate({ query: print(VIEW_COUNT_CHANGED), variables: { id: draftGid } })
      .next()
      .catch((e: unknown) => e);
    expect(JSON.stringify(bad)).toContain('NOT_FOUND');
    await unknown.dispose();
  });

  it('flushes on shutdown; after a restart totals and rankings come back from PostgreSQL', async () => {
    const expected = await Promise.all(published.map((p) => viewCount(p.gid)));
    const rankingBefore = (await gql(MOST_VIEWED_IDS, { window: 'DAY' })).data!.mostViewed;
    expect(rankingBefore.length).toBeGreaterThan(0);
    await app.stop();
    await start();
    expect(await Promise.all(published.map((p) => viewCount(p.gid)))).toEqual(expected);
    const rows = await app.db.prisma.article.findMany({
      where: { id: { in: published.map((p) => p.id) } },
      orderBy: { id: 'asc' },
      select: { viewCount: true },
    });
    expect(rows.map((r) => r.viewCount)).toEqual(expected);
    // DAY is kept at hourly resolution, so the rebuilt ranking is the same.
    expect((await gql(MOST_VIEWED_IDS, { window: 'DAY' })).data?.mostViewed).toEqual(rankingBefore);
  });
});
