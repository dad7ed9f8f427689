// The plan guard: on real PostgreSQL with a 20,000-article archive (ANALYZEd), every public read
// operation (examples/ and the test documents, with every filter, order and paging direction) runs
// through the app, and every SQL statement it sent (the query log, with its parameters) is EXPLAINed,
// both as planned for its values and as the generic plan PostgreSQL may switch a named statement to.
// It fails on a sequential scan of Article, ArticleReporter or ArticleTag, on a statement touching
// more than MAX_BUFFERS shared buffers, or on a GIN index scan of a publish-time range open towards
// the oldest article (a scan of the whole archive's entries, which buffers barely show).
// Deterministic: EXPLAIN (ANALYZE, BUFFERS, TIMING OFF), no timings.
import { readdirSync, readFileSync } from 'node:fs';
import { type DocumentNode, Kind, parse, print } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXACT_COUNT_LIMIT } from '../src/articles/list-query.ts';
import { createApiToken } from '../src/auth/tokens.ts';
import { SEARCH_WINDOW, searchTerms, searchWindow } from '../src/search/query.ts';
import { termTokens } from '../src/search/tokens.ts';
import { SAMPLE_SLUG } from '../src/seed/demo.ts';
import * as documents from './generated/graphql.ts';
import { explain, explainGeneric, type PlanReport, seedArchive, type Statement } from './harness/plans.ts';
import { startTestServer, type TestServer } from './harness/server.ts';

const ARTICLES = 20_000;
/**
 * Most shared buffers one statement may touch at 20,000 articles. Index ranges of a page touch tens to
 * hundreds; the largest list readers are counts (at most 10,001 index entries, ~10,500 buffers).
 */
const MAX_BUFFERS = 12_000;
/**
 * Search statements: the newest 100 articles checked by substring (~110 buffers: `searchText` is kept
 * in the row), then for a mid-frequency word ("기후", "서울": 15-20% of articles) one scan of the
 * (publishedAt, searchTokens) GIN index for the words within a publish-time range sized from the share
 * found so far (~400-850), or, filtered to a section,
 * a wider range (~2,300 at 20,000 articles). Before the stepped search a common word read ~25,000 buffers
 * of TOASTed token arrays.
 */
const MAX_SEARCH_BUFFERS = 4_000;

const { TestArticleListDocument: List, TestSearchDocument: Search } = documents;

/** Every query document of the tests and examples must appear here, so a new one cannot escape the guard. */
/** A case: its name, the document, its variables, and the role of the token it is read with (newsroom fields). */
type Case = [string, DocumentNode | string, Record<string, unknown>?, ('EDITOR' | 'ADMIN')?];

function cases(cursor: string): Case[] {
  const list = (variables: Record<string, unknown>) => [List, variables] as const;
  const isQuery = (text: string) =>
    parse(text).definitions.every((d) => d.kind !== Kind.OPERATION_DEFINITION || d.operation === 'query');
  // Subscriptions (breaking-news.graphql) load articles by id only; the live tests cover them.
  const examples = readdirSync('examples').filter(
    (f) => f.endsWith('.graphql') && isQuery(readFileSync(`examples/${f}`, 'utf8')),
  );
  return [
    // Deferred parts run the same SQL; the guard reads the whole answer at once.
    ...examples.map(
      (f) =>
        [`examples/${f}`, readFileSync(`examples/${f}`, 'utf8').replace(/@defer\b(\([^)]*\))?/g, '')] as [
          string,
          string,
        ],
    ),
    ['TestArticlePage', documents.TestArticlePageDocument, { slug: SAMPLE_SLUG }],
    ['TestCountOnlyStatements', documents.TestCountOnlyStatementsDocument, { section: 'environment' }],
    ['TestArticleLinks', documents.TestArticleLinksDocument, { slug: SAMPLE_SLUG, id: 'QXJ0aWNsZToxMDAw' }],
    ['TestLookups', documents.TestLookupsDocument, { reporter: 'kim-minjun', section: 'economy', tag: 'climate' }],
    ['TestFrontPage', documents.TestFrontPageDocument, { first: 20 }],
    ['TestFrontPageAfter', documents.TestFrontPageAfterDocument, { first: 20, after: cursor }],
    [
      'TestPagesFirstStatements',
      documents.TestPagesFirstStatementsDocument,
      { reporter: 'kim-minjun', tag: 'climate', section: 'world' },
    ],
    [
      'TestPagesApartStatements',
      documents.TestPagesApartStatementsDocument,
      { reporter: 'kim-minjun', tag: 'climate', section: 'world' },
    ],
    [
      'TestPagesCountStatements',
      documents.TestPagesCountStatementsDocument,
      { section: 'world', reporter: 'kim-minjun' },
    ],
    ['TestPagesAfterStatements', documents.TestPagesAfterStatementsDocument, { reporter: 'kim-minjun', after: cursor }],
    ['TestPagesAliasStatements', documents.TestPagesAliasStatementsDocument, { reporter: 'lee-seoyeon' }],
    [
      'TestParentFirstPages',
      documents.TestParentFirstPagesDocument,
      {
        reporter: 'kim-minjun',
        reporterId: 'UmVwb3J0ZXI6MQ==',
        section: 'world',
        tag: 'climate',
        first: 20,
        slug: SAMPLE_SLUG,
      },
    ],
    [
      'TestParentLaterPages',
      documents.TestParentLaterPagesDocument,
      { reporter: 'lee-seoyeon', tag: 'energy', first: 20, after: cursor },
    ],
    ['TestSectionSlugs', documents.TestSectionSlugsDocument, {}],
    ['TestLatestOne', documents.TestLatestOneDocument, {}],
    ['TestLikeCount', documents.TestLikeCountDocument, { slug: SAMPLE_SLUG }],
    ['search (TestSearchPage)', documents.TestSearchPageDocument, {}],
    ['TestArticlePageStatements', documents.TestArticlePageStatementsDocument, { slug: SAMPLE_SLUG }],
    ['TestListLinks', documents.TestListLinksDocument, { first: 30 }],
    ['TestBodyPhotos', documents.TestBodyPhotosDocument, {}],
    ['TestArticleId', documents.TestArticleIdDocument, { id: 'QXJ0aWNsZToxMDAw' }],
    ['TestArticleReporters', documents.TestArticleReportersDocument, { id: 'QXJ0aWNsZToxMDAw' }],
    ['TestReporterPage', documents.TestReporterPageDocument, { slug: 'kim-minjun' }],
    ['TestArticleRevisions', documents.TestArticleRevisionsDocument, { id: 'QXJ0aWNsZToxMDAw' }, 'EDITOR'],
    ['TestArticleRevisionNumbers', documents.TestArticleRevisionNumbersDocument, { id: 'QXJ0aWNsZToxMDAw' }, 'EDITOR'],
    ['TestArticlePreview', documents.TestArticlePreviewDocument, { id: 'QXJ0aWNsZToxMDAw' }, 'EDITOR'],
    ['TestArticleHeadline', documents.TestArticleHeadlineDocument, { id: 'QXJ0aWNsZToxMDAw' }],
    ['TestSectionIds', documents.TestSectionIdsDocument, {}],
    ['TestApiTokens', documents.TestApiTokensDocument, {}, 'ADMIN'],
    [
      'TestUnknownLookups',
      documents.TestUnknownLookupsDocument,
      { byId: 'QXJ0aWNsZTo5ODc2NTQ=', wrongType: 'UmVwb3J0ZXI6MQ==', node: 'U2VjdGlvbjo0MjQyNDI=' },
    ],
    ['TestLookupsById', documents.TestLookupsByIdDocument, { id: 'QXJ0aWNsZToxMDAw', slug: SAMPLE_SLUG }],
    ['TestDemoMostViewed', documents.TestDemoMostViewedDocument, { w: 'DAY' }],
    ['TestViewCount', documents.TestViewCountDocument, { id: 'QXJ0aWNsZToxMDAw' }],
    ['TestMostViewedPage', documents.TestMostViewedPageDocument, {}],
    ['TestMostViewedInSection', documents.TestMostViewedInSectionDocument, { s: 'world' }],
    ['TestMostViewedIds', documents.TestMostViewedIdsDocument, { window: 'WEEK' }],
    ['search (TestSearchSnippets)', documents.TestSearchSnippetsDocument, { query: '서울' }],
    ['TestNodeId', documents.TestNodeIdDocument, { id: 'QXJ0aWNsZToyMDAw' }],
    ['TestExcerpts', documents.TestExcerptsDocument, { first: 100 }],
    ['TestCacheArticleText', documents.TestCacheArticleTextDocument, { s: SAMPLE_SLUG }],
    ['TestCacheLatest', documents.TestCacheLatestDocument, {}],
    ['TestCacheCounter', documents.TestCacheCounterDocument, { s: SAMPLE_SLUG }],
    ['TestCacheRanking', documents.TestCacheRankingDocument, {}],
    ['TestCacheSectionLists', documents.TestCacheSectionListsDocument, {}],
    ['TestCacheHit', documents.TestCacheHitDocument, { s: SAMPLE_SLUG }],
    ['TestCacheSectionFront', documents.TestCacheSectionFrontDocument, { s: 'world' }],
    ['TestWeird_Name_1', documents.TestWeird_Name_1Document, {}],
    ['TestMetricsLatestId', documents.TestMetricsLatestIdDocument, {}],
    ['TestMetricsRanks', documents.TestMetricsRanksDocument, {}],
    ['TestRedisOutageReads', documents.TestRedisOutageReadsDocument, {}],
    ['TestRedisRankings', documents.TestRedisRankingsDocument, {}],
    ['TestBrowserHourRanking', documents.TestBrowserHourRankingDocument, {}],
    ['TestClusterLatest', documents.TestClusterLatestDocument, {}],
    ['TestClusterLatestAndPhotos', documents.TestClusterLatestAndPhotosDocument, {}],
    ['TestClusterSections', documents.TestClusterSectionsDocument, {}],
    ['TestReplicaArticle', documents.TestReplicaArticleDocument, { id: 'QXJ0aWNsZToxMDAw' }],
    ['TestClusterLatestSlug', documents.TestClusterLatestSlugDocument, {}],
    ['TestNewestCursor', documents.TestNewestCursorDocument, {}],
    ['TestOutageDrillLatest', documents.TestOutageDrillLatestDocument, {}],
    ['TestDrillLatest', documents.TestDrillLatestDocument, {}],
    ['TestExactRanking', documents.TestExactRankingDocument, { w: 'HOUR' }],
    ['TestViewTotals', documents.TestViewTotalsDocument, { ids: ['QXJ0aWNsZToxMDAw', 'QXJ0aWNsZToyMDAw'] }],
    ['TestUniqueViewers', documents.TestUniqueViewersDocument, { w: 'MONTH' }],
    ['TestWeekTop', documents.TestWeekTopDocument, {}],
    ['TestPlanCacheArticle', documents.TestPlanCacheArticleDocument, { slug: SAMPLE_SLUG }],
    ['TestPlanCacheSlugs', documents.TestPlanCacheSlugsDocument, {}],
    ['TestPlanCacheReporter', documents.TestPlanCacheReporterDocument, { slug: 'kim-minjun' }, 'EDITOR'],
    ['TestPlanCacheReporterRows', documents.TestPlanCacheReporterRowsDocument, { slug: 'kim-minjun' }],
    [
      'TestGlobalIdLookups',
      documents.TestGlobalIdLookupsDocument,
      { id: 'QXJ0aWNsZToxMDAw', missing: 'QXJ0aWNsZTo5OTk5OTk=' },
    ],
    ['articles', ...list({ first: 20 })],
    ['articles after', ...list({ first: 20, after: cursor })],
    ['articles last', ...list({ last: 20 })],
    ['articles before', ...list({ last: 20, before: cursor })],
    ['articles VIEW_COUNT', ...list({ first: 20, orderBy: 'VIEW_COUNT' })],
    ['articles VIEW_COUNT after', ...list({ first: 20, orderBy: 'VIEW_COUNT', after: cursor })],
    ['articles VIEW_COUNT before', ...list({ last: 20, orderBy: 'VIEW_COUNT', before: cursor })],
    ['articles section', ...list({ first: 20, filter: { section: 'world' } })],
    ['articles section VIEW_COUNT', ...list({ first: 20, filter: { section: 'world' }, orderBy: 'VIEW_COUNT' })],
    ['articles reporter', ...list({ first: 20, filter: { reporter: 'lee-seoyeon' }, after: cursor })],
    [
      'articles reporter VIEW_COUNT',
      ...list({ first: 20, filter: { reporter: 'lee-seoyeon' }, orderBy: 'VIEW_COUNT' }),
    ],
    ['articles tag', ...list({ last: 20, filter: { tag: 'energy' }, before: cursor })],
    [
      'articles tag + reporter + section',
      ...list({ first: 20, filter: { tag: 'climate', reporter: 'park-jiho', section: 'environment' } }),
    ],
    [
      'articles dates',
      ...list({
        first: 20,
        filter: { publishedAfter: '2020-01-01T00:00:00Z', publishedBefore: '2024-06-01T00:00:00Z' },
      }),
    ],
    [
      'articles reporter dates',
      ...list({ first: 20, filter: { reporter: 'kim-minjun', publishedBefore: '2022-01-01T00:00:00Z' } }),
    ],
    ['articles hasPhoto', ...list({ first: 20, filter: { hasPhoto: true } })],
    ['articles no photo', ...list({ first: 20, filter: { hasPhoto: false } })],
    ['articles breaking', ...list({ first: 20, filter: { breaking: true } })],
    ['articles not breaking VIEW_COUNT', ...list({ first: 20, filter: { breaking: false }, orderBy: 'VIEW_COUNT' })],
    ...[
      '서울',
      '경제',
      '가',
      '기후',
      '베이징시장',
      '베이징시장과',
      '서울시는',
      '서울 베이징',
      'Yin Yong',
      '殷勇',
      '탄소중립 예산',
    ].map(
      (query) => [`search ${query}`, Search, { query, first: 10 }] as [string, DocumentNode, Record<string, unknown>],
    ),
    // A section, reporter or tag is met in the GIN index with the words (facet tokens).
    [
      'search by reporter',
      documents.TestFilteredSearchDocument,
      { query: '탄소중립', filter: { reporter: 'kim-minjun' } },
    ],
    [
      'search by tag and section',
      Search,
      { query: '서울', first: 10, filter: { tag: 'climate', section: 'environment' } },
    ],
    [
      'search page 2 filtered',
      Search,
      { query: '환경', first: 10, after: 'b2Zmc2V0Ojk=', filter: { section: 'environment' } },
    ],
    [
      'section page',
      `{ section(slug: "culture") { articles(first: 20, after: "${cursor}") { totalCount edges { node { headline } } } } }`,
    ],
    [
      'reporter page',
      `{ reporter(slug: "choi-yujin") { articles(last: 20) { totalCount edges { node { headline } } } } }`,
    ],
    ['tag page', `{ tag(slug: "welfare") { articles(first: 20) { totalCount edges { node { headline } } } } }`],
    // The bench's section front and reporter page (the reporter's first page selected with it,
    // src/articles/connection.ts), and every section's first page beside the section list.
    [
      'section front',
      `{ section(slug: "society") { name articles(first: 20) { edges { node { headline slug publishedAt excerpt reporters { name } leadImage { url caption } } } } } }`,
    ],
    [
      'reporter front',
      `{ reporter(slug: "choi-yujin") { name title bio articles(first: 20) { edges { node { headline slug publishedAt section { name } } } } } }`,
    ],
    [
      'sections with pages',
      `{ sections { slug articles(first: 5) { pageInfo { hasNextPage } edges { node { headline } } } } }`,
    ],
    [
      'latest and photo news per section',
      `{ latestArticles(first: 10, section: "society") { id } photoNews(first: 6, section: "society") { id } }`,
    ],
    [
      'neighbours and related',
      `{ articles(first: 1, after: "${cursor}") { edges { node { previous { id } next { id } p: previous(sameSection: true) { id } n: next(sameSection: true) { id } related(first: 5) { id } } } } }`,
    ],
    [
      'article links (beside the article)',
      `{ article(slug: "${SAMPLE_SLUG}") { previous { id } next { id } p: previous(sameSection: true) { id } n: next(sameSection: true) { id } related(first: 5) { id } } }`,
    ],
    [
      'node and nodes',
      `{ node(id: "QXJ0aWNsZToxMDAw") { id } nodes(ids: ["QXJ0aWNsZToyMDAw", "QXJ0aWNsZTozMDAw", "UmVwb3J0ZXI6MQ=="]) { id } }`,
    ],
    ['mostViewed', `{ mostViewed(window: DAY, first: 10) { rank article { headline section { name } } } }`],
  ];
}

describe.skipIf(!inject('postgresUrl'))('query plans on a 20,000-article archive (PostgreSQL)', () => {
  let server: TestServer;
  let client: pg.Client;
  const statements: Statement[] = [];
  const reports: { operation: string; report: PlanReport }[] = [];
  const tokens: Record<'EDITOR' | 'ADMIN', string> = { EDITOR: '', ADMIN: '' };

  beforeAll(async () => {
    server = await startTestServer('postgres', {
      onQuery: (sql, params) => statements.push({ sql, params: JSON.parse(params) }),
      env: { PUBLISH_SCHEDULER_MS: '0', VIEWS_FLUSH_MS: '0' },
    });
    const { database } = server.app.services.config;
    if (database.kind !== 'postgres') throw new Error('expected PostgreSQL');
    await seedArchive(server.app.db.prisma, database.url, ARTICLES);
    for (const role of ['EDITOR', 'ADMIN'] as const)
      tokens[role] = (await createApiToken(server.app.db.prisma, { name: `plan-guard ${role}`, role })).token;
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    // Views for mostViewed: its article loads are among the statements.
    for (const id of ['QXJ0aWNsZToxMDAw', 'QXJ0aWNsZToyMDAw']) {
      await server.graphql(
        'mutation($id: ID!) { recordView(articleId: $id, visitorId: "plan-guard-visitor") { status } }',
        { id },
      );
    }
  }, 240_000);
  afterAll(async () => {
    await client?.end();
    await server?.stop();
  });

  it('covers every query document of the tests (examples/ are all run from the folder)', () => {
    const covered = new Set(cases('x').map(([, doc]) => (typeof doc === 'string' ? doc : print(doc))));
    for (const [name, value] of Object.entries(documents)) {
      if (!name.startsWith('Test') || !name.endsWith('Document')) continue;
      const doc = value as DocumentNode;
      const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
      if (op?.kind !== Kind.OPERATION_DEFINITION || op.operation !== 'query') continue;
      expect(covered.has(print(doc)), `${name} has no case in the plan guard`).toBe(true);
    }
  });

  it('reads no guarded table whole and stays within the buffer bound, for every statement', async () => {
    const first = await server.graphql('{ articles(first: 100) { totalCount edges { cursor } } }');
    expect(first.errors).toBeUndefined();
    expect(first.data.articles.totalCount).toBeGreaterThan(EXACT_COUNT_LIMIT);
    const cursor = first.data.articles.edges[60].cursor;
    for (const [operation, doc, variables, as] of cases(cursor)) {
      statements.length = 0;
      const res = await server.graphql(typeof doc === 'string' ? doc : print(doc), variables, {
        token: as && tokens[as],
      });
      expect(res.errors, operation).toBeUndefined();
      const reads = statements.filter((s) => /^\s*(SELECT|WITH)\b/i.test(s.sql));
      expect(reads.length, `${operation}: no SQL logged`).toBeGreaterThan(0);
      for (const statement of reads) {
        reports.push({ operation, report: await explain(client, statement) });
        reports.push({ operation: `${operation} (generic plan)`, report: await explainGeneric(client, statement) });
      }
    }
    const limit = (operation: string) => (operation.startsWith('search') ? MAX_SEARCH_BUFFERS : MAX_BUFFERS);
    const bad = reports.filter(
      ({ operation, report }) =>
        report.seqScans.length > 0 || report.buffers > limit(operation) || report.openGinRanges.length > 0,
    );
    const describe = ({ operation, report }: (typeof reports)[number]) =>
      `${operation}: ${[...report.seqScans, ...report.openGinRanges].join(', ') || 'no seq scan'}, ${report.buffers} buffers\n  ${report.sql.slice(0, 300)}`;
    expect(bad.map(describe).join('\n')).toBe('');
  });

  // The archive here is where search takes several steps (a probe, then ranges sized from estimates):
  // whatever the estimates, the window is exactly the newest SEARCH_WINDOW matches a plain scan finds.
  it('search windows are the newest matches of a plain scan, however many steps found them', async () => {
    const now = new Date();
    const before = new Date(now.getTime() - 3 * 365 * 86_400_000);
    const words = ['가', '서울', '기후', '환경', '서울시는', '탄소중립 예산', '경제', '베이징시장', 'Yin Yong'];
    for (const query of words) {
      const filters = [
        null,
        { section: 'environment' },
        { hasPhoto: true },
        { publishedBefore: before },
        { reporter: 'kim-minjun' },
        { tag: 'climate', section: 'environment' },
      ];
      for (const filter of filters) {
        const terms = searchTerms(query);
        const values: unknown[] = [now.toISOString()];
        const add = (v: unknown) => `$${values.push(v)}`;
        const conditions = terms.map(
          (t) => `a."searchTokens" @> ${add(termTokens(t).tokens)}::text[] AND a."searchText" ILIKE ${add(`%${t}%`)}`,
        );
        if (filter?.section)
          conditions.push(`a."sectionId" = (SELECT id FROM "Section" WHERE slug = ${add(filter.section)})`);
        if (filter?.hasPhoto) conditions.push(`a."leadImageId" IS NOT NULL`);
        if (filter?.reporter)
          conditions.push(`a.id IN (SELECT l."articleId" FROM "ArticleReporter" l JOIN "Reporter" r ON r.id = l."reporterId"
            WHERE r.slug = ${add(filter.reporter)})`);
        if (filter?.tag)
          conditions.push(`a.id IN (SELECT l."articleId" FROM "ArticleTag" l JOIN "Tag" t ON t.id = l."tagId"
            WHERE t.slug = ${add(filter.tag)})`);
        if (filter?.publishedBefore)
          conditions.push(
            `a."publishedAt" < (${add(filter.publishedBefore.toISOString())}::timestamptz AT TIME ZONE 'UTC')`,
          );
        const { rows } = await client.query<{ id: number }>(
          `SELECT a.id FROM "Article" a WHERE a.status = 'PUBLISHED' AND a."deletedAt" IS NULL
             AND a."publishedAt" <= ($1::timestamptz AT TIME ZONE 'UTC') AND ${conditions.join(' AND ')}
           ORDER BY a."publishedAt" DESC, a.id DESC LIMIT ${SEARCH_WINDOW}`,
          values,
        );
        // With the depth bound lowered, ranges past it end at estimated publish times (as past 50,000
        // articles in a large archive): the same window.
        for (const maxDepth of [undefined, 1_500]) {
          const window = await searchWindow(server.app.db.prisma, { terms, now, filter, maxDepth });
          const newestFirst = [...window]
            .sort((x, y) => y.publishedAt.getTime() - x.publishedAt.getTime() || y.id - x.id)
            .map((m) => m.id);
          expect(newestFirst, `${query} ${JSON.stringify(filter)} ${maxDepth}`).toEqual(rows.map((r) => r.id));
        }
      }
    }
  }, 120_000);
});
