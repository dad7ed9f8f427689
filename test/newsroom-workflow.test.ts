// The newsroom workflow over real HTTP and WebSocket: validation, drafts, publishing, corrections with
// revisions, scheduling exactly once across instances, and the live events each step announces.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { editArticle } from '../src/articles/editing.ts';
import { runDuePublications } from '../src/articles/publishing.ts';
import { decodeGlobalId, encodeGlobalId } from '../src/relay/global-id.ts';
import { graphql } from './generated/index.ts';
import { draftBy, issueTokens, PNG_16x8, type Tokens, upload } from './harness/newsroom.ts';
import { backends, onlyError, startTestServer, type TestServer } from './harness/server.ts';
import { untilSubscriptions, whenSubscriptions } from './harness/live-hub.ts';

const CREATE = graphql(`
  mutation TestCreateArticle($i: CreateArticleInput!) {
    createArticle(input: $i) { article { id slug headline status: publishedAt } }
  }
`);
const UPDATE = graphql(`
  mutation TestUpdateArticle($i: UpdateArticleInput!) {
    updateArticle(input: $i) { article { headline editedAt slug } revision { number headline editedBy } }
  }
`);
const PUBLISH = graphql(`
  mutation TestPublishArticle($id: ID!) { publishArticle(input: { id: $id }) { changed article { publishedAt } } }
`);
const SCHEDULE = graphql(`
  mutation TestScheduleArticle($i: ScheduleArticleInput!) { scheduleArticle(input: $i) { changed article { publishedAt } } }
`);
const UNPUBLISH = graphql(`
  mutation TestUnpublishArticle($id: ID!) { unpublishArticle(input: { id: $id }) { changed } }
`);
const CREATE_SECTION = graphql(`
  mutation TestCreateSection($i: SectionInput!) { createSection(input: $i) { section { slug name } } }
`);
const CREATE_TAG = graphql(`
  mutation TestCreateTag($i: TagInput!) { createTag(input: $i) { tag { slug } } }
`);
const CREATE_PHOTO_ARTICLE = graphql(`
  mutation TestCreatePhotoArticle($i: CreateArticleInput!) {
    createArticle(input: $i) {
      article { id leadImage { url } body { __typename ... on ImageBlock { caption media { url width } } } }
    }
  }
`);
const ARTICLE_ID = graphql(`
  query TestArticleId($id: ID!) { article(id: $id) { id } }
`);
const ARTICLE_REPORTERS = graphql(`
  query TestArticleReporters($id: ID!) { article(id: $id) { reporters { slug } } }
`);
const REPORTER_PAGE = graphql(`
  query TestReporterPage($slug: String!) { reporter(slug: $slug) { articles(first: 1) { totalCount edges { node { id } } } } }
`);
const REVISIONS = graphql(`
  query TestArticleRevisions($id: ID!) { article(id: $id) { revisions { number headline validFrom replacedAt } } }
`);
const SNIPPETS = graphql(`
  query TestSearchSnippets($query: String!) { search(query: $query) { edges { snippet } } }
`);
const FILTERED_SEARCH = graphql(`
  query TestFilteredSearch($query: String!, $filter: ArticleFilter) {
    search(query: $query, filter: $filter) { totalCount edges { node { id } } }
  }
`);
const NODE_ID = graphql(`
  query TestNodeId($id: ID!) { node(id: $id) { id } }
`);
const PUBLISHED = graphql(`
  subscription TestWorkflowPublished { articlePublished { article { id headline byline } } }
`);
const UPDATED = graphql(`
  subscription TestWorkflowUpdated($id: ID!) { articleUpdated(id: $id) { kind article { headline editedAt } } }
`);
const PUBLISHED_HEADLINE = graphql(`
  subscription TestWorkflowPublishedHeadline { articlePublished { article { headline } } }
`);

/**
 * Collects events of one subscription; `ready` resolves once the server holds it, `next(n)` once n
 * events have arrived.
 */
function collect<TData, TVariables>(
  server: TestServer,
  client: Client,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
) {
  const events: { data?: TData | null; error?: unknown }[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const live = server.app.services.live;
  const stats = live.stats();
  const ready = whenSubscriptions(live, stats.published + stats.updated + 1);
  const dispose = client.subscribe<TData>(
    { query: print(document), variables: (variables ?? {}) as Record<string, unknown> },
    {
      next: (value) => {
        events.push(value);
        for (const w of waiters.filter((w) => events.length >= w.n)) w.resolve();
      },
      error: (error) => events.push({ error }),
      complete: () => {},
    },
  );
  return {
    events,
    ready,
    dispose,
    next: (n: number) =>
      new Promise<void>((resolve) => (events.length >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

describe.each(backends())('newsroom workflow on %s', (backend) => {
  let server: TestServer;
  let tokens: Tokens;
  let sectionId: string;
  let reporterId: string;
  let client: Client;

  beforeAll(async () => {
    server = await startTestServer(backend, {
      env: { MEDIA_DIR: `/tmp/newsroom-media-wf-${backend}`, MAX_UPLOAD_BYTES: '4096', PUBLISH_SCHEDULER_MS: '200' },
    });
    tokens = await issueTokens(server);
    sectionId = encodeGlobalId(
      'Section',
      (await server.app.db.prisma.section.findFirstOrThrow({ where: { slug: 'environment' } })).id,
    );
    reporterId = encodeGlobalId('Reporter', tokens.reporterId);
    client = createClient({
      url: server.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
    });
  });
  afterAll(async () => {
    await client?.dispose();
    await server?.stop();
  });

  const gql = <TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    token?: string,
  ) => server.graphql(document, variables, { token });

  describe('validation: a clear error naming the field, nothing half-written', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['empty headline', { headline: '   ' }, 'headline'],
      ['10,000-character headline', { headline: '가'.repeat(10_000) }, 'headline'],
      ['unknown section', { sectionId: encodeGlobalId('Section', 99999) }, 'sectionId'],
      ['section id of another type', { sectionId: encodeGlobalId('Tag', 1) }, 'sectionId'],
      ['malformed section id', { sectionId: '!!!' }, 'sectionId'],
      ['unknown reporter', { reporterIds: [encodeGlobalId('Reporter', 99999)] }, 'reporterIds'],
      ['unknown tag', { tagIds: [encodeGlobalId('Tag', 99999)] }, 'tagIds'],
      ['unknown image in the body', { body: [{ type: 'IMAGE', mediaId: encodeGlobalId('Media', 99999) }] }, 'body'],
      ['empty paragraph', { body: [{ type: 'PARAGRAPH', text: '' }] }, 'body[0].text'],
      ['too many deck lines', { deck: ['1', '2', '3', '4', '5', '6'] }, 'deck'],
    ];
    it.each(cases)('%s', async (_name, override, field) => {
      const before = await server.app.db.prisma.article.count();
      const res = await gql(
        CREATE,
        { i: { headline: '검증 기사', sectionId, reporterIds: [reporterId], tagIds: [], ...override } },
        tokens.editor,
      );
      const error = onlyError(res);
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.field ?? error.extensions?.argumentName).toBe(field);
      expect(error.message).toContain(field);
      expect(await server.app.db.prisma.article.count()).toBe(before);
    });

    it('duplicate slug: refused, and a duplicate headline gets its own readable slug', async () => {
      const first = await gql(CREATE, { i: { headline: '같은 제목의 기사', sectionId } }, tokens.reporter);
      expect(first.data?.createArticle.article?.slug).toBe('같은-제목의-기사');
      const second = await gql(CREATE, { i: { headline: '같은 제목의 기사', sectionId } }, tokens.reporter);
      expect(second.data?.createArticle.article?.slug).toBe('같은-제목의-기사-2');
      const before = await server.app.db.prisma.article.count();
      const dup = onlyError(
        await gql(
          CREATE,
          { i: { headline: '다른 제목', sectionId, reporterIds: [reporterId], slug: '같은-제목의-기사' } },
          tokens.editor,
        ),
      );
      expect(dup.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'slug' });
      expect(await server.app.db.prisma.article.count()).toBe(before);
    });

    it('a taken section or tag slug is a field error on the slug; names lose control characters and line breaks', async () => {
      const section = (slug: string, name: string) => gql(CREATE_SECTION, { i: { slug, name } }, tokens.admin);
      const tag = (slug: string) => gql(CREATE_TAG, { i: { slug, name: '중복' } }, tokens.admin);
      const slug = `dup-${backend}`;
      // NUL never reaches the cleaner: the string-input sanitiser refuses it for every argument.
      expect(onlyError(await section(slug, '과\u0000학')).extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect((await section(slug, '과\u0007학\n기술')).data?.createSection.section).toEqual({
        slug,
        name: '과학 기술',
      });
      // The database's unique constraint decides (no check up front): PGlite and PostgreSQL report it differently.
      expect(onlyError(await section(slug, '또 과학')).extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'slug',
      });
      expect((await tag(slug)).data?.createTag.tag).toEqual({ slug });
      expect(onlyError(await tag(slug)).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'slug' });
    });

    it('an update that fails validation changes nothing', async () => {
      const id = await draftBy(server, tokens.reporterId, '원래 제목');
      const res = await gql(
        UPDATE,
        { i: { id, headline: '새 제목', tagIds: [encodeGlobalId('Tag', 99999)] } },
        tokens.editor,
      );
      expect(onlyError(res).extensions?.field).toBe('tagIds');
      const row = await server.app.db.prisma.article.findUniqueOrThrow({
        where: { id: Number(decodeGlobalId(id, 'id').id) },
      });
      expect(row.headline).toBe('원래 제목');
    });

    it.each([
      ['in the past', new Date(Date.now() - 60_000).toISOString(), 'publishAt'],
      ['more than a year ahead', new Date(Date.now() + 400 * 86_400_000).toISOString(), 'publishAt'],
    ])('schedule date %s', async (_name, publishAt, field) => {
      const id = await draftBy(server, tokens.reporterId);
      const error = onlyError(await gql(SCHEDULE, { i: { id, publishAt } }, tokens.editor));
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      const row = await server.app.db.prisma.article.findUniqueOrThrow({
        where: { id: Number(decodeGlobalId(id, 'id').id) },
      });
      expect(row.status).toBe('DRAFT');
    });

    it('malformed schedule date', async () => {
      const id = await draftBy(server, tokens.reporterId);
      const error = onlyError(await gql(SCHEDULE, { i: { id, publishAt: 'next tuesday' } }, tokens.editor));
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.message).toContain('publishAt');
    });

    it('uploads: a non-image is refused by its bytes, an oversized file while streaming', async () => {
      const before = await server.app.db.prisma.media.count();
      const fake = await upload(server, Buffer.from('<svg onload="alert(1)"></svg>'), {
        token: tokens.reporter,
        filename: 'photo.png',
      });
      expect(fake.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file' });
      const big = await upload(server, Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(10_000)]), {
        token: tokens.reporter,
      });
      expect(big.status).toBe(413);
      expect(big.body.errors[0].message).toMatch(/size limit/i);
      expect(await server.app.db.prisma.media.count()).toBe(before);
    });
  });

  it('draft → publish → correction with revision → unpublish, announced live; drafts never announced', async () => {
    const published = collect(server, client, PUBLISHED);
    await published.ready;
    const created = await gql(
      CREATE,
      {
        i: {
          headline: '초안: 한강 수질 조사',
          sectionId,
          body: [{ type: 'PARAGRAPH', text: '한강 수질 첫 문단 <script>alert(1)</script>' }],
        },
      },
      tokens.reporter,
    );
    const id = created.data!.createArticle.article!.id;
    expect(created.data?.createArticle.article?.status).toBeNull();
    // Reporters edit their own drafts freely: no revision, no editedAt.
    const draftEdit = await gql(UPDATE, { i: { id, headline: '한강 수질 조사 결과 발표' } }, tokens.reporter);
    expect(draftEdit.data?.updateArticle).toMatchObject({
      article: { headline: '한강 수질 조사 결과 발표', editedAt: null },
      revision: null,
    });
    expect((await gql(ARTICLE_ID, { id })).data?.article).toBeNull();

    const updates = collect(server, client, UPDATED, { id });
    const pub = await gql(PUBLISH, { id }, tokens.editor);
    expect(pub.data?.publishArticle.changed).toBe(true);
    await published.next(1);
    expect(published.events[0]!.data?.articlePublished.article).toMatchObject({
      id,
      headline: '한강 수질 조사 결과 발표',
      byline: expect.stringContaining('기자'),
    });
    expect((await gql(PUBLISH, { id }, tokens.editor)).data?.publishArticle.changed).toBe(false);
    // The reporter's and the tag-less section's pages list it at once (link-table ranges kept by trigger).
    const reporterSlug = (await gql(ARTICLE_REPORTERS, { id })).data!.article!.reporters[0]!.slug;
    const listed = (await gql(REPORTER_PAGE, { slug: reporterSlug })).data!.reporter!.articles;
    expect(listed.edges[0]?.node.id).toBe(id);

    // A correction after publication: editedAt (기사수정), a revision with the replaced version, an event.
    const fix = await gql(UPDATE, { i: { id, headline: '한강 수질 조사 결과 발표(수정)' } }, tokens.editor);
    expect(fix.errors).toBeUndefined();
    expect(fix.data?.updateArticle.article?.editedAt).not.toBeNull();
    expect(fix.data?.updateArticle.revision).toEqual({
      number: 1,
      headline: '한강 수질 조사 결과 발표',
      editedBy: 'editor',
    });
    await updates.next(1);
    expect(updates.events[0]!.data?.articleUpdated).toMatchObject({
      kind: 'EDITED',
      article: { headline: '한강 수질 조사 결과 발표(수정)' },
    });
    const slugChange = onlyError(await gql(UPDATE, { i: { id, slug: 'new-slug' } }, tokens.editor));
    expect(slugChange.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'slug' });
    const history = await gql(REVISIONS, { id }, tokens.editor);
    expect(history.data?.article?.revisions).toHaveLength(1);

    // Plain text stays plain text: search highlights escape it.
    const found = await gql(SNIPPETS, { query: '한강 수질' });
    expect(found.data?.search.edges[0]?.snippet).toContain('&lt;script&gt;');
    expect(found.data?.search.edges[0]?.snippet).not.toContain('<script>');

    await gql(UNPUBLISH, { id }, tokens.editor);
    await updates.next(2);
    expect(updates.events[1]!.data?.articleUpdated).toEqual({ kind: 'UNPUBLISHED', article: null });
    expect((await gql(ARTICLE_ID, { id })).data?.article).toBeNull();
    const unlisted = (await gql(REPORTER_PAGE, { slug: reporterSlug })).data!.reporter!.articles;
    expect(unlisted.edges[0]?.node.id).not.toBe(id);
    expect(unlisted.totalCount).toBe(listed.totalCount - 1);
    // Nothing but the one publication reached the subscriber: no draft, no edit of a draft.
    expect(published.events).toHaveLength(1);
    published.dispose();
    updates.dispose();
  });

  it('an uploaded photo is stored, served at /media and placed in the body and as lead image', async () => {
    const up = await upload(server, PNG_16x8, { token: tokens.reporter, caption: '한강 전경' });
    expect(up.body.errors).toBeUndefined();
    const media = up.body.data?.uploadImage;
    expect(media).toMatchObject({
      width: 16,
      height: 8,
      caption: '한강 전경',
      url: expect.stringMatching(/^\/media\/\d{4}\/\d{2}\/[0-9a-f]{24}\.png$/),
    });
    const served = await fetch(new URL(media.url, server.url));
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG_16x8)).toBe(true);
    for (const bad of [
      '/media/../../etc/passwd',
      '/media/2026/11/..%2f..%2fsecret.png',
      '/media/x.png',
      '/media/%E0',
      '/media/%',
    ]) {
      expect((await fetch(new URL(bad, server.url))).status).toBe(404);
    }
    // Photos are reached through visible articles, never enumerated by id.
    expect((await gql(NODE_ID, { id: media.id })).data?.node).toBeNull();
    const created = await gql(
      CREATE_PHOTO_ARTICLE,
      {
        i: {
          headline: '사진 기사',
          sectionId,
          leadImageId: media.id,
          body: [
            { type: 'PARAGRAPH', text: '본문' },
            { type: 'IMAGE', mediaId: media.id, caption: '사진 설명' },
            { type: 'IMAGE', mediaId: media.id },
          ],
        },
      },
      tokens.reporter,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.createArticle.article?.leadImage?.url).toBe(media.url);
    expect(created.data?.createArticle.article?.body[1]).toEqual({
      __typename: 'ImageBlock',
      caption: '사진 설명',
      media: { url: media.url, width: 16 },
    });
    // A placement without its own caption prints the photo's.
    expect(created.data?.createArticle.article?.body[2]).toEqual({
      __typename: 'ImageBlock',
      caption: '한강 전경',
      media: { url: media.url, width: 16 },
    });
  });

  it('a live article cannot be scheduled (it would vanish silently); headlines stay on one line', async () => {
    const id = await draftBy(server, tokens.reporterId, '이미 공개된 기사');
    await gql(PUBLISH, { id }, tokens.editor);
    const error = onlyError(
      await gql(SCHEDULE, { i: { id, publishAt: new Date(Date.now() + 3_600_000).toISOString() } }, tokens.editor),
    );
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect((await gql(ARTICLE_ID, { id })).data?.article).toEqual({ id });
    const fixed = await gql(UPDATE, { i: { id, headline: '첫 줄\r\nBcc: x@example.com\n둘째 줄' } }, tokens.editor);
    expect(fixed.data?.updateArticle.article?.headline).toBe('첫 줄 Bcc: x@example.com 둘째 줄');
  });

  // Search meets a section, reporter or tag filter through facet tokens the write stores with the words.
  it('a filtered search follows the section, byline and tags an edit gives an article', async () => {
    const { prisma } = server.app.db;
    const [own, other] = await Promise.all([
      prisma.reporter.findUniqueOrThrow({ where: { id: tokens.reporterId }, select: { slug: true } }),
      prisma.reporter.findFirstOrThrow({ where: { id: { not: tokens.reporterId } }, select: { id: true, slug: true } }),
    ]);
    const tag = await prisma.tag.findFirstOrThrow({ select: { id: true, slug: true } });
    const created = await gql(
      CREATE,
      {
        i: {
          headline: '갯벌복원 사업 첫 성과',
          sectionId,
          reporterIds: [reporterId],
          tagIds: [encodeGlobalId('Tag', tag.id)],
        },
      },
      tokens.editor,
    );
    const id = created.data!.createArticle.article!.id;
    await gql(PUBLISH, { id }, tokens.editor);
    const found = async (filter: Record<string, unknown>) => {
      const res = await gql(FILTERED_SEARCH, { query: '갯벌복원', filter });
      expect(res.errors).toBeUndefined();
      return res.data!.search.edges.map((e) => e.node.id);
    };
    expect(await found({ section: 'environment' })).toEqual([id]);
    expect(await found({ reporter: own.slug, tag: tag.slug })).toEqual([id]);
    expect(await found({ section: 'economy' })).toEqual([]);
    expect(await found({ reporter: other.slug })).toEqual([]);
    expect(await found({ reporter: 'no-such-reporter' })).toEqual([]);

    // A text-only correction keeps the facets; a move changes them.
    await gql(UPDATE, { i: { id, headline: '갯벌복원 사업 첫 성과(수정)' } }, tokens.editor);
    expect(await found({ reporter: own.slug, tag: tag.slug, section: 'environment' })).toEqual([id]);
    const economy = await prisma.section.findUniqueOrThrow({ where: { slug: 'economy' }, select: { id: true } });
    const moved = await gql(
      UPDATE,
      {
        i: {
          id,
          sectionId: encodeGlobalId('Section', economy.id),
          reporterIds: [encodeGlobalId('Reporter', other.id)],
          tagIds: [],
        },
      },
      tokens.editor,
    );
    expect(moved.errors).toBeUndefined();
    expect(await found({ section: 'economy', reporter: other.slug })).toEqual([id]);
    expect(await found({ section: 'environment' })).toEqual([]);
    expect(await found({ reporter: own.slug })).toEqual([]);
    expect(await found({ tag: tag.slug })).toEqual([]);
    const row = await prisma.article.findUniqueOrThrow({
      where: { id: Number(decodeGlobalId(id, 'id').id) },
      select: { searchTokens: true },
    });
    expect(row.searchTokens.filter((t) => t.includes(':'))).toEqual([`section:${economy.id}`, `reporter:${other.id}`]);
  });

  it("a reporter's edit of a draft an editor has just published is refused inside the write", async () => {
    const id = await draftBy(server, tokens.reporterId, '경합 초안');
    const numeric = Number(decodeGlobalId(id, 'id').id);
    await server.app.db.prisma.article.update({
      where: { id: numeric },
      data: { status: 'PUBLISHED', publishedAt: new Date() },
    });
    await expect(
      editArticle(server.app.services, numeric, { headline: '기자가 고친 제목' }, null, tokens.reporterId),
    ).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    expect((await server.app.db.prisma.article.findUniqueOrThrow({ where: { id: numeric } })).headline).toBe(
      '경합 초안',
    );
  });

  it('a scheduled article goes live when its time comes, announced once', async () => {
    // Subscriptions of the previous test are gone on the server before counting new ones.
    await untilSubscriptions(server.app.services.live, (s) => s.published + s.updated === 0);
    const published = collect(server, client, PUBLISHED_HEADLINE);
    await published.ready;
    const id = await draftBy(server, tokens.reporterId, '예약 기사: 내일 아침 공개');
    const at = new Date(Date.now() + 600);
    const res = await gql(SCHEDULE, { i: { id, publishAt: at.toISOString() } }, tokens.editor);
    expect(res.data?.scheduleArticle.article?.publishedAt).toBe(at.toISOString());
    expect((await gql(ARTICLE_ID, { id })).data?.article).toBeNull();
    await published.next(1);
    expect(published.events[0]!.data?.articlePublished.article?.headline).toBe('예약 기사: 내일 아침 공개');
    expect((await gql(ARTICLE_ID, { id })).data?.article).toEqual({ id });
    published.dispose();
  });

  if (backend === 'postgres') {
    it('several instances running the scheduler publish each due article exactly once', async () => {
      const other = await startTestServer('postgres', {
        env: {
          DATABASE_URL: (server.app.services.config.database as { url: string }).url,
          SEED_DEMO: 'false',
          PUBLISH_SCHEDULER_MS: '0',
        },
      });
      try {
        const ids = await Promise.all(
          Array.from({ length: 12 }, (_, i) => draftBy(server, tokens.reporterId, `동시 예약 ${i}`)),
        );
        const numeric = ids.map((id) => Number(decodeGlobalId(id, 'id').id));
        // The first server's own scheduler runs too (every 200 ms): count announcements on both
        // instances, not only the explicit runs' return values.
        const announced: number[] = [];
        let wake = () => {};
        const offs = [server, other].map((s) =>
          s.app.pubsub.listen('article:published', (d) => {
            if (numeric.includes(d.payload.articleId)) announced.push(d.payload.articleId);
            wake();
          }),
        );
        const due = new Date(Date.now() - 1000);
        await server.app.db.prisma.article.updateMany({
          where: { id: { in: numeric } },
          data: { status: 'SCHEDULED', publishedAt: due },
        });
        const runs = await Promise.all([
          runDuePublications(server.app.services),
          runDuePublications(other.app.services),
          runDuePublications(server.app.services),
          runDuePublications(other.app.services),
        ]);
        const all = runs.flat().filter((id) => numeric.includes(id));
        expect(new Set(all).size).toBe(all.length);
        while (announced.length < numeric.length) await new Promise<void>((resolve) => (wake = resolve));
        for (const off of offs) off();
        expect([...announced].sort()).toEqual([...numeric].sort());
      } finally {
        await other.stop();
      }
    });
  }
});
