// View counting and rankings against an exact computation: a generated log of 200,000 views over a
// simulated 8 days (injectable clock, nothing sleeps), on the in-process store with PGlite and on
// Redis with PostgreSQL. At three instants every window's top 20, overall and per section, with
// previousRank, must equal the exact ranking from the log; totals must be exact before and after the
// write-behind flush; uniqueViewers within 2 %.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import type { ViewOutcome } from '../src/views/counter.ts';
import { graphql } from './generated/index.ts';
import type { TestViewTotalsQuery } from './generated/graphql.ts';
import { redisSkipReason, type RedisServer, startRedis } from './harness/redis.ts';
import { testConfig } from './harness/server.ts';
import { silentLogger } from '../src/platform/logger.ts';

const RANKING = graphql(`
  query TestExactRanking($w: RankingWindow!, $s: String) {
    mostViewed(window: $w, section: $s, first: 20) { rank views previousRank article { id } }
  }
`);
const TOTALS = graphql(`
  query TestViewTotals($ids: [ID!]!) { nodes(ids: $ids) { ... on Article { id viewCount } } }
`);
type ArticleTotal = Extract<NonNullable<TestViewTotalsQuery['nodes'][number]>, { viewCount: number }>;
const UNIQUES = graphql(`
  query TestUniqueViewers($w: RankingWindow!) { mostViewed(window: $w, first: 10) { article { id uniqueViewers(window: $w) } } }
`);
const WEEK_TOP = graphql(`query TestWeekTop { mostViewed(window: WEEK, first: 20) { article { id } } }`);

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const START = Date.parse('2026-01-05T00:00:00Z');
const DAYS = 8;
const VIEWS = 200_000;
const DEDUP = 30 * MIN;
const WINDOWS = ['HOUR', 'DAY', 'WEEK', 'MONTH'] as const;
type Window = (typeof WINDOWS)[number];
const RANK: Record<Window, [number, number]> = {
  HOUR: [5 * MIN, 12],
  DAY: [HOUR, 24],
  WEEK: [HOUR, 168],
  MONTH: [HOUR, 720],
};
const UNIQUE: Record<Window, [number, number]> = {
  HOUR: [5 * MIN, 12],
  DAY: [HOUR, 24],
  WEEK: [DAY, 7],
  MONTH: [DAY, 30],
};
const BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const BOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

interface ArticleInfo {
  id: number;
  sectionId: number;
  visible: boolean;
}
interface View {
  at: number;
  articleId: number;
  visitor: string;
  ua: string;
}
interface Counted {
  at: number;
  articleId: number;
  sectionId: number;
  visitor: string;
}

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Views in time order: skewed article and visitor popularity that drifts by day, re-views, bots. */
function generateLog(articles: ArticleInfo[], seed = 20260105): View[] {
  const rnd = mulberry32(seed);
  const times = Array.from({ length: VIEWS }, () => START + Math.floor(rnd() * DAYS * DAY)).sort((a, b) => a - b);
  const visitors = 40_000;
  const log: View[] = [];
  for (const at of times) {
    const day = Math.floor((at - START) / DAY);
    if (log.length > 0 && rnd() < 0.08) {
      // The same visitor and article again, usually within the de-duplication window.
      const earlier = log[log.length - 1 - Math.floor(rnd() * Math.min(log.length, 3000))]!;
      log.push({ ...earlier, at });
      continue;
    }
    const rank = Math.floor(articles.length * rnd() ** 2.2);
    const article = articles[(rank + day * 17) % articles.length]!;
    const visitor = `visitor-${Math.floor(visitors * rnd() ** 1.4)
      .toString(36)
      .padStart(6, '0')}`;
    log.push({ at, articleId: article.id, visitor, ua: rnd() < 0.02 ? BOT : BROWSER });
  }
  return log;
}

/** The outcome each view must get, and the counted views. */
function expectedOutcomes(
  log: View[],
  articles: Map<number, ArticleInfo>,
): { outcomes: ViewOutcome[]; counted: Counted[] } {
  const last = new Map<string, number>();
  const outcomes: ViewOutcome[] = [];
  const counted: Counted[] = [];
  for (const v of log) {
    const a = articles.get(v.articleId)!;
    if (!a.visible) outcomes.push('NOT_FOUND');
    else if (v.ua === BOT) outcomes.push('BOT');
    else {
      const key = `${v.articleId}:${v.visitor}`;
      const prev = last.get(key);
      if (prev !== undefined && v.at - prev < DEDUP) outcomes.push('DUPLICATE');
      else {
        last.set(key, v.at);
        outcomes.push('COUNTED');
        counted.push({ at: v.at, articleId: v.articleId, sectionId: a.sectionId, visitor: v.visitor });
      }
    }
  }
  return { outcomes, counted };
}

function inWindow(at: number, now: number, [size, count]: [number, number], back = 0): boolean {
  const b = Math.floor(at / size);
  const last = Math.floor(now / size) - back * count;
  return b > last - count && b <= last;
}

interface Entry {
  rank: number;
  articleId: number;
  views: number;
  previousRank: number | null;
}

function exactRanking(
  counted: Counted[],
  now: number,
  window: Window,
  sectionId: number | null,
  visible: (id: number) => boolean,
): Entry[] {
  const rank = (back: number) => {
    const sums = new Map<number, number>();
    for (const c of counted) {
      if (c.at > now || (sectionId != null && c.sectionId !== sectionId) || !inWindow(c.at, now, RANK[window], back))
        continue;
      sums.set(c.articleId, (sums.get(c.articleId) ?? 0) + 1);
    }
    return [...sums]
      .filter(([id]) => visible(id))
      .map(([articleId, views]) => ({ articleId, views }))
      .sort((a, b) => b.views - a.views || b.articleId - a.articleId);
  };
  const previous = new Map(
    rank(1)
      .slice(0, 100)
      .map((r, i) => [r.articleId, i + 1]),
  );
  return rank(0)
    .slice(0, 20)
    .map((r, i) => ({
      rank: i + 1,
      articleId: r.articleId,
      views: r.views,
      previousRank: previous.get(r.articleId) ?? null,
    }));
}

function exactUniques(counted: Counted[], now: number, window: Window, articleId: number): number {
  const seen = new Set<string>();
  for (const c of counted)
    if (c.articleId === articleId && c.at <= now && inWindow(c.at, now, UNIQUE[window])) seen.add(c.visitor);
  return seen.size;
}

type Setup = { name: string; backend: 'pglite' | 'postgres'; redis: boolean };

function setups(): Setup[] {
  const out: Setup[] = [{ name: 'in-process store on PGlite', backend: 'pglite', redis: false }];
  const redisSkip = redisSkipReason();
  const pgSkip = inject('postgresSkip');
  if (!redisSkip && !pgSkip) out.push({ name: 'Redis store on PostgreSQL', backend: 'postgres', redis: true });
  else console.warn(`Redis/PostgreSQL view-count correctness skipped: ${redisSkip ?? pgSkip}`);
  return out;
}

describe.each(setups())('view counts and rankings from a 200,000-view log: $name', ({ backend, redis: useRedis }) => {
  let app: App;
  let redis: RedisServer | undefined;
  let url: string;
  let now = START;
  let articles: Map<number, ArticleInfo>;
  let sections: { id: number; slug: string }[];
  let baseCounts: Map<number, number>;
  let log: View[];
  let expected: { outcomes: ViewOutcome[]; counted: Counted[] };
  let visibleNow: (id: number) => boolean;

  const gql = async <TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables) => {
    const post = () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': BROWSER },
        body: JSON.stringify({ query: print(document), variables }),
      });
    // Reads only: a kept-alive socket the server closed while idle (after a long step) is retried once.
    const res = await post().catch((error: { cause?: { code?: string } }) => {
      if (error.cause?.code === 'ECONNRESET') return post();
      throw error;
    });
    const body = (await res.json()) as { data?: TData; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data!;
  };

  beforeAll(async () => {
    if (useRedis) redis = await startRedis();
    const config = await testConfig(backend, {
      ...(redis ? { REDIS_URL: redis.url } : {}),
      VIEWS_FLUSH_MS: '0',
      VIEWS_RANKING_CACHE_MS: '0',
      PUBLISH_SCHEDULER_MS: '0',
      // The article directory expires on this simulated clock: a day (the longest allowed) keeps its
      // reloads to one per simulated day instead of one per 10 simulated minutes (seconds apart here).
      VIEWS_ARTICLE_CACHE_MS: String(DAY),
    });
    app = await buildApp(config, { logger: silentLogger, clock: () => new Date(now) });
    url = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}/graphql`;
    const rows = await app.db.prisma.article.findMany({
      select: { id: true, sectionId: true, status: true, publishedAt: true, deletedAt: true, viewCount: true },
    });
    articles = new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          sectionId: r.sectionId,
          visible:
            r.status === 'PUBLISHED' &&
            r.deletedAt == null &&
            r.publishedAt != null &&
            r.publishedAt.getTime() <= START,
        },
      ]),
    );
    baseCounts = new Map(rows.map((r) => [r.id, r.viewCount]));
    sections = await app.db.prisma.section.findMany({ select: { id: true, slug: true } });
    log = generateLog([...articles.values()].sort((a, b) => a.id - b.id));
    expected = expectedOutcomes(log, articles);
    visibleNow = (id) => articles.get(id)!.visible;
  });

  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
  });

  /**
   * Records the log's views up to `until` in order, at most 1,000 and 10 simulated minutes in flight at
   * a time. The article directory expires on this clock (once a simulated day here), and a view waiting
   * for its reload is overtaken by later views of cached articles: the span in flight stays well inside
   * the 30-minute de-duplication window, as the seconds a real reload takes do.
   */
  let next = 0;
  const outcomes: ViewOutcome[] = [];
  async function recordUntil(until: number) {
    const { counter } = app.services.views;
    while (next < log.length && log[next]!.at <= until) {
      const chunk: Promise<ViewOutcome>[] = [];
      const spanEnd = log[next]!.at + 10 * MIN;
      while (next < log.length && log[next]!.at <= until && log[next]!.at < spanEnd && chunk.length < 1000) {
        const v = log[next++]!;
        now = v.at; // read synchronously when the view is recorded
        chunk.push(counter.record(v.articleId, v.visitor, { userAgent: v.ua, address: null }));
      }
      outcomes.push(...(await Promise.all(chunk)));
    }
    now = until;
  }

  async function checkRankings(at: number) {
    for (const window of WINDOWS) {
      for (const section of [null, ...sections]) {
        const data = await gql(RANKING, { w: window, s: section?.slug ?? null });
        const want = exactRanking(expected.counted, at, window, section?.id ?? null, visibleNow).map((e) => ({
          rank: e.rank,
          views: e.views,
          previousRank: e.previousRank,
          article: { id: encodeGlobalId('Article', e.articleId) },
        }));
        expect(data.mostViewed, `${window} ${section?.slug ?? 'overall'} at ${new Date(at).toISOString()}`).toEqual(
          want,
        );
      }
    }
  }

  it('gives every view the outcome the log says (counted, duplicate within 30 minutes, bot, unpublished)', async () => {
    const total = log.length;
    await recordUntil(START + 2 * DAY + 7 * HOUR + 23 * MIN);
    expect(outcomes).toEqual(expected.outcomes.slice(0, outcomes.length));
    expect(outcomes.length).toBeLessThan(total);
    const kinds = new Set(expected.outcomes);
    expect([...kinds].sort()).toEqual(['BOT', 'COUNTED', 'DUPLICATE', 'NOT_FOUND']);
  });

  it('ranks every window, overall and per section, exactly as the log does (after 2 days)', async () => {
    await checkRankings(now);
  });

  it('ranks exactly after 5 days, with previousRank from the previous window', async () => {
    await recordUntil(START + 5 * DAY + 13 * HOUR + 41 * MIN);
    await checkRankings(now);
  });

  it('ranks exactly at the end of the 8 days; totals are exact; uniques within 2%', async () => {
    await recordUntil(START + DAYS * DAY);
    expect(outcomes).toEqual(expected.outcomes);
    await checkRankings(now);

    const perArticle = new Map<number, number>();
    for (const c of expected.counted) perArticle.set(c.articleId, (perArticle.get(c.articleId) ?? 0) + 1);
    const ids = [...articles.values()].filter((a) => a.visible).map((a) => encodeGlobalId('Article', a.id));
    const nodes: ArticleTotal[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const data = await gql(TOTALS, { ids: ids.slice(i, i + 100) });
      // Every id is a visible article's: the length and each total are asserted below.
      nodes.push(...(data.nodes as ArticleTotal[]));
    }
    expect(nodes).toHaveLength(ids.length);
    for (const node of nodes) {
      const id = Number(Buffer.from(node.id, 'base64').toString().split(':')[1]);
      expect(node.viewCount, `article ${id} live total`).toBe(baseCounts.get(id)! + (perArticle.get(id) ?? 0));
    }

    for (const window of WINDOWS) {
      const top = await gql(UNIQUES, { w: window });
      for (const { article } of top.mostViewed) {
        const id = Number(Buffer.from(article.id, 'base64').toString().split(':')[1]);
        const exact = exactUniques(expected.counted, now, window, id);
        expect(
          Math.abs(article.uniqueViewers! - exact),
          `${window} uniques of ${id}: ${article.uniqueViewers} vs ${exact}`,
        ).toBeLessThanOrEqual(Math.max(1, exact * 0.02));
      }
    }
  });

  it('flushes to PostgreSQL exactly: Article.viewCount and the hourly history equal the log', async () => {
    const report = await app.services.views.flusher.flush();
    expect(report.views).toBe(expected.counted.length);
    const rows = await app.db.prisma.article.findMany({ select: { id: true, viewCount: true } });
    const perArticle = new Map<number, number>();
    for (const c of expected.counted) perArticle.set(c.articleId, (perArticle.get(c.articleId) ?? 0) + 1);
    for (const r of rows)
      expect(r.viewCount, `article ${r.id}`).toBe(baseCounts.get(r.id)! + (perArticle.get(r.id) ?? 0));
    const hours = await app.db.prisma.articleViewHour.aggregate({ _sum: { views: true }, _count: true });
    expect(hours._sum.views).toBe(expected.counted.length);
    // Nothing pending: the live total is the flushed one.
    expect(await app.services.views.store.pendingTotals([...perArticle.keys()])).toEqual(
      [...perArticle.keys()].map(() => 0),
    );
    // A second flush finds nothing to do.
    expect((await app.services.views.flusher.flush()).views).toBe(0);
  });

  it('drops an article from every ranking as soon as it is unpublished', async () => {
    const before = await gql(WEEK_TOP, {});
    const topId = Number(Buffer.from(before.mostViewed[0]!.article.id, 'base64').toString().split(':')[1]);
    await app.db.prisma.article.update({ where: { id: topId }, data: { status: 'DRAFT' } });
    articles.get(topId)!.visible = false;
    await checkRankings(now);
    const after = await gql(WEEK_TOP, {});
    expect(after.mostViewed.map((e) => e.article.id)).not.toContain(before.mostViewed[0]!.article.id);
  });
});
