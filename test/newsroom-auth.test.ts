// The authorisation matrix: every mutation × every kind of caller, allowed or denied exactly as
// specified, with UNAUTHENTICATED / FORBIDDEN, and nothing written when denied.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishArticle } from '../src/articles/publishing.ts';
import { createApiToken } from '../src/auth/tokens.ts';
import type { PrismaClient } from '../src/generated/prisma/client.ts';
import { decodeGlobalId, encodeGlobalId } from '../src/relay/global-id.ts';
import { graphql } from './generated/index.ts';
import { TestSectionSlugsDocument } from './generated/graphql.ts';
import { draftBy, issueTokens, PNG_16x8, type Tokens, upload } from './harness/newsroom.ts';
import { backends, type GraphQLResponse, startTestServer, type TestServer } from './harness/server.ts';

type Actor = 'anonymous' | 'reporterOwn' | 'reporterOther' | 'editor' | 'admin' | 'revoked' | 'malformed';
type Outcome = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN';
const ACTORS: Actor[] = ['anonymous', 'reporterOwn', 'reporterOther', 'editor', 'admin', 'revoked', 'malformed'];

const ok = 'ok' as const;
const U = 'UNAUTHENTICATED' as const;
const F = 'FORBIDDEN' as const;
// Columns: anonymous, reporter (own article), reporter (other's article), editor, admin, revoked token, malformed token.
const row = (...outcomes: Outcome[]) =>
  Object.fromEntries(ACTORS.map((a, i) => [a, outcomes[i]!])) as Record<Actor, Outcome>;

/** What each mutation acts on: the reporter's own or another reporter's article, in the state it needs. */
interface Target {
  article: string;
}

/** Global ids the cases act on. */
interface Ids {
  section: string;
  reporter: string;
  tag: string;
  published: string;
  /** A fresh EDITOR token for each case (revokeApiToken). */
  spareToken: string;
}

interface Case {
  name: string;
  expect: Record<Actor, Outcome>;
  /** 'draft' or 'published' article to act on (own/other per actor). */
  needs?: 'draft' | 'published';
  run(server: TestServer, token: string | undefined, target: Target, ids: Ids): Promise<GraphQLResponse>;
}

const m = <TData, TVariables>(
  server: TestServer,
  token: string | undefined,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
) => server.graphql(document, variables, { token });

const CREATE_ARTICLE = graphql(`
  mutation TestAuthCreateArticle($i: CreateArticleInput!) { createArticle(input: $i) { article { id } } }
`);
const UPDATE_ARTICLE = graphql(`
  mutation TestAuthUpdateArticle($i: UpdateArticleInput!) { updateArticle(input: $i) { article { headline } } }
`);
const PUBLISH_ARTICLE = graphql(`
  mutation TestAuthPublishArticle($i: ArticleIdInput!) { publishArticle(input: $i) { changed } }
`);
const SCHEDULE_ARTICLE = graphql(`
  mutation TestAuthScheduleArticle($i: ScheduleArticleInput!) { scheduleArticle(input: $i) { changed } }
`);
const UNPUBLISH_ARTICLE = graphql(`
  mutation TestAuthUnpublishArticle($i: ArticleIdInput!) { unpublishArticle(input: $i) { changed } }
`);
const ARCHIVE_ARTICLE = graphql(`
  mutation TestAuthArchiveArticle($i: ArticleIdInput!) { archiveArticle(input: $i) { changed } }
`);
const DELETE_ARTICLE = graphql(`
  mutation TestAuthDeleteArticle($i: ArticleIdInput!) { deleteArticle(input: $i) { changed } }
`);
const CREATE_SECTION = graphql(`
  mutation TestAuthCreateSection($i: SectionInput!) { createSection(input: $i) { section { id } } }
`);
const UPDATE_SECTION = graphql(`
  mutation TestAuthUpdateSection($id: ID!, $i: SectionInput!) { updateSection(id: $id, input: $i) { section { name } } }
`);
const REORDER_SECTIONS = graphql(`
  mutation TestAuthReorderSections($ids: [ID!]!) { reorderSections(ids: $ids) { slug } }
`);
const CREATE_REPORTER = graphql(`
  mutation TestAuthCreateReporter($i: ReporterInput!) { createReporter(input: $i) { reporter { id } } }
`);
const UPDATE_REPORTER = graphql(`
  mutation TestAuthUpdateReporter($id: ID!, $i: ReporterInput!) { updateReporter(id: $id, input: $i) { reporter { bio } } }
`);
const CREATE_TAG = graphql(`
  mutation TestAuthCreateTag($i: TagInput!) { createTag(input: $i) { tag { id } } }
`);
const UPDATE_TAG = graphql(`
  mutation TestAuthUpdateTag($id: ID!, $i: TagInput!) { updateTag(id: $id, input: $i) { tag { name } } }
`);
const CREATE_API_TOKEN = graphql(`
  mutation TestAuthCreateApiToken($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id } } }
`);
const REVOKE_API_TOKEN = graphql(`
  mutation TestAuthRevokeApiToken($id: ID!) { revokeApiToken(id: $id) { revokedAt } }
`);
const LIKE_ARTICLE = graphql(`
  mutation TestAuthLikeArticle($i: LikeArticleInput!) { likeArticle(input: $i) { liked } }
`);
const EMAIL_ARTICLE = graphql(`
  mutation TestAuthEmailArticle($i: EmailArticleInput!) { emailArticle(input: $i) { messageId } }
`);
const SECTION_IDS = graphql(`
  query TestSectionIds { sections { id } }
`);
const ARTICLE_PREVIEW = graphql(`
  query TestArticlePreview($id: ID!) { article(id: $id, preview: true) { headline } }
`);
const ARTICLE_HEADLINE = graphql(`
  query TestArticleHeadline($id: ID!) { article(id: $id) { headline } }
`);
const REVISION_NUMBERS = graphql(`
  query TestArticleRevisionNumbers($id: ID!) { article(id: $id) { revisions { number } } }
`);
const API_TOKENS = graphql(`
  query TestApiTokens { apiTokens { name role prefix revokedAt } }
`);

const CASES: Case[] = [
  {
    name: 'createArticle',
    expect: row(U, ok, ok, ok, ok, U, U),
    run: (s, token, _t, ids) =>
      m(s, token, CREATE_ARTICLE, {
        i: { headline: '새 기사', sectionId: ids.section, reporterIds: [ids.reporter] },
      }),
  },
  {
    name: 'updateArticle',
    needs: 'draft',
    expect: row(U, ok, F, ok, ok, U, U),
    run: (s, token, t) => m(s, token, UPDATE_ARTICLE, { i: { id: t.article, headline: '고친 제목' } }),
  },
  {
    name: 'updateArticle (published)',
    needs: 'published',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token, t) => m(s, token, UPDATE_ARTICLE, { i: { id: t.article, headline: '고친 제목' } }),
  },
  {
    name: 'publishArticle',
    needs: 'draft',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token, t) => m(s, token, PUBLISH_ARTICLE, { i: { id: t.article } }),
  },
  {
    name: 'scheduleArticle',
    needs: 'draft',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token, t) =>
      m(s, token, SCHEDULE_ARTICLE, {
        i: { id: t.article, publishAt: new Date(Date.now() + 3_600_000).toISOString() },
      }),
  },
  {
    name: 'unpublishArticle',
    needs: 'published',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token, t) => m(s, token, UNPUBLISH_ARTICLE, { i: { id: t.article } }),
  },
  {
    name: 'archiveArticle',
    needs: 'published',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token, t) => m(s, token, ARCHIVE_ARTICLE, { i: { id: t.article } }),
  },
  {
    name: 'deleteArticle',
    needs: 'draft',
    expect: row(U, ok, F, ok, ok, U, U),
    run: (s, token, t) => m(s, token, DELETE_ARTICLE, { i: { id: t.article } }),
  },
  {
    name: 'deleteArticle (published)',
    needs: 'published',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token, t) => m(s, token, DELETE_ARTICLE, { i: { id: t.article } }),
  },
  {
    name: 'uploadImage',
    expect: row(U, ok, ok, ok, ok, U, U),
    run: async (s, token) => (await upload(s, PNG_16x8, { token })).body,
  },
  {
    name: 'createSection',
    expect: row(U, F, F, F, ok, U, U),
    run: (s, token) =>
      m(s, token, CREATE_SECTION, { i: { slug: `s-${Math.random().toString(36).slice(2, 8)}`, name: '과학' } }),
  },
  {
    name: 'updateSection',
    expect: row(U, F, F, F, ok, U, U),
    run: (s, token, _t, ids) => m(s, token, UPDATE_SECTION, { id: ids.section, i: { name: '환경·기후' } }),
  },
  {
    name: 'reorderSections',
    expect: row(U, F, F, F, ok, U, U),
    run: async (s, token) => {
      const { data } = await s.graphql(SECTION_IDS);
      return m(s, token, REORDER_SECTIONS, { ids: data!.sections.map((x) => x.id).reverse() });
    },
  },
  {
    name: 'createReporter',
    expect: row(U, F, F, F, ok, U, U),
    run: (s, token) =>
      m(s, token, CREATE_REPORTER, { i: { slug: `r-${Math.random().toString(36).slice(2, 8)}`, name: '신입' } }),
  },
  {
    name: 'updateReporter',
    expect: row(U, F, F, F, ok, U, U),
    run: (s, token, _t, ids) => m(s, token, UPDATE_REPORTER, { id: ids.reporter, i: { bio: '소개' } }),
  },
  {
    name: 'createTag',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token) =>
      m(s, token, CREATE_TAG, { i: { slug: `t-${Math.random().toString(36).slice(2, 8)}`, name: '태그' } }),
  },
  {
    name: 'updateTag',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token, _t, ids) => m(s, token, UPDATE_TAG, { id: ids.tag, i: { name: '기후변화' } }),
  },
  {
    name: 'createApiToken',
    expect: row(U, F, F, F, ok, U, U),
    run: (s, token) => m(s, token, CREATE_API_TOKEN, { i: { name: 'desk', role: 'EDITOR' } }),
  },
  {
    name: 'revokeApiToken',
    expect: row(U, F, F, F, ok, U, U),
    run: (s, token, _t, ids) => m(s, token, REVOKE_API_TOKEN, { id: ids.spareToken }),
  },
  {
    name: 'likeArticle',
    expect: row(ok, ok, ok, ok, ok, U, U),
    run: (s, token, _t, ids) =>
      m(s, token, LIKE_ARTICLE, {
        i: { articleId: ids.published, visitorId: `v-${Math.random().toString(36).slice(2)}` },
      }),
  },
  {
    name: 'emailArticle',
    expect: row(ok, ok, ok, ok, ok, U, U),
    run: (s, token, _t, ids) =>
      m(s, token, EMAIL_ARTICLE, {
        i: {
          articleId: ids.published,
          to: `reader${Math.floor(Math.random() * 1e9)}@example.com`,
          senderName: '독자',
          visitorId: `v-${Math.random().toString(36).slice(2)}`,
        },
      }),
  },
];

async function snapshot(prisma: PrismaClient): Promise<string> {
  const [articles, sections, reporters, tags, tokens, media, likes, revisions, bylines] = await Promise.all([
    prisma.article.findMany({
      select: {
        id: true,
        status: true,
        headline: true,
        publishedAt: true,
        deletedAt: true,
        editedAt: true,
        likeCount: true,
      },
      orderBy: { id: 'asc' },
    }),
    prisma.section.findMany({ orderBy: { id: 'asc' } }),
    prisma.reporter.findMany({ orderBy: { id: 'asc' } }),
    prisma.tag.findMany({ orderBy: { id: 'asc' } }),
    prisma.apiToken.findMany({ select: { id: true, name: true, revokedAt: true }, orderBy: { id: 'asc' } }),
    prisma.media.count(),
    prisma.articleLike.count(),
    prisma.articleRevision.count(),
    prisma.articleReporter.count(),
  ]);
  return JSON.stringify({ articles, sections, reporters, tags, tokens, media, likes, revisions, bylines });
}

describe.each(backends())('authorisation matrix on %s', (backend) => {
  let server: TestServer;
  let tokens: Tokens;
  const ids = {} as Ids;

  beforeAll(async () => {
    server = await startTestServer(backend, {
      env: {
        MEDIA_DIR: `/tmp/newsroom-media-${backend}`,
        OUTBOX_DIR: `/tmp/newsroom-outbox-${backend}`,
        EMAIL_LIMIT_PER_IP: '10000',
      },
    });
    tokens = await issueTokens(server);
    const prisma = server.app.db.prisma;
    ids.section = encodeGlobalId(
      'Section',
      (await prisma.section.findFirstOrThrow({ where: { slug: 'environment' } })).id,
    );
    ids.reporter = encodeGlobalId('Reporter', tokens.reporterId);
    ids.tag = encodeGlobalId('Tag', (await prisma.tag.findFirstOrThrow({ where: { slug: 'climate' } })).id);
    ids.published = encodeGlobalId(
      'Article',
      (await prisma.article.findFirstOrThrow({ where: { status: 'PUBLISHED' }, orderBy: { id: 'asc' } })).id,
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  function tokenFor(actor: Actor): string | undefined {
    switch (actor) {
      case 'anonymous':
        return undefined;
      case 'reporterOwn':
      case 'reporterOther':
        return tokens.reporter;
      default:
        return tokens[actor];
    }
  }

  async function targetFor(c: Case, actor: Actor): Promise<Target> {
    if (!c.needs) return { article: '' };
    const reporterId = actor === 'reporterOwn' ? tokens.reporterId : tokens.otherReporterId;
    const article = await draftBy(server, reporterId, `${c.name} ${actor}`);
    if (c.needs === 'published') await publishArticle(server.app.services, Number(decodeGlobalId(article, 'id').id));
    return { article };
  }

  const table = CASES.flatMap((c) => ACTORS.map((actor) => [c.name, actor, c.expect[actor], c] as const));

  it.each(table)('%s as %s: %s', async (_name, actor, outcome, c) => {
    const target = await targetFor(c, actor);
    ids.spareToken = encodeGlobalId(
      'ApiToken',
      (await createApiToken(server.app.db.prisma, { name: 'spare', role: 'EDITOR' })).id,
    );
    const before = await snapshot(server.app.db.prisma);
    const res = await c.run(server, tokenFor(actor), target, ids);
    if (outcome === 'ok') {
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      expect(Object.values(res.data ?? {})[0]).toBeTruthy();
    } else {
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual([outcome]);
      expect(await snapshot(server.app.db.prisma)).toBe(before);
    }
  });

  it('reads stay public, but a revoked or malformed token is refused on every request', async () => {
    expect((await server.graphql(TestSectionSlugsDocument)).errors).toBeUndefined();
    expect((await server.graphql(TestSectionSlugsDocument, {}, { token: tokens.editor })).errors).toBeUndefined();
    for (const token of [tokens.revoked, tokens.malformed, `nws_${'x'.repeat(43)}`]) {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ sections { slug } }' }),
      });
      expect(res.status).toBe(401);
      expect((await res.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('only editors see revisions and the token list; only newsroom tokens preview drafts', async () => {
    const draft = await draftBy(server, tokens.reporterId, '미리보기 초안');
    const other = await draftBy(server, tokens.otherReporterId, '남의 초안');
    const preview = ARTICLE_PREVIEW;
    expect((await server.graphql(preview, { id: draft })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await server.graphql(ARTICLE_HEADLINE, { id: draft }, { token: tokens.editor })).data?.article).toBeNull();
    expect((await server.graphql(preview, { id: draft }, { token: tokens.editor })).data?.article?.headline).toBe(
      '미리보기 초안',
    );
    expect((await server.graphql(preview, { id: draft }, { token: tokens.reporter })).data?.article?.headline).toBe(
      '미리보기 초안',
    );
    expect(
      (await server.graphql(preview, { id: other }, { token: tokens.reporter })).errors?.[0]?.extensions?.code,
    ).toBe('FORBIDDEN');
    const revisions = REVISION_NUMBERS;
    const anon = await server.graphql(revisions, { id: ids.published });
    expect(anon.data?.article?.revisions).toBeNull();
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(
      (await server.graphql(revisions, { id: ids.published }, { token: tokens.reporter })).errors?.[0]?.extensions
        ?.code,
    ).toBe('FORBIDDEN');
    expect(
      (await server.graphql(revisions, { id: ids.published }, { token: tokens.editor })).data?.article?.revisions,
    ).toEqual(expect.any(Array));
    expect((await server.graphql(API_TOKENS, {}, { token: tokens.editor })).errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );
    const list = await server.graphql(API_TOKENS, {}, { token: tokens.admin });
    expect(list.data?.apiTokens.map((t) => t.name)).toEqual(
      expect.arrayContaining(['reporter', 'editor', 'admin', 'revoked']),
    );
    expect(JSON.stringify(list)).not.toContain(tokens.editor);
  });
});
