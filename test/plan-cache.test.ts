// The query plan cache (src/db/plan-cache.ts): which values of a request are data, how a shape's plan
// is learnt and trusted, and, over HTTP on both databases, that repeated pages are served from it with
// every plan identical to the compiler's own (the suite runs in `verify` mode).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachingCompiler, planCacheOptions, planCacheStats, shapeOf } from '../src/db/plan-cache.ts';
import { createApiToken } from '../src/auth/tokens.ts';
import { rawRowStats } from '../src/db/raw-rows.ts';
import { graphql } from './generated/index.ts';
import { backends, startTestServer, type TestServer } from './harness/server.ts';

describe('request shapes', () => {
  it('takes strings, integers and DateTimes in filters as data, and keeps the rest in the shape', () => {
    const request = {
      modelName: 'Article',
      action: 'findMany',
      query: {
        arguments: {
          where: {
            slug: 'seoul',
            id: { in: [1, 2] },
            status: 'PUBLISHED',
            deletedAt: null,
            breaking: false,
            headline: { contains: 'x', mode: 'insensitive' },
            OR: [{ publishedAt: { lte: { $type: 'DateTime', value: '2026-01-02T03:04:05.000Z' } } }, { id: 7 }],
          },
          cursor: { id: 42 },
          take: 20,
          orderBy: [{ publishedAt: 'desc' }],
        },
        selection: { id: true, reporters: { arguments: { where: { position: 1 } }, selection: { name: true } } },
      },
    };
    const { marked, values } = shapeOf(request);
    expect(values).toEqual(['seoul', 1, 2, 'x', '2026-01-02T03:04:05.000Z', 7, 42, 1]);
    const shape = JSON.parse(marked);
    expect(shape.query.arguments).toEqual({
      where: {
        slug: '__plan_slot_0__',
        id: { in: [900000001, 900000002] },
        status: 'PUBLISHED',
        deletedAt: null,
        breaking: false,
        headline: { contains: '__plan_slot_3__', mode: 'insensitive' },
        OR: [{ publishedAt: { lte: { $type: 'DateTime', value: '2222-02-02T03:04:09.000Z' } } }, { id: 900000005 }],
      },
      cursor: { id: 900000006 },
      take: 20,
      orderBy: [{ publishedAt: 'desc' }],
    });
    expect(shape.query.selection.reporters.arguments.where).toEqual({ position: 900000007 });
    // Another slug and time, the same shape.
    const other = structuredClone(request);
    other.query.arguments.where.slug = 'busan';
    other.query.arguments.where.id.in = [8, 9];
    other.query.arguments.where.OR[0]!.publishedAt!.lte.value = '2027-01-01T00:00:00.000Z';
    expect(shapeOf(other).marked).toBe(marked);
    // A list of another length is another shape (one statement parameter per value).
    other.query.arguments.where.id.in = [8];
    expect(shapeOf(other).marked).not.toBe(marked);
  });

  it("takes raw SQL's parameters as data, and keeps the SQL text and the parameters' kinds in the shape", () => {
    const raw = (parameters: unknown[]) => ({
      action: 'queryRaw',
      query: {
        arguments: { query: 'SELECT $1, $2, $3, $4, $5', parameters: JSON.stringify(parameters) },
        selection: {},
      },
    });
    const date = (iso: string) => ({ prisma__type: 'date', prisma__value: iso });
    const bigint = { prisma__type: 'bigint', prisma__value: '9007199254740993' };
    const request = raw(['2026-01-02T03:04:05.000Z', ['서울', '경제'], 7, date('2026-01-02T03:04:05.000Z'), bigint]);
    const { marked, values } = shapeOf(request);
    expect(values).toEqual(['2026-01-02T03:04:05.000Z', '서울', '경제', 7, '2026-01-02T03:04:05.000Z']);
    expect(JSON.parse(JSON.parse(marked).query.arguments.parameters)).toEqual([
      '__plan_slot_0__',
      ['__plan_slot_1__', '__plan_slot_2__'],
      900000003,
      date('2222-02-02T03:04:09.000Z'),
      bigint,
    ]);
    expect(shapeOf(raw(['x', ['a', 'b'], 8, date('2027-01-01T00:00:00.000Z'), bigint])).marked).toBe(marked);
    expect(shapeOf(raw(['x', ['a'], 8, date('2027-01-01T00:00:00.000Z'), bigint])).marked).not.toBe(marked);
    expect(shapeOf(raw(['x', ['a', 'b'], 8, date('2027-01-01T00:00:00.000Z'), null])).marked).not.toBe(marked);
  });
});

describe('learning and trusting a plan', () => {
  // A stand-in for the WASM compiler: plans of the same form as Prisma's (SQL fragments and args).
  const compiled: string[] = [];
  class FakeCompiler {
    compile(request: string) {
      compiled.push(request);
      const where = JSON.parse(request).query.arguments.where;
      if (where.headline) return { sql: 'headline LIKE $1', args: [`%${where.headline.contains}%`] };
      if (where.id === 13) return { sql: 'unlucky', args: [] };
      return { sql: 'slug = $1 AND id = $2', args: [where.slug, String(where.id)] };
    }
  }
  const Caching = cachingCompiler(FakeCompiler as never) as unknown as typeof FakeCompiler;
  const request = (where: object) =>
    JSON.stringify({ modelName: 'Article', action: 'findFirst', query: { arguments: { where }, selection: {} } });
  afterAll(() => planCacheOptions('verify'));

  it('compiles a shape twice (as sent, and with markers), then serves it with new values without compiling', () => {
    planCacheOptions('on');
    const compiler = new Caching();
    compiled.length = 0;
    const before = { ...planCacheStats };
    expect(compiler.compile(request({ slug: 'a', id: 1 }))).toEqual({ sql: 'slug = $1 AND id = $2', args: ['a', '1'] });
    expect(compiled).toHaveLength(2);
    expect(compiler.compile(request({ slug: 'b', id: 2 }))).toEqual({ sql: 'slug = $1 AND id = $2', args: ['b', '2'] });
    expect(compiled).toHaveLength(2);
    expect(planCacheStats.hits - before.hits).toBe(1);
    expect(planCacheStats.misses - before.misses).toBe(1);
  });

  it('compiles every time a shape whose values the compiler rewrites', () => {
    planCacheOptions('on');
    const compiler = new Caching();
    const before = planCacheStats.literal;
    expect(compiler.compile(request({ headline: { contains: 'a' } }))).toEqual({
      sql: 'headline LIKE $1',
      args: ['%a%'],
    });
    expect(compiler.compile(request({ headline: { contains: 'b' } }))).toEqual({
      sql: 'headline LIKE $1',
      args: ['%b%'],
    });
    expect(planCacheStats.literal - before).toBe(1);
  });

  it('compiles a request with an in-list longer than 100 as it is, once', () => {
    planCacheOptions('on');
    const compiler = new Caching();
    compiled.length = 0;
    const ids = Array.from({ length: 101 }, (_, i) => i);
    compiler.compile(request({ slug: 'a', id: 1, tags: { in: ids } }));
    compiler.compile(request({ slug: 'b', id: 2, tags: { in: ids } }));
    expect(compiled).toHaveLength(2);
  });

  it('in verify mode, fails on a plan that depends on a value in a way the first request did not show', () => {
    planCacheOptions('verify');
    const compiler = new Caching();
    compiler.compile(request({ slug: 'c', id: 3 }));
    expect(() => compiler.compile(request({ slug: 'c', id: 13 }))).toThrow(/cached plan differs/);
  });
});

const ARTICLE = graphql(`
  query TestPlanCacheArticle($slug: String!) {
    article(slug: $slug) { headline section { name } reporters { name } tags { slug } previous { headline } next { headline } }
  }
`);
const REPORTER = graphql(`
  query TestPlanCacheReporter($slug: String!) {
    reporter(slug: $slug) { name articles(first: 5) { edges { cursor node { headline section { name } revisions { number } } } } }
  }
`);
const REPORTER_ROWS = graphql(`
  query TestPlanCacheReporterRows($slug: String!) {
    reporter(slug: $slug) { name articles(first: 5) { edges { cursor node { headline section { name } } } } }
  }
`);
const SLUGS = graphql(`
  query TestPlanCacheSlugs { latestArticles(first: 3) { slug } }
`);

describe.each(backends())('plans from the cache over HTTP on %s', (backend) => {
  let server: TestServer;
  let statements = 0;
  beforeAll(async () => {
    // Background work (scheduler, view flushes, purge polling) would compile plans of its own: off here.
    server = await startTestServer(backend, {
      // Reads only (PGlite's adapter also logs a statement of its own, with no SQL text).
      onQuery: (sql) => void (/^\s*(SELECT|WITH)\b/i.test(sql) && statements++),
      env: { PUBLISH_SCHEDULER_MS: '0', VIEWS_FLUSH_MS: '0', CDN_PURGE_POLL_MS: '0' },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves the same page for other articles from cached plans, each identical to a fresh compile', async () => {
    const slugs = (await server.graphql(SLUGS)).data!.latestArticles.map((a) => a.slug);
    const first = await server.graphql(ARTICLE, { slug: slugs[0]! });
    expect(first.errors).toBeUndefined();
    const hits = planCacheStats.hits;
    const planned = () => planCacheStats.hits + planCacheStats.misses + planCacheStats.literal;
    const before = planned();
    const sent = statements;
    const direct = rawRowStats.direct;
    for (const slug of slugs.slice(1)) {
      const res = await server.graphql(ARTICLE, { slug });
      expect(res.errors).toBeUndefined();
      expect(res.data!.article!.headline).toBeTruthy();
    }
    // Every statement went through the cache, the raw ones (src/articles/row-sql.ts, links.ts) too,
    // except on PostgreSQL, where those go straight to the pool (src/db/raw-rows.ts). A shape seen
    // first on a later page, another number of tags say, is learnt: a miss.
    const past = rawRowStats.direct - direct;
    expect(past > 0).toBe(backend === 'postgres');
    expect(statements - sent).toBeGreaterThanOrEqual(4);
    expect(planned() - before).toBe(statements - sent - past);
    expect(planCacheStats.hits - hits).toBeGreaterThanOrEqual(statements - sent - past - 2);
    const metrics = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/^db_query_plans_total\{result="hit"\} [1-9]/m);
    if (backend === 'postgres') expect(metrics).toMatch(/^db_direct_statements_total [1-9]/m);
  });

  /** After a first request, three more for other reporters (and instants) are all served from the cache. */
  async function reporterPlansFromCache(
    document: typeof REPORTER | typeof REPORTER_ROWS,
    token?: string,
  ): Promise<number> {
    expect((await server.graphql(document, { slug: 'han-sunmi' }, { token })).errors).toBeUndefined();
    const { hits, misses, literal } = planCacheStats;
    for (const slug of ['kim-minjun', 'lee-seoyeon', 'han-sunmi']) {
      const res = await server.graphql(document, { slug }, { token });
      expect(res.errors).toBeUndefined();
      expect(res.data!.reporter!.articles.edges.length).toBeGreaterThan(0);
    }
    expect([planCacheStats.misses - misses, planCacheStats.literal - literal]).toEqual([0, 0]);
    return planCacheStats.hits - hits;
  }

  it('serves a reporter with its first page (the request instant inside the nested filter) from the cache', async () => {
    // With revisions (an editor's field) the page's rows are Prisma's, part of the reporter's selection
    // (src/articles/connection.ts): its filter holds the request's instant, a value in the shape's
    // slots, so other reporters and other instants hit: two plans per request, the token's lookup and
    // the reporter with its page.
    const { token } = await createApiToken(server.app.db.prisma, { name: 'plan-cache editor', role: 'EDITOR' });
    expect(await reporterPlansFromCache(REPORTER, token)).toBe(6);
  });

  it('serves a reporter and its first page written as plain SQL from the cache (PGlite) or past Prisma (PostgreSQL)', async () => {
    // The reporter with its page is one raw statement (src/articles/list-query.ts, parentWithFirstPage):
    // one plan per request; on PostgreSQL it goes straight to the pool instead (src/db/raw-rows.ts).
    const direct = rawRowStats.direct;
    expect(await reporterPlansFromCache(REPORTER_ROWS)).toBe(backend === 'postgres' ? 0 : 3);
    expect(rawRowStats.direct - direct).toBe(backend === 'postgres' ? 4 : 0);
  });
});
