// No N+1: the number of SQL statements for an article list is pinned and does not grow with its length.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchedRowById } from '../src/db/unique-row.ts';
import { decodeGlobalId } from '../src/relay/global-id.ts';
import { SAMPLE_SLUG } from '../src/seed/demo.ts';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { graphql } from './generated/index.ts';
import { backends, startTestServer, type TestServer } from './harness/server.ts';

const FrontPage = graphql(`
  query TestFrontPage($first: Int!) {
    articles(first: $first) {
      edges {
        cursor
        node {
          id headline excerpt(length: 80) publishedAt
          section { name slug }
          reporters { name title }
          tags { name slug }
          leadImage { url caption }
        }
      }
    }
  }
`);

const FrontPageAfter = graphql(`
  query TestFrontPageAfter($first: Int!, $after: String!) {
    articles(first: $first, after: $after) {
      edges { node { id headline section { name } reporters { name } leadImage { url } } }
    }
  }
`);

describe.each(backends())('SQL statements per request on %s', (backend) => {
  let server: TestServer;
  const statements: string[] = [];

  beforeAll(async () => {
    // Background work (scheduler, view flushes) would share the query log: switched off here.
    server = await startTestServer(backend, {
      onQuery: (sql) => statements.push(sql),
      env: { PUBLISH_SCHEDULER_MS: '0', VIEWS_FLUSH_MS: '0', CDN_PURGE_POLL_MS: '0' },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function count<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
  ): Promise<{ n: number; sql: string[]; cursor?: string }> {
    statements.length = 0;
    const res = await server.graphql(document, variables);
    expect(res.errors).toBeUndefined();
    const edges = (res.data as { articles?: { edges: { cursor?: string }[] } }).articles?.edges;
    return { n: statements.length, sql: [...statements], cursor: edges?.[edges.length - 1]?.cursor };
  }

  it('a 20-article list with reporters, section, tags and lead image runs a fixed handful', async () => {
    const twenty = await count(FrontPage, { first: 20 });
    const two = await count(FrontPage, { first: 2 });
    const hundred = await count(FrontPage, { first: 100 });
    // The first page: one statement, the rows with their relations joined (Prisma relationJoins,
    // LATERAL subqueries) along the index range of the newest articles (src/articles/list-query.ts).
    expect(twenty.n, twenty.sql.join('\n')).toBe(1);
    expect(two.n).toBe(twenty.n);
    expect(hundred.n).toBe(twenty.n);
    // After a cursor: two, the page's ids by an index range (the row comparison), then the rows.
    const later = await count(FrontPageAfter, { first: 20, after: twenty.cursor! });
    const laterHundred = await count(FrontPageAfter, { first: 100, after: twenty.cursor! });
    expect(later.n, later.sql.join('\n')).toBe(2);
    expect(laterHundred.n).toBe(later.n);
  });

  it('a reporter, tag or section page is one statement with its first page', async () => {
    const q = graphql(`query TestPagesFirstStatements($reporter: String!, $tag: String!, $section: String!) {
      reporter(slug: $reporter) { name articles(first: 20) { edges { node { headline section { name } } } } }
      tag(slug: $tag) { name articles(first: 20) { edges { node { headline reporters { name } } } } }
      section(slug: $section) { name articles(first: 20) { edges { node { headline excerpt reporters { name } leadImage { url } } } } }
    }`);
    const variables = { reporter: 'han-sunmi', tag: 'seoul', section: 'world' };
    const { n, sql } = await count(q, variables);
    // Each parent with its first page, a LATERAL subquery over its index range (the link table's, or
    // the section's on the articles), the rows written by src/articles/row-sql.ts (the byline as a JSON
    // array, the section and lead image joined; the clock an InitPlan, the LIMIT a literal): three
    // statements in one round trip.
    expect(n, sql.join('\n')).toBe(3);
    for (const statement of sql) {
      expect(statement).toContain('LEFT JOIN LATERAL');
      expect(statement).toContain('= p.id');
      expect(statement).toContain('LIMIT 21');
      expect(statement).toContain('<= (SELECT ($1::timestamptz');
    }
    // The same answer as the parent and its page read apart (a fragment turns the read-ahead off).
    const apart = graphql(`query TestPagesApartStatements($reporter: String!, $tag: String!, $section: String!) {
      reporter(slug: $reporter) { ... on Reporter { name } articles(first: 20) { edges { node { headline section { name } } } } }
      tag(slug: $tag) { ... on Tag { name } articles(first: 20) { edges { node { headline reporters { name } } } } }
      section(slug: $section) { ... on Section { name } articles(first: 20) { edges { node { headline excerpt reporters { name } leadImage { url } } } } }
    }`);
    const together = await server.graphql(q, variables);
    const separate = await server.graphql(apart, variables);
    expect(separate.data).toEqual(together.data);
    expect(together.data?.reporter?.articles.edges.length).toBeGreaterThan(0);
    expect(together.data?.section?.articles.edges.length).toBe(20);
    const read = await count(apart, variables);
    expect(read.n).toBe(6);
    // Read apart, a section's page is a statement over its index range: the section's id an InitPlan.
    expect(read.sql.find((s) => s.includes('"sectionId" = (SELECT $2::int)'))).toBeDefined();
    // No such reporter: null; a reporter with no visible article: an empty page.
    const none = await server.graphql(q, { ...variables, reporter: 'no-such-reporter' });
    expect(none.data?.reporter).toBeNull();
    await server.app.db.prisma.reporter.upsert({
      where: { slug: 'no-articles-yet' },
      update: {},
      create: { slug: 'no-articles-yet', name: '새 기자' },
    });
    const empty = await server.graphql(q, { ...variables, reporter: 'no-articles-yet' });
    expect(empty.data?.reporter).toEqual({ name: '새 기자', articles: { edges: [] } });
    // A count beside the preloaded page counts the parent's articles (its id is on the row).
    const counted = graphql(`query TestPagesCountStatements($section: String!, $reporter: String!) {
      section(slug: $section) { articles(first: 2) { totalCount edges { node { headline } } } }
      reporter(slug: $reporter) { articles(first: 2) { totalCount edges { node { headline } } } }
    }`);
    const withCount = await count(counted, variables);
    expect(withCount.sql.filter((s) => s.includes('LEFT JOIN LATERAL'))).toHaveLength(2);
    const visible = { status: 'PUBLISHED' as const, deletedAt: null, publishedAt: { lte: new Date() } };
    const res = await server.graphql(counted, variables);
    expect(res.data?.section?.articles.totalCount).toBe(
      await server.app.db.prisma.article.count({ where: { ...visible, section: { slug: variables.section } } }),
    );
    expect(res.data?.reporter?.articles.totalCount).toBe(
      await server.app.db.prisma.article.count({
        where: { ...visible, reporters: { some: { reporter: { slug: variables.reporter } } } },
      }),
    );
    expect(res.data?.section?.articles.totalCount).toBeGreaterThan(2);
    const later = graphql(`query TestPagesAfterStatements($reporter: String!, $after: String!) {
      reporter(slug: $reporter) { name articles(first: 20, after: $after) { edges { node { headline section { name } } } } }
    }`);
    const after = await count(later, { reporter: 'kim-minjun', after: 'R1BDOk46MTUw' });
    // After a cursor: the reporter, then the page's ids by an index range, then the rows.
    expect(after.n, after.sql.join('\n')).toBe(3);
    const aliases = graphql(`query TestPagesAliasStatements($reporter: String!) {
      reporter(slug: $reporter) { a: articles(first: 2) { edges { cursor } } b: articles(first: 3) { edges { cursor } } }
    }`);
    const two = await count(aliases, { reporter: 'kim-minjun' });
    // The reporter, then each alias's page as its own statement.
    expect(two.n, two.sql.join('\n')).toBe(3);
  });

  it('a count alone loads no page', async () => {
    const q = graphql(`query TestCountOnlyStatements($section: String!) {
      articles(filter: { section: $section }) { totalCount }
      section(slug: $section) { articles(first: 20) { totalCount } }
    }`);
    const { n, sql } = await count(q, { section: 'world' });
    // The list's count; the section, then its count: no statement reads a page of articles.
    expect(n, sql.join('\n')).toBe(3);
    expect(sql.filter((s) => /count/i.test(s))).toHaveLength(2);
    expect(
      sql.filter((s) => /LATERAL|LIMIT 21/.test(s)),
      sql.join('\n'),
    ).toEqual([]);
  });

  it('search loads every article on the page at once', async () => {
    const q = graphql(
      `query TestSearchPage { search(query: "기후", first: 20) { edges { snippet node { headline section { name } reporters { name } } } } }`,
    );
    const { n } = await count(q);
    // The ranked window (one statement in an archive under 1,000 articles, as here; two or three for most
    // words in a large archive, at most six), then the page's articles with their relations and texts.
    expect(n).toBe(2);
  });

  it('the article page with its lists stays a bounded number of statements', async () => {
    const q = graphql(`query TestArticlePageStatements($slug: String!) {
      article(slug: $slug) { headline body { __typename ... on ImageBlock { media { url } caption } } reporters { name } previous { headline } next { headline } related { headline } }
      latestArticles(first: 10) { headline section { name } }
    }`);
    const { n, sql } = await count(q, { slug: SAMPLE_SLUG });
    // Two round trips: the article and the latest list; then its links with the linked articles' rows
    // (one statement, src/articles/links.ts: previous, next and related ask for the same fields) and
    // the body's image media.
    expect(n, sql.join('\n')).toBe(4);
    const links = sql.filter((s) => s.includes('"link:previous"'));
    expect(links, sql.join('\n')).toHaveLength(1);
    expect(links[0]).toContain('"link:next"');
    expect(links[0]).toContain('"link:related5"');
  });

  it("the body photos of every article on a page are one statement, each block with its own photo's row", async () => {
    const q = graphql(`query TestBodyPhotos {
      articles(first: 30) { edges { node { id body { ... on ImageBlock { media { id url width } } } } } }
    }`);
    const { n, sql } = await count(q);
    const media = sql.filter((s) => s.includes('"Media"') && !s.includes('"Article"'));
    expect(media, sql.join('\n')).toHaveLength(1);
    expect(media[0]).toContain('ANY(');
    // The page (one statement), then the photos of all its bodies.
    expect(n, sql.join('\n')).toBe(2);
    // Each block got its own photo: the same rows Prisma reads by id.
    const res = await server.graphql(q);
    const blocks = (
      res.data as { articles: { edges: { node: { body: { media?: { id: string; url: string } | null }[] } }[] } }
    ).articles.edges.flatMap((e) => e.node.body.flatMap((b) => (b.media ? [b.media] : [])));
    expect(blocks.length).toBeGreaterThan(3);
    const ids = blocks.map((m) => Number(decodeGlobalId(m.id, 'id').id));
    const rows = await server.app.services.prisma.media.findMany({
      where: { id: { in: ids } },
      select: { id: true, url: true },
    });
    const url = new Map(rows.map((r) => [r.id, r.url]));
    for (const [i, m] of blocks.entries()) expect(m.url).toBe(url.get(ids[i]!));
  });

  it('photos asked by id in one turn are one statement; a missing or impossible id is no row', async () => {
    const owner = { prisma: server.app.services.prisma };
    const [first] = await server.app.services.prisma.media.findMany({
      take: 1,
      orderBy: { id: 'asc' },
      select: { id: true, url: true },
    });
    statements.length = 0;
    const select = { select: { id: true, url: true } };
    const rows = await Promise.all(
      [first!.id, 2_000_000_000, 1.5, first!.id].map((id) => batchedRowById(owner, 'Media', select, id)),
    );
    expect(rows).toEqual([first, null, null, first]);
    expect(
      statements.filter((s) => s.includes('"Media"')),
      statements.join('\n'),
    ).toHaveLength(1);
    // A selection only Prisma writes is left to the caller.
    expect(await batchedRowById(owner, 'Media', { include: { leadOf: true } }, first!.id)).toBeUndefined();
  });

  it("a list's previous and next are one statement for every row, each row's neighbours in the list", async () => {
    const q = graphql(`query TestListLinks($first: Int!) {
      articles(first: $first) { edges { node { id previous { id headline } next { id headline } } } }
    }`);
    for (const first of [5, 30]) {
      statements.length = 0;
      const res = await server.graphql(q, { first });
      expect(res.errors).toBeUndefined();
      // The page, then the links of all its rows with the linked rows.
      expect(statements.length, statements.join('\n')).toBe(2);
      const nodes = res.data!.articles.edges.map((e) => e.node);
      // Newest first over the whole archive: a row's previous article is the next row, and back.
      for (let i = 0; i + 1 < nodes.length; i++) {
        expect(nodes[i]!.previous?.id).toBe(nodes[i + 1]!.id);
        expect(nodes[i + 1]!.next?.id).toBe(nodes[i]!.id);
      }
      expect(nodes[0]!.next).toBeNull();
    }
  });
});
