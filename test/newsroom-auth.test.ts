// The authorisation matrix: every mutation × every kind of caller, allowed or denied exactly as
// specified, with UNAUTHENTICATED / FORBIDDEN, and nothing written when denied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishArticle } from '../src/articles/publishing.ts';
import { createApiToken } from '../src/auth/tokens.ts';
import type { PrismaClient } from '../src/generated/prisma/client.ts';
import { decodeGlobalId, encodeGlobalId } from '../src/relay/global-id.ts';
import { draftBy, issueTokens, PNG_16x8, type Tokens, upload } from './harness/newsroom.ts';
import { backends, type GraphQLResponse, startTestServer, type TestServer } from './harness/server.ts';

type Actor = 'anonymous' | 'reporterOwn' | 'reporterOther' | 'editor' | 'admin' | 'revoked' | 'malformed';
type Outcome = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN';
const ACTORS: Actor[] = ['anonymous', 'reporterOwn', 'reporterOther', 'editor', 'admin', 'revoked', 'malformed'];

const ok = 'ok' as const;
const U = 'UNAUTHENTICATED' as const;
const F = 'FORBIDDEN' as const;
// Columns: anonymous, reporter (own article), reporter (other's article), editor, admin, revoked token, malformed token.
const row = (...outcomes: Outcome[]) => Object.fromEntries(ACTORS.map((a, i) => [a, outcomes[i]!])) as Record<Actor, Outcome>;

/** What each mutation acts on: the reporter's own or another reporter's article, in the state it needs. */
interface Target {
  article: string;
}

interface Case {
  name: string;
  expect: Record<Actor, Outcome>;
  /** 'draft' or 'published' article to act on (own/other per actor). */
  needs?: 'draft' | 'published';
  run(server: TestServer, token: string | undefined, target: Target, ids: Record<string, string>): Promise<GraphQLResponse>;
}

const m = (server: TestServer, token: string | undefined, query: string, variables: Record<string, unknown>) => server.graphql(query, variables, { token });

const CASES: Case[] = [
  {
    name: 'createArticle',
    expect: row(U, ok, ok, ok, ok, U, U),
    run: (s, token, _t, ids) =>
      m(s, token, 'mutation($i: CreateArticleInput!) { createArticle(input: $i) { article { id } } }', {
        i: { headline: '새 기사', sectionId: ids.section, reporterIds: [ids.reporter] },
      }),
  },
  {
    name: 'updateArticle',
    needs: 'draft',
    expect: row(U, ok, F, ok, ok, U, U),
    run: (s, token, t) => m(s, token, 'mutation($i: UpdateArticleInput!) { updateArticle(input: $i) { article { headline } } }', { i: { id: t.article, headline: '고친 제목' } }),
  },
  {
    name: 'updateArticle (published)',
    needs: 'published',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token, t) => m(s, token, 'mutation($i: UpdateArticleInput!) { updateArticle(input: $i) { article { headline } } }', { i: { id: t.article, headline: '고친 제목' } }),
  },
  {
    name: 'publishArticle',
    needs: 'draft',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token, t) => m(s, token, 'mutation($i: ArticleIdInput!) { publishArticle(input: $i) { changed } }', { i: { id: t.article } }),
  },
  {
    name: 'scheduleArticle',
    needs: 'draft',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token, t) =>
      m(s, token, 'mutation($i: ScheduleArticleInput!) { scheduleArticle(input: $i) { changed } }', {
        i: { id: t.article, publishAt: new Date(Date.now() + 3_600_000).toISOString() },
      }),
  },
  {
    name: 'unpublishArticle',
    needs: 'published',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token, t) => m(s, token, 'mutation($i: ArticleIdInput!) { unpublishArticle(input: $i) { changed } }', { i: { id: t.article } }),
  },
  {
    name: 'archiveArticle',
    needs: 'published',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token, t) => m(s, token, 'mutation($i: ArticleIdInput!) { archiveArticle(input: $i) { changed } }', { i: { id: t.article } }),
  },
  {
    name: 'deleteArticle',
    needs: 'draft',
    expect: row(U, ok, F, ok, ok, U, U),
    run: (s, token, t) => m(s, token, 'mutation($i: ArticleIdInput!) { deleteArticle(input: $i) { changed } }', { i: { id: t.article } }),
  },
  {
    name: 'deleteArticle (published)',
    needs: 'published',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token, t) => m(s, token, 'mutation($i: ArticleIdInput!) { deleteArticle(input: $i) { changed } }', { i: { id: t.article } }),
  },
  {
    name: 'uploadImage',
    expect: row(U, ok, ok, ok, ok, U, U),
    run: async (s, token) => (await upload(s, PNG_16x8, { token })).body,
  },
  {
    name: 'createSection',
    expect: row(U, F, F, F, ok, U, U),
    run: (s, token) => m(s, token, 'mutation($i: SectionInput!) { createSection(input: $i) { section { id } } }', { i: { slug: `s-${Math.random().toString(36).slice(2, 8)}`, name: '과학' } }),
  },
  {
    name: 'updateSection',
    expect: row(U, F, F, F, ok, U, U),
    run: (s, token, _t, ids) => m(s, token, 'mutation($id: ID!, $i: SectionInput!) { updateSection(id: $id, input: $i) { section { name } } }', { id: ids.section, i: { name: '환경·기후' } }),
  },
  {
    name: 'reorderSections',
    expect: row(U, F, F, F, ok, U, U),
    run: async (s, token) => {
      const { data } = await s.graphql('{ sections { id } }');
      return m(s, token, 'mutation($ids: [ID!]!) { reorderSections(ids: $ids) { slug } }', { ids: data.sections.map((x: { id: string }) => x.id).reverse() });
    },
  },
  {
    name: 'createReporter',
    expect: row(U, F, F, F, ok, U, U),
    run: (s, token) => m(s, token, 'mutation($i: ReporterInput!) { createReporter(input: $i) { reporter { id } } }', { i: { slug: `r-${Math.random().toString(36).slice(2, 8)}`, name: '신입' } }),
  },
  {
    name: 'updateReporter',
    expect: row(U, F, F, F, ok, U, U),
    run: (s, token, _t, ids) => m(s, token, 'mutation($id: ID!, $i: ReporterInput!) { updateReporter(id: $id, input: $i) { reporter { bio } } }', { id: ids.reporter, i: { bio: '소개' } }),
  },
  {
    name: 'createTag',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token) => m(s, token, 'mutation($i: TagInput!) { createTag(input: $i) { tag { id } } }', { i: { slug: `t-${Math.random().toString(36).slice(2, 8)}`, name: '태그' } }),
  },
  {
    name: 'updateTag',
    expect: row(U, F, F, ok, ok, U, U),
    run: (s, token, _t, ids) => m(s, token, 'mutation($id: ID!, $i: TagInput!) { updateTag(id: $id, input: $i) { tag { name } } }', { id: ids.tag, i: { name: '기후변화' } }),
  },
  {
    name: 'createApiToken',
    expect: row(U, F, F, F, ok, U, U),
    run: (s, token) => m(s, token, 'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id } } }', { i: { name: 'desk', role: 'EDITOR' } }),
  },
  {
    name: 'revokeApiToken',
    expect: row(U, F, F, F, ok, U, U),
    run: (s, token, _t, ids) => m(s, token, 'mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id: ids.spareToken }),
  },
  {
    name: 'likeArticle',
    expect: row(ok, ok, ok, ok, ok, U, U),
    run: (s, token, _t, ids) =>
      m(s, token, 'mutation($i: LikeArticleInput!) { likeArticle(input: $i) { liked } }', { i: { articleId: ids.published, visitorId: `v-${Math.random().toString(36).slice(2)}` } }),
  },
  {
    name: 'emailArticle',
    expect: row(ok, ok, ok, ok, ok, U, U),
    run: (s, token, _t, ids) =>
      m(s, token, 'mutation($i: EmailArticleInput!) { emailArticle(input: $i) { messageId } }', {
        i: { articleId: ids.published, to: `reader${Math.floor(Math.random() * 1e9)}@example.com`, senderName: '독자', visitorId: `v-${Math.random().toString(36).slice(2)}` },
      }),
  },
];

async function snapshot(prisma: PrismaClient): Promise<string> {
  const [articles, sections, reporters, tags, tokens, media, likes, revisions, bylines] = await Promise.all([
    prisma.article.findMany({ select: { id: true, status: true, headline: true, publishedAt: true, deletedAt: true, editedAt: true, likeCount: true }, orderBy: { id: 'asc' } }),
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
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer(backend, { env: { MEDIA_DIR: `/tmp/newsroom-media-${backend}`, OUTBOX_DIR: `/tmp/newsroom-outbox-${backend}`, EMAIL_LIMIT_PER_IP: '10000' } });
    tokens = await issueTokens(server);
    const prisma = server.app.db.prisma;
    ids.section = encodeGlobalId('Section', (await prisma.section.findFirstOrThrow({ where: { slug: 'environment' } })).id);
    ids.reporter = encodeGlobalId('Reporter', tokens.reporterId);
    ids.tag = encodeGlobalId('Tag', (await prisma.tag.findFirstOrThrow({ where: { slug: 'climate' } })).id);
    ids.published = encodeGlobalId('Article', (await prisma.article.findFirstOrThrow({ where: { status: 'PUBLISHED' }, orderBy: { id: 'asc' } })).id);
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
    ids.spareToken = encodeGlobalId('ApiToken', (await createApiToken(server.app.db.prisma, { name: 'spare', role: 'EDITOR' })).id);
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
    expect((await server.graphql('{ sections { slug } }')).errors).toBeUndefined();
    expect((await server.graphql('{ sections { slug } }', {}, { token: tokens.editor })).errors).toBeUndefined();
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
    const preview = 'query($id: ID!) { article(id: $id, preview: true) { headline } }';
    expect((await server.graphql(preview, { id: draft })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await server.graphql('query($id: ID!) { article(id: $id) { headline } }', { id: draft }, { token: tokens.editor })).data.article).toBeNull();
    expect((await server.graphql(preview, { id: draft }, { token: tokens.editor })).data.article.headline).toBe('미리보기 초안');
    expect((await server.graphql(preview, { id: draft }, { token: tokens.reporter })).data.article.headline).toBe('미리보기 초안');
    expect((await server.graphql(preview, { id: other }, { token: tokens.reporter })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const revisions = 'query($id: ID!) { article(id: $id) { revisions { number } } }';
    const anon = await server.graphql(revisions, { id: ids.published });
    expect(anon.data.article.revisions).toBeNull();
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await server.graphql(revisions, { id: ids.published }, { token: tokens.reporter })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await server.graphql(revisions, { id: ids.published }, { token: tokens.editor })).data.article.revisions).toEqual(expect.any(Array));
    expect((await server.graphql('{ apiTokens { name } }', {}, { token: tokens.editor })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const list = await server.graphql('{ apiTokens { name role prefix revokedAt } }', {}, { token: tokens.admin });
    expect(list.data.apiTokens.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['reporter', 'editor', 'admin', 'revoked']));
    expect(JSON.stringify(list)).not.toContain(tokens.editor);
  });
});
