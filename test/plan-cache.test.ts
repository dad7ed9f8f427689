// The query plan cache (src/db/plan-cache.ts): which values of a request are data, how a shape's plan
// is learnt and trusted, and, over HTTP on both databases, that repeated pages are served from it with
// every plan identical to the compiler's own (the suite runs in `verify` mode).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachingCompiler, planCacheOptions, planCacheStats, shapeOf } from '../src/db/plan-cache.ts';
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
const SLUGS = graphql(`
  query TestPlanCacheSlugs { latestArticles(first: 3) { slug } }
`);

describe.each(backends())('plans from the cache over HTTP on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves the same page for other articles from cached plans, each identical to a fresh compile', async () => {
    const slugs = (await server.graphql(SLUGS)).data!.latestArticles.map((a) => a.slug);
    const first = await server.graphql(ARTICLE, { slug: slugs[0]! });
    expect(first.errors).toBeUndefined();
    const hits = planCacheStats.hits;
    for (const slug of slugs.slice(1)) {
      const res = await server.graphql(ARTICLE, { slug });
      expect(res.errors).toBeUndefined();
      expect(res.data!.article!.headline).toBeTruthy();
    }
    expect(planCacheStats.hits - hits).toBeGreaterThanOrEqual(2);
    const metrics = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/^db_query_plans_total\{result="hit"\} [1-9]/m);
  });
});
