// The read API over real HTTP, on PGlite and on a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { DEMO, HIDDEN_MARKER, SAMPLE_SLUG } from '../src/seed/demo.ts';
import { graphql } from './generated/index.ts';
import type { TestArticleListQuery } from './generated/graphql.ts';
import { backends, type GraphQLResponse, onlyError, startTestServer, type TestServer } from './harness/server.ts';

type ListedArticle = TestArticleListQuery['articles']['edges'][number]['node'];
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

const ArticlePage = graphql(`
  query TestArticlePage($slug: String!) {
    article(slug: $slug) {
      id slug headline deck byline publishedAt editedAt breaking likeCount url readingTimeMinutes hasPhoto
      excerpt(length: 60)
      bodyText
      section { slug name }
      reporters { slug name title }
      tags { slug }
      leadImage { url caption credit width height }
      body {
        __typename
        ... on ParagraphBlock { text }
        ... on ImageBlock { caption credit media { url } }
      }
      previous { slug publishedAt }
      next { slug publishedAt }
      previousInSection: previous(sameSection: true) { slug section { slug } }
      related(first: 3) { slug }
    }
  }
`);

// The same links asked of `article(slug:)` (looked up beside the article, src/articles/links.ts) and
// of `node(id:)` (each field's own query): the answers must be equal.
const ArticleLinks = graphql(`
  query TestArticleLinks($slug: String!, $id: ID!) {
    article(slug: $slug) { ...TestLinkFields }
    node(id: $id) { ...TestLinkFields }
  }
  fragment TestLinkFields on Article {
    id
    previous { id slug }
    next { id headline }
    previousInSection: previous(sameSection: true) { id }
    nextInSection: next(sameSection: true) { id slug }
    related(first: 3) { id slug }
    moreRelated: related(first: 7) { id }
    noRelated: related(first: 0) { id }
  }
`);

const ArticleList = graphql(`
  query TestArticleList($first: Int, $after: String, $last: Int, $before: String, $filter: ArticleFilter, $orderBy: ArticleOrder) {
    articles(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id slug headline publishedAt viewCount breaking hasPhoto section { slug } reporters { slug } tags { slug } } }
    }
  }
`);

const Search = graphql(`
  query TestSearch($query: String!, $first: Int, $after: String, $filter: ArticleFilter) {
    search(query: $query, first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor score snippet headlineHighlight node { slug headline } }
    }
  }
`);

const Lookups = graphql(`
  query TestLookups($reporter: String!, $section: String!, $tag: String!) {
    reporter(slug: $reporter) { id name title email articles(first: 2) { totalCount edges { node { slug } } } }
    section(slug: $section) { id name articles(first: 2) { totalCount edges { node { slug section { slug } } } } }
    tag(slug: $tag) { id name articles(first: 5) { totalCount edges { node { slug } } } }
    sections { slug name position }
    latestArticles(first: 3) { slug publishedAt }
    photoNews(first: 3) { slug leadImage { url } }
  }
`);

// A reporter's and tag's first page is loaded with the parent (src/articles/connection.ts), a section's
// by its own range; `articles(filter:)` chooses the same lists by id (list-query.ts `articlePageIds`). All must agree:
// rows, cursors, pageInfo and totalCount; also for an alias asking another page size, for the parent
// reached through an article's byline or `node`, and for the page after a cursor.
const ParentFirstPages = graphql(`
  query TestParentFirstPages($reporter: String!, $reporterId: ID!, $section: String!, $tag: String!, $first: Int!, $slug: String!) {
    reporter(slug: $reporter) { slug articles(first: $first) { ...TestParentPage } three: articles(first: 3) { ...TestParentPage } }
    section(slug: $section) { slug articles(first: $first) { ...TestParentPage } none: articles(first: 0) { ...TestParentPage } }
    tag(slug: $tag) { slug articles { ...TestParentPage } }
    node(id: $reporterId) { ... on Reporter { articles(first: $first) { ...TestParentPage } } }
    article(slug: $slug) { reporters { slug articles(first: 3) { ...TestParentPage } } }
    byReporter: articles(first: $first, filter: { reporter: $reporter }) { ...TestParentPage }
    byReporterThree: articles(first: 3, filter: { reporter: $reporter }) { ...TestParentPage }
    bySection: articles(first: $first, filter: { section: $section }) { ...TestParentPage }
    byTag: articles(first: 20, filter: { tag: $tag }) { ...TestParentPage }
  }
  fragment TestParentPage on ArticleConnection {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id slug publishedAt section { slug } reporters { slug } } }
  }
`);

const ParentLaterPages = graphql(`
  query TestParentLaterPages($reporter: String!, $tag: String!, $first: Int!, $after: String!) {
    reporter(slug: $reporter) { articles(first: $first, after: $after) { ...TestParentPage } }
    tag(slug: $tag) { articles(last: $first, before: $after) { ...TestParentPage } }
    byReporter: articles(first: $first, after: $after, filter: { reporter: $reporter }) { ...TestParentPage }
    byTag: articles(last: $first, before: $after, filter: { tag: $tag }) { ...TestParentPage }
  }
`);

const UnknownLookups = graphql(`
  query TestUnknownLookups($byId: ID!, $wrongType: ID!, $node: ID!) {
    article(slug: "no-such-article") { id }
    byId: article(id: $byId) { id }
    wrongType: article(id: $wrongType) { id }
    reporter(slug: "nobody") { id }
    section(slug: "nothing") { id }
    tag(slug: "none") { id }
    node(id: $node) { id }
  }
`);

const LookupsById = graphql(`
  query TestLookupsById($id: ID!, $slug: String!) {
    article(id: $id) { id }
    bySlug: article(slug: $slug) { id }
    node(id: $id) { id }
    nodes(ids: [$id]) { id }
  }
`);

const GlobalIdLookups = graphql(`
  query TestGlobalIdLookups($id: ID!, $missing: ID!) {
    article(id: $id) { slug }
    node(id: $id) { id ... on Article { slug } }
    nodes(ids: [$id, $missing]) { id }
  }
`);

describe.each(backends())('read API on %s', (backend) => {
  let server: TestServer;
  // Typed documents come back typed; the strings are the malformed requests the bad-input cases send.
  const gql: TestServer['graphql'] = (document: TypedDocumentNode<any, any> | string, variables?: any) =>
    server.graphql(document as never, variables);

  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe('the sample article page', () => {
    it('is served exactly as printed on the outlet page', async () => {
      const { data, errors } = await gql(ArticlePage, { slug: SAMPLE_SLUG });
      expect(errors).toBeUndefined();
      const a = data!.article!;
      expect(a.headline).toBe('서울시장-베이징시장 6년 만에 회담…미래지향적 교류 방안 모색');
      expect(a.deck).toEqual([
        '인 융 베이징시장 면담…’18년 이후 첫 만남, 한중 수도 간 고위급 도시 외교 재개',
        '경제는 물론 시민 삶과 밀접한 분야에 대한 교류 강화 협력',
      ]);
      expect(a.byline).toBe('한선미 기자');
      expect(a.reporters).toEqual([{ slug: 'han-sunmi', name: '한선미', title: '기자' }]);
      // 등록 2024-07-31 14:36:51 KST
      expect(a.publishedAt).toBe('2024-07-31T05:36:51.000Z');
      expect(a.section).toEqual({ slug: 'world', name: '국제' });
      expect(a.leadImage!.caption).toMatch(/^오세훈 서울시장이 7월 30일 오후\(현지시간\)/);
      expect(a.hasPhoto).toBe(true);
      expect((a.body[0] as { text?: string }).text).toMatch(
        /^\[일간환경연합 한선미 기자\] 오세훈 서울시장은 30일\(화\)/,
      );
      expect(a.body[1]).toMatchObject({
        __typename: 'ImageBlock',
        credit: '서울시 제공',
        media: { url: a.leadImage!.url },
      });
      expect(a.body.filter((b: { __typename: string }) => b.__typename === 'ParagraphBlock')).toHaveLength(8);
      expect(a.bodyText).toContain('서울 스마트 라이프 위크에 베이징 도시 대표단');
      expect(a.bodyText).not.toContain(a.leadImage!.caption);
      // The excerpt drops the dateline, as the site's ranking list does.
      expect(a.excerpt).toMatch(/^오세훈 서울시장은 30일/);
      expect(Array.from(a.excerpt as string).length).toBeLessThanOrEqual(60);
      expect(a.excerpt.endsWith('…')).toBe(true);
      expect(a.url).toBe(`https://news.example/articles/${encodeURIComponent(SAMPLE_SLUG)}`);
      expect(a.readingTimeMinutes).toBeGreaterThanOrEqual(1);
      expect(a.likeCount).toBe(0);
      expect(a.tags.map((t: { slug: string }) => t.slug).sort()).toEqual(['beijing', 'city-diplomacy', 'seoul']);
    });

    it('links previous and next by publish time, overall and within the section', async () => {
      const { data } = await gql(ArticlePage, { slug: SAMPLE_SLUG });
      const a = data!.article!;
      expect(Date.parse(a.previous!.publishedAt!)).toBeLessThanOrEqual(Date.parse(a.publishedAt!));
      expect(Date.parse(a.next!.publishedAt!)).toBeGreaterThanOrEqual(Date.parse(a.publishedAt!));
      expect(a.previousInSection!.section.slug).toBe('world');
      // Walking back from `next` returns to the article.
      const back = await gql(ArticlePage, { slug: a.next!.slug });
      expect(back.data!.article!.previous!.slug).toBe(SAMPLE_SLUG);
      expect(a.related).toHaveLength(3);
      expect(a.related.map((r: { slug: string }) => r.slug)).not.toContain(SAMPLE_SLUG);
    });

    it('answers previous, next and related alike whether looked up beside the article or by each field', async () => {
      const { data } = await gql(ArticlePage, { slug: SAMPLE_SLUG });
      const a = data!.article!;
      const list = await gql(ArticleList, { first: 3 });
      // The sample, its neighbours, and the newest articles (no next).
      const slugs = [SAMPLE_SLUG, a.previous!.slug, a.next!.slug, ...list.data!.articles.edges.map((e) => e.node.slug)];
      for (const slug of slugs) {
        const id = (await gql(ArticlePage, { slug })).data!.article!.id;
        const res = await gql(ArticleLinks, { slug, id });
        expect(res.errors).toBeUndefined();
        expect(res.data!.article, slug).toEqual(res.data!.node);
        expect(res.data!.article!.related.length, slug).toBeGreaterThan(0);
        expect(res.data!.article!.noRelated, slug).toEqual([]);
      }
      expect(list.data!.articles.edges[0]!.node.slug).not.toBe(SAMPLE_SLUG);
    });

    it('finds the article by global id, through node(id) and nodes(ids)', async () => {
      const { data } = await gql(ArticlePage, { slug: SAMPLE_SLUG });
      const id = data!.article!.id;
      const res = await gql(GlobalIdLookups, { id, missing: encodeGlobalId('Article', 999999) });
      expect(res.errors).toBeUndefined();
      expect(res.data!.article!.slug).toBe(SAMPLE_SLUG);
      expect(res.data!.node).toEqual({ id, slug: SAMPLE_SLUG });
      expect(res.data!.nodes).toEqual([{ id }, null]);
    });
  });

  describe('lists', () => {
    it('pages through articles newest first with consistent cursors and totalCount', async () => {
      const first = await gql(ArticleList, { first: 7 });
      expect(first.errors).toBeUndefined();
      const total = first.data!.articles.totalCount;
      expect(total).toBe(306); // 300 generated + sample + five most viewed; hidden ones excluded
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const page: GraphQLResponse<TestArticleListQuery> = await gql(ArticleList, { first: 50, after });
        const conn = page.data!.articles;
        seen.push(...conn.edges.map((e) => e.node.slug));
        const times = conn.edges.map((e) => Date.parse(e.node.publishedAt!));
        expect(times).toEqual([...times].sort((x, y) => y - x));
        pages++;
        if (!conn.pageInfo.hasNextPage) break;
        after = conn.pageInfo.endCursor;
      }
      expect(pages).toBe(Math.ceil(total / 50));
      expect(new Set(seen).size).toBe(total);
      // Backwards from the end of the first page returns the page before it.
      const second = await gql(ArticleList, { first: 7, after: first.data!.articles.pageInfo.endCursor });
      const back = await gql(ArticleList, { last: 7, before: second.data!.articles.edges[0]!.cursor });
      expect(back.data!.articles.edges.map((e) => e.node.slug)).toEqual(
        first.data!.articles.edges.map((e) => e.node.slug),
      );
    });

    it('orders by view count: the five most viewed come first, in the page order', async () => {
      const { data } = await gql(ArticleList, { first: 5, orderBy: 'VIEW_COUNT' });
      expect(data!.articles.edges.map((e) => e.node.headline)).toEqual(DEMO.mostViewed.map((m) => m.headline));
      const page2 = await gql(ArticleList, {
        first: 5,
        orderBy: 'VIEW_COUNT',
        after: data!.articles.pageInfo.endCursor,
      });
      const views = [...data!.articles.edges, ...page2.data!.articles.edges].map((e) => e.node.viewCount);
      expect(views).toEqual([...views].sort((x, y) => y - x));
    });

    it('counts a list with several filters exactly when its range is within the exact bound', async () => {
      const filters: Record<string, unknown>[] = [
        { reporter: 'han-sunmi', section: 'environment' },
        { tag: 'climate', section: 'environment' },
        { reporter: 'han-sunmi', hasPhoto: true },
        { tag: 'climate', publishedAfter: '2025-06-01T00:00:00Z', breaking: false },
        { reporter: 'han-sunmi', tag: 'climate' },
        { section: 'environment', hasPhoto: false },
        { section: 'environment', breaking: true },
        { breaking: false },
      ];
      for (const filter of filters) {
        let after: string | undefined;
        let seen = 0;
        let total = -1;
        for (;;) {
          const { data, errors } = await gql(ArticleList, { first: 100, after, filter });
          expect(errors).toBeUndefined();
          total = data!.articles.totalCount;
          seen += data!.articles.edges.length;
          if (!data!.articles.pageInfo.hasNextPage) break;
          after = data!.articles.pageInfo.endCursor!;
        }
        expect(total, JSON.stringify(filter)).toBe(seen);
      }
    });

    it('filters by section, reporter, tag, dates, photo and breaking', async () => {
      const check = async (filter: Record<string, unknown>, predicate: (n: ListedArticle) => boolean) => {
        const { data, errors } = await gql(ArticleList, { first: 100, filter });
        expect(errors).toBeUndefined();
        expect(data!.articles.totalCount).toBeGreaterThan(0);
        expect(data!.articles.edges.every((e) => predicate(e.node))).toBe(true);
        return data!.articles.totalCount as number;
      };
      const env = await check({ section: 'environment' }, (n) => n.section.slug === 'environment');
      const all = (await gql(ArticleList, { first: 1 })).data!.articles.totalCount;
      expect(env).toBeLessThan(all);
      await check({ reporter: 'han-sunmi' }, (n) => n.reporters.some((r) => r.slug === 'han-sunmi'));
      await check({ tag: 'climate' }, (n) => n.tags.some((t) => t.slug === 'climate'));
      await check(
        { publishedAfter: '2025-06-01T00:00:00+09:00', publishedBefore: '2025-07-01T00:00:00Z' },
        (n) => n.publishedAt! > '2025-05-31T15:00:00.000Z' && n.publishedAt! < '2025-07-01T00:00:00.000Z',
      );
      const withPhoto = await check({ hasPhoto: true }, (n) => n.hasPhoto);
      const withoutPhoto = await check({ hasPhoto: false }, (n) => !n.hasPhoto);
      expect(withPhoto + withoutPhoto).toBe(all);
      await check({ breaking: true }, (n) => n.breaking);
      const none = await gql(ArticleList, { first: 5, filter: { section: 'no-such-section' } });
      expect(none.data!.articles).toMatchObject({ totalCount: 0, edges: [] });
    });

    it('serves the page lists and the reporter, section and tag pages', async () => {
      const { data, errors } = await gql(Lookups, { reporter: 'han-sunmi', section: 'world', tag: 'beijing' });
      expect(errors).toBeUndefined();
      expect(data!.reporter).toMatchObject({ name: '한선미', title: '기자', email: 'hansunmi@ecounion.example' });
      expect(data!.reporter!.articles.totalCount).toBe(1);
      expect(data!.section!.articles.edges.every((e) => e.node.section.slug === 'world')).toBe(true);
      expect(data!.tag!.articles.edges.map((e) => e.node.slug)).toContain(SAMPLE_SLUG);
      expect(data!.sections.map((s) => s.name)).toEqual(['정치', '경제', '사회', '환경', '국제', '문화']);
      expect(data!.latestArticles[0]!.slug).toBe(
        DEMO.mostViewed.slice().sort((a, b) => b.publishedAt.localeCompare(a.publishedAt))[0] &&
          data!.latestArticles[0]!.slug,
      );
      const times = data!.latestArticles.map((a) => a.publishedAt);
      expect(times).toEqual([...times].sort().reverse());
      expect(data!.photoNews.every((a) => a.leadImage?.url)).toBe(true);
    });

    it("gives a reporter's, tag's and section's first page exactly as the filtered list", async () => {
      const reporter = 'kim-minjun';
      const { data: article } = await gql(ArticlePage, { slug: SAMPLE_SLUG });
      const byline = article!.article!.reporters.map((r) => r.slug);
      const reporterId = (await gql(Lookups, { reporter, section: 'world', tag: 'climate' })).data!.reporter!.id;
      const vars = { reporter, reporterId, section: 'world', tag: 'climate', first: 5, slug: SAMPLE_SLUG };
      const { data, errors } = await gql(ParentFirstPages, vars);
      expect(errors).toBeUndefined();
      const d = data!;
      expect(d.byReporter.edges).toHaveLength(5);
      expect(d.byReporter.pageInfo.hasNextPage).toBe(true);
      expect(d.reporter!.articles).toEqual(d.byReporter);
      expect(d.reporter!.three).toEqual(d.byReporterThree);
      expect(d.node).toEqual({ articles: d.byReporter });
      expect(d.section!.articles).toEqual(d.bySection);
      expect(d.section!.none).toEqual({
        ...d.bySection,
        edges: [],
        pageInfo: { ...d.bySection.pageInfo, startCursor: null, endCursor: null },
      });
      expect(d.tag!.articles).toEqual(d.byTag);
      expect(d.tag!.articles.edges.length).toBeGreaterThan(0);
      // Each reporter of the byline, its page selected inside the article's statement.
      expect(d.article!.reporters.map((r) => r.slug)).toEqual(byline);
      for (const r of d.article!.reporters) {
        const own = await gql(ParentFirstPages, { ...vars, reporter: r.slug, first: 3 });
        expect(r.articles).toEqual(own.data!.byReporter);
      }
      // The page after the first one's end (and, on the tag, the page before it) as the filtered list's.
      const later = await gql(ParentLaterPages, {
        reporter,
        tag: 'climate',
        first: 5,
        after: d.byReporter.pageInfo.endCursor!,
      });
      expect(later.errors).toBeUndefined();
      expect(later.data!.reporter!.articles).toEqual(later.data!.byReporter);
      expect(later.data!.byReporter.edges).toHaveLength(5);
      expect(later.data!.tag!.articles).toEqual(later.data!.byTag);
    });

    it('returns null, not an error, for unknown ids and slugs', async () => {
      const res = await gql(UnknownLookups, {
        byId: encodeGlobalId('Article', 987654),
        wrongType: encodeGlobalId('Reporter', 1),
        node: encodeGlobalId('Section', 424242),
      });
      expect(res.errors).toBeUndefined();
      expect(Object.values(res.data!).every((v) => v === null)).toBe(true);
    });
  });

  describe('search', () => {
    it.each(['베이징시장', '서울 베이징', '  서울   베이징  ', 'Yin Yong', 'yin yong', '殷勇'])(
      'finds the sample article for %j',
      async (query) => {
        const { data, errors } = await gql(Search, { query, first: 5 });
        expect(errors).toBeUndefined();
        expect(data!.search.edges[0]!.node.slug).toBe(SAMPLE_SLUG);
        expect(data!.search.edges[0]!.snippet).toContain('<mark>');
      },
    );

    it.each(['서울', '경제', '가', '기후'])(
      'finds one- and two-syllable words (%j), each hit containing it',
      async (word) => {
        const { data, errors } = await gql(Search, { query: word, first: 20 });
        expect(errors).toBeUndefined();
        expect(data!.search.totalCount).toBeGreaterThan(0);
        for (const edge of data!.search.edges)
          expect(edge.snippet + edge.headlineHighlight).toContain(`<mark>${word}</mark>`);
      },
    );

    it.each([
      ['베이징시장과', '베이징시장'],
      ['서울시는', '서울시'],
      ['경제의', '경제'],
    ])('a word with a trailing particle (%j) finds what the bare word finds', async (withParticle, bare) => {
      const slugs = async (query: string) =>
        (await gql(Search, { query, first: 50 })).data!.search.edges.map((e) => e.node.slug);
      const expected = await slugs(bare);
      expect(expected.length).toBeGreaterThan(0);
      expect(await slugs(withParticle)).toEqual(expected);
    });

    it('ranks headline matches above body matches, and highlights safely', async () => {
      const { data } = await gql(Search, { query: '서울시장', first: 10 });
      expect(data!.search.edges[0]!.node.slug).toBe(SAMPLE_SLUG);
      expect(data!.search.edges[0]!.headlineHighlight).toBe(
        '<mark>서울시장</mark>-베이징시장 6년 만에 회담…미래지향적 교류 방안 모색',
      );
      const scores = data!.search.edges.map((e) => e.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    });

    it('requires every word and pages with cursors', async () => {
      const none = await gql(Search, { query: '베이징시장 반도체' });
      expect(none.data!.search).toMatchObject({ totalCount: 0, edges: [] });
      const p1 = await gql(Search, { query: '기후', first: 5 });
      expect(p1.data!.search.totalCount).toBeGreaterThan(5);
      const p2 = await gql(Search, { query: '기후', first: 5, after: p1.data!.search.pageInfo.endCursor });
      const slugs = [...p1.data!.search.edges, ...p2.data!.search.edges].map((e) => e.node.slug);
      expect(new Set(slugs).size).toBe(10);
      const filtered = await gql(Search, { query: '베이징', filter: { section: 'economy' } });
      expect(filtered.data!.search.edges.map((e) => e.node.slug)).not.toContain(SAMPLE_SLUG);
    });

    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['1000 characters', '가'.repeat(1000)],
      ['SQL', '\'; DROP TABLE "Article"; --'],
      ['LIKE wildcards', '%_%'],
      ['regex metacharacters', '.*+?^${}()|[]\\'],
      ['backslashes', '\\\\%'],
      ['HTML', '<script>alert(1)</script>'],
    ])('handles %s queries without failing', async (_name, query) => {
      const { data, errors } = await gql(Search, { query, first: 5 });
      expect(errors).toBeUndefined();
      expect(data!.search.totalCount).toBe(0);
      expect(data!.search.edges).toEqual([]);
    });

    it('rejects queries over 1000 characters as BAD_USER_INPUT', async () => {
      const error = onlyError(await gql(Search, { query: 'a'.repeat(1001) }));
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toContain('"query"');
    });
  });

  describe('drafts, scheduled, archived and embargoed articles never leak', () => {
    it('through search, lists, counts, slugs or ids', async () => {
      const search = await gql(Search, { query: HIDDEN_MARKER });
      expect(search.data!.search.totalCount).toBe(0);
      const breaking = await gql(ArticleList, { first: 100, filter: { breaking: true } });
      expect(breaking.data!.articles.edges.some((e) => e.node.headline.includes(HIDDEN_MARKER))).toBe(false);
      const top = await gql(ArticleList, { first: 1, orderBy: 'VIEW_COUNT' });
      expect(top.data!.articles.edges[0]!.node.headline).not.toContain(HIDDEN_MARKER);
      const hiddenRows = await server.app.db.prisma.article.findMany({
        where: { headline: { contains: HIDDEN_MARKER } },
        select: { id: true, slug: true },
      });
      expect(hiddenRows).toHaveLength(4);
      for (const row of hiddenRows) {
        const id = encodeGlobalId('Article', row.id);
        const res = await gql(LookupsById, { id, slug: row.slug });
        expect(res).toEqual({ data: { article: null, bySlug: null, node: null, nodes: [null] } });
      }
      const reporter = await gql(Lookups, { reporter: 'han-sunmi', section: 'world', tag: 'beijing' });
      expect(reporter.data!.reporter!.articles.totalCount).toBe(1);
      expect(reporter.data!.tag!.articles.totalCount).toBe(1);
    });

    it('through previous/next and related links', async () => {
      // The hidden articles share the sample's section and tags and are dated next to it.
      const { data } = await gql(ArticlePage, { slug: SAMPLE_SLUG });
      const linked = [
        data!.article!.previous,
        data!.article!.next,
        data!.article!.previousInSection,
        ...data!.article!.related,
      ];
      const hidden = new Set(
        (
          await server.app.db.prisma.article.findMany({
            where: { headline: { contains: HIDDEN_MARKER } },
            select: { slug: true },
          })
        ).map((r) => r.slug),
      );
      expect(linked.some((l) => hidden.has(l?.slug ?? ''))).toBe(false);
    });
  });

  describe('bad input gets BAD_USER_INPUT naming the argument', () => {
    const cases: [string, string, string][] = [
      ['malformed global id', '{ node(id: "not-an-id") { id } }', 'id'],
      ['malformed global id in a list', '{ nodes(ids: ["QXJ0aWNsZTox", "%%%"]) { id } }', 'ids'],
      [
        'global id with a non-numeric key',
        `{ article(id: "${Buffer.from('Article:abc').toString('base64')}") { id } }`,
        'id',
      ],
      ['both id and slug', `{ article(id: "${encodeGlobalId('Article', 1)}", slug: "x") { id } }`, 'id'],
      ['page size above the cap', '{ articles(first: 101) { totalCount } }', 'first'],
      ['negative page size', '{ articles(first: -1) { totalCount } }', 'first'],
      [
        'page size above the cap on a nested connection',
        '{ sections { articles(first: 500) { totalCount } } }',
        'first',
      ],
      ['malformed cursor', '{ articles(first: 5, after: "garbage") { totalCount } }', 'after'],
      [
        'cursor of another kind',
        `{ articles(first: 5, before: "${Buffer.from('offset:3').toString('base64')}") { totalCount } }`,
        'before',
      ],
      [
        'malformed cursor on a nested connection',
        '{ section(slug: "world") { articles(after: "R1BDOlM6eA==") { totalCount } } }',
        'after',
      ],
      ['malformed search cursor', '{ search(query: "서울", after: "R1BDOk46MQ==") { totalCount } }', 'after'],
      ['excerpt length out of range', `{ article(slug: "${SAMPLE_SLUG}") { excerpt(length: 100000) } }`, 'length'],
      ['latestArticles size above the cap', '{ latestArticles(first: 1000) { id } }', 'first'],
      [
        'too many node ids',
        `{ nodes(ids: [${Array.from({ length: 101 }, (_, i) => `"${encodeGlobalId('Article', i + 1)}"`).join(',')}]) { id } }`,
        'ids',
      ],
    ];
    it.each(cases)('%s', async (_name, query, argument) => {
      const error = onlyError(await gql(query));
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toContain(`"${argument}"`);
      expect(JSON.stringify(error)).not.toMatch(/at .*\.ts:\d+|stack/i);
    });

    it.each([
      [
        'nested lists multiplying past the item limit',
        '{ articles(first: 100) { edges { node { related(first: 20) { related(first: 20) { headline } } } } } }',
        /list items/,
      ],
      [
        'the same, hidden in fragments',
        'query { articles(first: 100) { edges { node { ...R } } } } fragment R on Article { related(first: 20) { ...S } } fragment S on Article { related(first: 20) { headline } }',
        /list items/,
      ],
      ['too deep', `{ article(slug: "x") { ${'previous { '.repeat(15)}headline${' }'.repeat(15)} } }`, /nest at most/],
      [
        'too many aliases',
        `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: search(query: "a") { totalCount }`).join(' ')} }`,
        /aliases/,
      ],
    ])('operation shape: %s', async (_name, query, message) => {
      const error = onlyError(await gql(query));
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX' });
      expect(error.message).toMatch(message);
    });

    it('checks the shape again for every request whose page sizes are variables, and a refused document every time', async () => {
      const nested =
        'query ($n: Int!) { articles(first: 100) { edges { node { related(first: $n) { related(first: $n) { headline } } } } } }';
      // The same document passes with small pages first, so a check kept per document would let the big ones through.
      expect((await gql(nested, { n: 2 })).errors).toBeUndefined();
      expect(onlyError(await gql(nested, { n: 20 })).extensions).toMatchObject({ reason: 'QUERY_TOO_COMPLEX' });
      expect((await gql(nested, { n: 2 })).errors).toBeUndefined();
      const literal =
        '{ articles(first: 100) { edges { node { related(first: 20) { related(first: 20) { id } } } } } }';
      for (let i = 0; i < 2; i++)
        expect(onlyError(await gql(literal)).extensions).toMatchObject({ reason: 'QUERY_TOO_COMPLEX' });
    });

    it("checks a variable's declared default when the request leaves the variable out", async () => {
      const capped = onlyError(await gql('query ($n: Int = 100000) { latestArticles(first: $n) { id } }'));
      expect(capped.extensions?.code).toBe('BAD_USER_INPUT');
      expect(capped.message).toContain('"first"');
      const nested =
        'query ($n: Int = 20) { articles(first: 100) { edges { node { related(first: $n) { related(first: $n) { id } } } } } }';
      expect(onlyError(await gql(nested)).extensions).toMatchObject({ reason: 'QUERY_TOO_COMPLEX' });
      // Sent, the variable's value is what counts.
      expect((await gql(nested, { n: 2 })).errors).toBeUndefined();
    });

    it('checks every operation of a document, whichever one a request names', async () => {
      const both =
        'query Small { latestArticles(first: 1) { id } } query Big { articles(first: 100) { edges { node { related(first: 20) { related(first: 20) { id } } } } } }';
      for (const operationName of ['Small', 'Small', 'Big']) {
        const res = await fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
          body: JSON.stringify({ query: both, operationName }),
        });
        expect(res.status, operationName).toBe(400);
        expect(onlyError(await res.json()).extensions).toMatchObject({ reason: 'QUERY_TOO_COMPLEX' });
      }
    });

    it.each([
      ['not a date', 'yesterday'],
      ['impossible date', '2024-13-45'],
      ['number-like', '20240731'],
      ['February 30th', '2024-02-30'],
      ['a time without a zone', '2024-07-31T14:36:51'],
      ['year zero', '0000-01-01'],
    ])('malformed date (%s) in a variable', async (_name, value) => {
      const error = onlyError(await gql(ArticleList, { first: 1, filter: { publishedAfter: value } }));
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toContain('publishedAfter');
    });

    it('malformed date as a literal', async () => {
      const error = onlyError(await gql('{ articles(filter: { publishedBefore: "31/07/2024" }) { totalCount } }'));
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toContain('DateTime');
    });
  });
});
