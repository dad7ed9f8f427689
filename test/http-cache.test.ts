// HTTP caching of anonymous reads over real HTTP: Cache-Control from cache hints, surrogate keys,
// ETag/304, the server's response cache (a hit runs no SQL, a token's answer is never shared), and
// purges queued on change and delivered to a CDN endpoint (views and likes purge nothing).
import { readFileSync } from 'node:fs';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultBuildResponseCacheKey } from '@envelop/response-cache';
import { documentMaxAge } from '../src/cache/hints.ts';
import { responseCacheKey, UNCACHED_KEY } from '../src/cache/plugin.ts';
import { schema } from '../src/schema.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { SAMPLE_SLUG } from '../src/seed/demo.ts';
import { graphql } from './generated/index.ts';
import { TestArticleHeadlineDocument, TestArticlePreviewDocument } from './generated/graphql.ts';
import { draftBy, issueTokens, type Tokens } from './harness/newsroom.ts';
import { startPurgeReceiver, type PurgeReceiver } from './harness/purge-receiver.ts';
import { type GraphQLResponse, startTestServer, type TestServer } from './harness/server.ts';

// Sent as the file's text (codegen checks examples/): the fast-path tests below prefix it with a comment to
// make a document no other request sent, which a printed document would drop.
const ARTICLE_PAGE = readFileSync(new URL('../examples/article-page.graphql', import.meta.url), 'utf8');
const ARTICLE_TEXT = graphql(`
  query TestCacheArticleText($s: String!) { article(slug: $s) { headline body { __typename ... on ParagraphBlock { text } } section { name } } }
`);
const LATEST = graphql(`
  query TestCacheLatest { latestArticles(first: 3) { headline } }
`);
const COUNTER = graphql(`
  query TestCacheCounter($s: String!) { article(slug: $s) { headline viewCount } }
`);
const RANKING = graphql(`
  query TestCacheRanking { articles(first: 3, orderBy: VIEW_COUNT) { edges { node { headline } } } }
`);
const SECTION_LISTS = graphql(`
  query TestCacheSectionLists { latestArticles(first: 3, section: "politics") { headline } photoNews(first: 2, section: "politics") { headline } }
`);
const CACHED_ARTICLE = graphql(`
  query TestCacheHit($s: String!) { article(slug: $s) { headline byline tags { name } } }
`);
const SECTION_FRONT = graphql(`
  query TestCacheSectionFront($s: String!) { latestArticles(first: 1, section: $s) { headline } }
`);
const LIKE = graphql(`
  mutation TestCacheLike($id: ID!, $v: String!) { likeArticle(input: { articleId: $id, visitorId: $v }) { liked } }
`);
const MOVE_TO_SECTION = graphql(`
  mutation TestCacheMoveToSection($i: UpdateArticleInput!) { updateArticle(input: $i) { article { id } } }
`);
const PUBLISH = graphql(`
  mutation TestCachePublish($id: ID!) { publishArticle(input: { id: $id }) { changed } }
`);
const CORRECT = graphql(`
  mutation TestCacheCorrect($i: UpdateArticleInput!) { updateArticle(input: $i) { article { editedAt } } }
`);
const RECORD_VIEW = graphql(`
  mutation TestCacheRecordView($id: ID!, $v: String!) { recordView(articleId: $id, visitorId: $v) { status } }
`);
const PUBLIC = /^public, max-age=(\d+), s-maxage=(\d+), stale-while-revalidate=30, stale-if-error=86400$/;

describe('HTTP caching (PGlite, in-process response cache)', () => {
  let server: TestServer;
  let receiver: PurgeReceiver;
  let tokens: Tokens;
  const statements: string[] = [];

  beforeAll(async () => {
    receiver = await startPurgeReceiver();
    server = await startTestServer('pglite', {
      onQuery: (sql) => statements.push(sql),
      env: { CDN_PURGE_URL: receiver.url, PUBLISH_SCHEDULER_MS: '0', VIEWS_FLUSH_MS: '0', CDN_PURGE_POLL_MS: '0' },
    });
    tokens = await issueTokens(server);
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
  });

  /** A response whose JSON is the document's answer. */
  type Answer<TData> = Response & { json(): Promise<GraphQLResponse<TData>> };
  // A typed document is printed; a string is sent as written (the example file, invalid or introspection requests).
  const text = (document: TypedDocumentNode<unknown, unknown> | string) =>
    typeof document === 'string' ? document : print(document);
  function get<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    headers?: Record<string, string>,
  ): Promise<Answer<TData>>;
  function get(document: string, variables?: undefined, headers?: Record<string, string>): Promise<Answer<any>>;
  function get(
    document: TypedDocumentNode<unknown, unknown> | string,
    variables?: unknown,
    headers: Record<string, string> = {},
  ) {
    return fetch(
      `${server.url}?query=${encodeURIComponent(text(document))}${variables ? `&variables=${encodeURIComponent(JSON.stringify(variables))}` : ''}`,
      {
        headers: { accept: 'application/graphql-response+json', ...headers },
      },
    );
  }
  function post<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    token?: string,
  ): Promise<Answer<TData>>;
  function post(document: string): Promise<Answer<any>>;
  function post(document: TypedDocumentNode<unknown, unknown> | string, variables?: unknown, token?: string) {
    return fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: text(document), variables }),
    });
  }
  const keysOf = (res: Response) => (res.headers.get('surrogate-key') ?? '').split(' ').filter(Boolean);
  const maxAgeOf = (res: Response) => Number(PUBLIC.exec(res.headers.get('cache-control') ?? '')?.[1] ?? NaN);
  const expectPrivate = (res: Response) => {
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('surrogate-key')).toBeNull();
    expect(res.headers.get('cache-tag')).toBeNull();
    expect(res.headers.get('etag')).toBeNull();
  };

  it('the article page: public Cache-Control (counters make it short), ETag, keys of the article, its reporters, section and tags, and its lists', async () => {
    const res = await get(ARTICLE_PAGE);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.errors).toBeUndefined();
    const control = res.headers.get('cache-control')!;
    expect(control).toMatch(PUBLIC);
    // likeCount and viewCount are counters: the page gets their TTL, CDN and browser alike.
    expect(maxAgeOf(res)).toBe(10);
    expect(PUBLIC.exec(control)![2]).toBe('10');
    expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);

    const article = await server.app.db.prisma.article.findUniqueOrThrow({
      where: { slug: SAMPLE_SLUG },
      select: {
        id: true,
        sectionId: true,
        reporters: { select: { reporterId: true } },
        tags: { select: { tagId: true } },
      },
    });
    const keys = keysOf(res);
    expect(keys).toContain(encodeGlobalId('Article', article.id));
    expect(keys).toContain(encodeGlobalId('Section', article.sectionId));
    for (const r of article.reporters) expect(keys).toContain(encodeGlobalId('Reporter', r.reporterId));
    expect(article.tags.length).toBeGreaterThan(0);
    for (const t of article.tags) expect(keys).toContain(encodeGlobalId('Tag', t.tagId));
    // The lists on the page: latest news, photo news, and the articles it links to.
    expect(keys).toEqual(expect.arrayContaining(['latest', 'photo']));
    // Cloudflare's Cache-Tag lists the same keys, comma-separated; only ASCII, no spaces.
    expect(res.headers.get('cache-tag')!.split(',')).toEqual(keys);
    expect(res.headers.get('surrogate-key')).toMatch(/^[\x21-\x7e ]+$/);
    expect(res.headers.get('vary')).toBe('Accept, Authorization');
  });

  it('answers 304 to a matching If-None-Match, 200 to a stale one', async () => {
    const first = await get(ARTICLE_PAGE);
    const etag = first.headers.get('etag')!;
    const again = await get(ARTICLE_PAGE, undefined, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toMatch(PUBLIC);
    expect(again.headers.get('surrogate-key')).toBe(first.headers.get('surrogate-key'));
    expect((await get(ARTICLE_PAGE, undefined, { 'if-none-match': `W/${etag}, "other"` })).status).toBe(304);
    const stale = await get(ARTICLE_PAGE, undefined, { 'if-none-match': '"not-the-current-one"' });
    expect(stale.status).toBe(200);
    expect((await stale.json()).data.article.headline).toBeTruthy();
  });

  it('takes the shortest TTL of the fields selected: article text long, lists shorter, counters short', async () => {
    const articleText = await get(ARTICLE_TEXT, { s: SAMPLE_SLUG });
    expect(maxAgeOf(articleText)).toBe(300);
    const list = await get(LATEST);
    expect(maxAgeOf(list)).toBe(60);
    expect(keysOf(list)).toContain('latest');
    const counter = await get(COUNTER, { s: SAMPLE_SLUG });
    expect(maxAgeOf(counter)).toBe(10);
    const ranking = await get(RANKING);
    expect(maxAgeOf(ranking)).toBe(10);
    const section = await get(SECTION_LISTS);
    expect(keysOf(section)).toEqual(expect.arrayContaining(['section:politics']));
    expect(keysOf(section)).not.toContain('latest');
  });

  it('is private, no-store for POSTs, tokens, previews, mutations, errors and introspection', async () => {
    expectPrivate(await post(ARTICLE_PAGE));
    expectPrivate(await get(ARTICLE_PAGE, undefined, { authorization: `Bearer ${tokens.editor}` }));
    const draft = await draftBy(server, tokens.reporterId, '미리보기 초안');
    const preview = await get(TestArticlePreviewDocument, { id: draft }, { authorization: `Bearer ${tokens.editor}` });
    expect((await preview.clone().json()).data!.article!.headline).toBe('미리보기 초안');
    expectPrivate(preview);
    expectPrivate(await get(TestArticlePreviewDocument, { id: draft }));
    // Invalid on purpose (slug and id together), and an introspection query (it reads no rows, so it has
    // no place in the plan guard every typed query document must appear in): both sent as written.
    expectPrivate(await get(`{ article(slug: "x", id: "y") { headline } }`));
    expectPrivate(await get(`{ __schema { queryType { name } } }`));
    const mutation = await get(LIKE, { id: encodeGlobalId('Article', 1), v: 'visitor-get-1' });
    expect(mutation.status).toBe(405);
    expectPrivate(mutation);
    expectPrivate(await post(LIKE, { id: encodeGlobalId('Article', 1), v: 'visitor-post-1' }));
  });

  it('a cache hit runs no SQL; a token request always executes and its answer is never served to anonymous readers', async () => {
    const query = CACHED_ARTICLE;
    await get(query, { s: SAMPLE_SLUG });
    statements.length = 0;
    const hit = await get(query, { s: SAMPLE_SLUG });
    expect(hit.status).toBe(200);
    expect((await hit.json()).data!.article!.headline).toBeTruthy();
    expect(statements).toEqual([]);

    const withToken = await get(query, { s: SAMPLE_SLUG }, { authorization: `Bearer ${tokens.editor}` });
    expect(withToken.status).toBe(200);
    expect(statements.length).toBeGreaterThan(0);

    // An editor's preview of a draft, then the same URL without the token: never the draft.
    const draft = await draftBy(server, tokens.reporterId, '비공개 초안 제목');
    const q = TestArticlePreviewDocument;
    for (let i = 0; i < 2; i++) {
      const mine = await (await get(q, { id: draft }, { authorization: `Bearer ${tokens.editor}` })).json();
      expect(mine.data!.article!.headline).toBe('비공개 초안 제목');
    }
    const anonymous = await get(q, { id: draft });
    const text = await anonymous.text();
    expect(text).not.toContain('비공개 초안 제목');
    expect(JSON.parse(text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    // Without preview the draft reads as null for everyone, cached or not.
    expect((await (await get(TestArticleHeadlineDocument, { id: draft })).json()).data!.article).toBeNull();
  });

  describe('fast path (repeated anonymous GETs answered before the Yoga pipeline)', () => {
    const metric = async (name: string, labels: string) => {
      const text = await (await fetch(new URL('/metrics', server.url))).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const fastPath = async () => ({
      hit: await metric('response_cache_fast_path_total', 'result="hit"'),
      notModified: await metric('response_cache_fast_path_total', 'result="not_modified"'),
      miss: await metric('response_cache_fast_path_total', 'result="miss"'),
    });
    /** Headers that differ between any two responses (connection, time, request id). */
    const PER_RESPONSE = new Set(['date', 'x-request-id', 'connection', 'keep-alive']);
    const headerList = (res: Response) => [...res.headers].filter(([name]) => !PER_RESPONSE.has(name));
    // A document no other test sends, so its first GET executes.
    const page = (tag: string) => `# fast path ${tag}\n${ARTICLE_PAGE}`;

    it('the second GET is answered from the fast path with the bytes and headers of the first, without SQL, counted in metrics and the request log facts', async () => {
      const before = await fastPath();
      const headers = { origin: 'https://reader.example' };
      const first = await get(page('bytes'), undefined, headers);
      expect(first.status).toBe(200);
      const firstBody = Buffer.from(await first.arrayBuffer());
      statements.length = 0;
      const requestsBefore = await metric(
        'http_requests_total',
        'route="/graphql",operation="ArticlePage",status="200",code=""',
      );
      const second = await get(page('bytes'), undefined, headers);
      expect(statements).toEqual([]);
      expect(Buffer.from(await second.arrayBuffer()).equals(firstBody)).toBe(true);
      expect(headerList(second)).toEqual(headerList(first));
      // CORS headers are made per request, on the fast path too.
      expect(second.headers.get('access-control-allow-origin')).toBe('https://reader.example');
      expect(second.headers.get('etag')).toMatch(/^"[\w-]+"$/);
      expect(second.headers.get('cache-control')).toMatch(PUBLIC);
      const after = await fastPath();
      expect(after.miss - before.miss).toBe(1);
      expect(after.hit - before.hit).toBe(1);
      // The request's metrics name its operation, as for an executed request.
      expect(await metric('http_requests_total', 'route="/graphql",operation="ArticlePage",status="200",code=""')).toBe(
        requestsBefore + 1,
      );
      // Without an Origin the answer has no CORS origin header and varies as the pipeline's would.
      const plain = await get(page('bytes'));
      expect(plain.headers.get('access-control-allow-origin')).toBeNull();
      expect(plain.headers.get('vary')).toBe((await get(page('bytes-other'))).headers.get('vary'));
    });

    it('answers 304 to a matching If-None-Match with the headers the pipeline gives a 304', async () => {
      const first = await get(page('304'));
      const etag = first.headers.get('etag')!;
      // The pipeline's 304 (the fast path only has the answer after a first 200 it stored: a new document)...
      const slow = await get(page('304-pipeline'), undefined, { 'if-none-match': '*' });
      expect(slow.status).toBe(304);
      const before = await fastPath();
      const fast = await get(page('304'), undefined, { 'if-none-match': etag });
      expect(fast.status).toBe(304);
      expect(await fast.text()).toBe('');
      expect((await fastPath()).notModified - before.notModified).toBe(1);
      expect(fast.headers.get('etag')).toBe(etag);
      expect(fast.headers.get('surrogate-key')).toBe(first.headers.get('surrogate-key'));
      expect(fast.headers.get('cache-control')).toBe(first.headers.get('cache-control'));
      expect(headerList(fast).map(([name]) => name)).toEqual(headerList(slow).map(([name]) => name));
      // A stale ETag gets the stored 200.
      const stale = await get(page('304'), undefined, { 'if-none-match': '"old"' });
      expect(stale.status).toBe(200);
      expect(
        Buffer.from(await stale.arrayBuffer()).equals(Buffer.from(await (await get(page('304'))).arrayBuffer())),
      ).toBe(true);
    });

    it('over a socket, hits and 304s are answered on node:http ahead of Yoga, with the status, headers and bytes of the Yoga onRequest answer', async () => {
      const query = `?query=${encodeURIComponent(page('node'))}`;
      const first = await get(page('node'));
      const etag = first.headers.get('etag')!;
      await first.arrayBuffer();
      const fastPath = server.app.caching.fastPath!;
      const onNode = vi.spyOn(fastPath, 'answerNode');
      /** Status, reason, header list and body of one request over the socket and through yoga.fetch (onRequest). */
      const both = async (headers: Record<string, string>) => {
        const init = { headers: { accept: 'application/graphql-response+json', ...headers } };
        const socket = await fetch(`${server.url}${query}`, init);
        const viaYoga = await server.app.yoga.fetch(`http://localhost/graphql${query}`, init);
        const facts = async (res: Response) => ({
          status: res.status,
          reason: res.statusText,
          // yoga.fetch's Headers keep the case and order they were set in; the socket's are sorted, lower case.
          headers: headerList(res)
            .map(([name, value]) => [name.toLowerCase(), value])
            .filter(([name]) => name !== 'x-request-id')
            .sort(([a], [b]) => (a! < b! ? -1 : 1)),
          body: Buffer.from(await res.arrayBuffer()).toString('base64'),
        });
        return { socket: await facts(socket), viaYoga: await facts(viaYoga) };
      };
      try {
        const cases: Record<string, string>[] = [
          {},
          { origin: 'https://reader.example' },
          { origin: 'https://reader.example', 'access-control-request-headers': 'x-custom' },
          { 'if-none-match': etag },
          { 'if-none-match': `"old", ${etag}`, origin: 'https://reader.example' },
          { 'if-none-match': '"old"' },
        ];
        for (const headers of cases) {
          const { socket, viaYoga } = await both(headers);
          expect(socket.status).toBe('if-none-match' in headers && headers['if-none-match'] !== '"old"' ? 304 : 200);
          expect(socket).toEqual(viaYoga);
        }
        // Each socket request was answered on node:http, none fell through to Yoga.
        expect(onNode.mock.results.map((r) => r.value)).toEqual(cases.map(() => true));
        // Not answered there: a token, HEAD, POST, another path, and a URL not yet stored (the miss).
        onNode.mockClear();
        await (await get(page('node'), undefined, { authorization: `Bearer ${tokens.editor}` })).arrayBuffer();
        await fetch(`${server.url}${query}`, { method: 'HEAD' });
        await (await get(page('node-miss'))).arrayBuffer();
        expect(onNode.mock.results.map((r) => r.value)).toEqual([false, false, false]);
      } finally {
        onNode.mockRestore();
      }
    });

    it('a request with a token is never answered from it, and its answer is never stored', async () => {
      const url = page('token');
      // Token first: it executes and is not stored, so the anonymous request after it misses.
      let before = await fastPath();
      const mine = await get(url, undefined, { authorization: `Bearer ${tokens.editor}` });
      expectPrivate(mine);
      await mine.arrayBuffer();
      await get(url);
      let after = await fastPath();
      expect(after.hit - before.hit).toBe(0);
      expect(after.miss - before.miss).toBe(1);
      // Stored for anonymous readers now; a token's request still executes.
      expect((await get(url)).status).toBe(200);
      before = await fastPath();
      statements.length = 0;
      const again = await get(url, undefined, { authorization: `Bearer ${tokens.editor}` });
      expect(again.status).toBe(200);
      expectPrivate(again);
      expect(statements.length).toBeGreaterThan(0);
      after = await fastPath();
      expect(after).toEqual(before);
      // A bad token is refused as ever, never answered from the cache.
      const bad = await get(url, undefined, { authorization: 'Bearer nws_not-a-token' });
      expect(bad.status).toBe(401);
    });

    it('concurrent first requests for one URL run the pipeline once; the others get its answer', async () => {
      const before = await fastPath();
      const responses = await Promise.all(Array.from({ length: 6 }, () => get(page('collapse'))));
      const bodies = await Promise.all(responses.map(async (r) => Buffer.from(await r.arrayBuffer())));
      for (const body of bodies) expect(body.equals(bodies[0]!)).toBe(true);
      const after = await fastPath();
      expect(after.miss - before.miss).toBe(1);
      expect(after.hit - before.hit).toBe(5);
    });

    it('a purge of a key the answer carries drops it from the fast path', async () => {
      const article = await server.app.db.prisma.article.findUniqueOrThrow({
        where: { slug: SAMPLE_SLUG },
        select: { id: true },
      });
      const gid = encodeGlobalId('Article', article.id);
      const url = page('purge');
      await get(url);
      const before = await fastPath();
      expect((await get(url)).status).toBe(200);
      expect((await fastPath()).hit - before.hit).toBe(1);
      const from = receiver.calls.length;
      await server.app.caching.outbox.enqueue([gid]);
      await receiver.waitFor((keys) => keys.includes(gid));
      expect(receiver.calls.length).toBeGreaterThan(from);
      const purged = await fastPath();
      const res = await get(url);
      expect(res.status).toBe(200);
      expect((await fastPath()).miss - purged.miss).toBe(1);
    });
  });

  describe('purges', () => {
    const gql = async <TData, TVariables>(
      document: TypedDocumentNode<TData, TVariables>,
      variables: TVariables,
      token?: string,
    ) => {
      const body = await (await post(document, variables, token)).json();
      expect(body.errors).toBeUndefined();
      return body.data!;
    };
    /** Every key delivered after `from`. */
    const delivered = (from: number) => receiver.calls.slice(from).flat();

    it('publishing in a section purges its front, latest news and the article, not other sections; the server cache is purged too', async () => {
      const sections = await server.app.db.prisma.section.findMany({
        orderBy: { id: 'asc' },
        select: { id: true, slug: true },
      });
      const [home, other] = sections as [{ id: number; slug: string }, { id: number; slug: string }];
      const draft = await draftBy(server, tokens.reporterId, '새로 발행하는 기사');
      await gql(MOVE_TO_SECTION, { i: { id: draft, sectionId: encodeGlobalId('Section', home.id) } }, tokens.editor);
      // Cached before the publication:
      const front = SECTION_FRONT;
      expect((await (await get(front, { s: home.slug })).json()).data!.latestArticles[0]!.headline).not.toBe(
        '새로 발행하는 기사',
      );

      const from = receiver.calls.length;
      await gql(PUBLISH, { id: draft }, tokens.editor);
      await receiver.waitFor((keys) => keys.includes(draft));
      const keys = delivered(from);
      expect(keys).toEqual(
        expect.arrayContaining([draft, 'latest', `section:${home.slug}`, `list:${encodeGlobalId('Section', home.id)}`]),
      );
      expect(keys).not.toContain(`section:${other.slug}`);
      expect(keys).not.toContain(`list:${encodeGlobalId('Section', other.id)}`);
      expect(keys).toEqual([...new Set(keys)]);
      // The server's own cached answer was dropped: the section front shows the new article.
      expect((await (await get(front, { s: home.slug })).json()).data!.latestArticles[0]!.headline).toBe(
        '새로 발행하는 기사',
      );
    });

    it('a correction purges the article and nothing unrelated; a view or a like purges nothing', async () => {
      const article = await server.app.db.prisma.article.findUniqueOrThrow({
        where: { slug: SAMPLE_SLUG },
        select: { id: true },
      });
      const gid = encodeGlobalId('Article', article.id);
      const page = await get(ARTICLE_PAGE);
      const pageKeys = keysOf(page);

      let from = receiver.calls.length;
      await gql(CORRECT, { i: { id: gid, deck: ['정정된 부제'] } }, tokens.editor);
      await receiver.waitFor((keys) => keys.includes(gid));
      const keys = delivered(from);
      expect(keys).toContain(gid);
      expect(keys).not.toContain('latest');
      expect(keys).not.toContain('photo');
      expect(keys.filter((k) => k.startsWith('section:') || k.startsWith('list:'))).toEqual([]);
      // The page that showed it carried its key, so the page is purged.
      expect(pageKeys).toContain(gid);
      const after = await (await get(ARTICLE_PAGE)).json();
      expect(after.data.article.deck).toEqual(['정정된 부제']);

      // Views and likes, then a marker purge: the outbox is first in, first out, so anything the
      // views or likes had queued would arrive before the marker.
      from = receiver.calls.length;
      await gql(RECORD_VIEW, { id: gid, v: 'visitor-cache-1' });
      await gql(LIKE, { id: gid, v: 'visitor-cache-1' });
      expect(await server.app.caching.outbox.backlog()).toBe(0);
      await server.app.caching.outbox.enqueue(['marker:after-views']);
      await receiver.waitFor((k) => k.includes('marker:after-views'));
      expect(delivered(from)).toEqual(['marker:after-views']);
    });
  });
});

describe('response cache key', () => {
  it("is the plugin's default key, computed synchronously", async () => {
    const params = {
      documentString: 'query ($slug: String!) { article(slug: $slug) { headline } }',
      operationName: null,
      variableValues: { slug: '서울', b: [1, { y: 2, x: 1 }], a: null },
      sessionId: null,
    };
    expect(responseCacheKey(params)).toBe(await defaultBuildResponseCacheKey(params as never));
    expect(responseCacheKey({ ...params, variableValues: { a: null, b: [1, { x: 1, y: 2 }], slug: '서울' } })).toBe(
      responseCacheKey(params),
    );
  });

  it('is not computed for a request the cache does not serve (a POST, a token)', async () => {
    const params = { documentString: '{ latestArticles { headline } }', operationName: null, variableValues: {} };
    const url = 'http://localhost/graphql';
    const get = new Request(url);
    expect(responseCacheKey({ ...params, request: get })).toBe(responseCacheKey(params));
    expect(responseCacheKey({ ...params, request: new Request(url, { method: 'POST', body: '{}' }) })).toBe(
      UNCACHED_KEY,
    );
    const withToken = new Request(url, { headers: { authorization: 'Bearer x' } });
    expect(responseCacheKey({ ...params, request: withToken })).toBe(UNCACHED_KEY);
  });
});

describe('HTTP caching without the server response cache (RESPONSE_CACHE=false)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite', { env: { RESPONSE_CACHE: 'false', VIEWS_FLUSH_MS: '0' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('still sends Cache-Control, surrogate keys and a content ETag, and answers 304 to it', async () => {
    const url = `${server.url}?query=${encodeURIComponent(ARTICLE_PAGE)}`;
    const headers = { accept: 'application/graphql-response+json' };
    const first = await fetch(url, { headers });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    expect(first.headers.get('surrogate-key')).toContain('slug:');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"/);
    const body = await first.text();
    const again = await fetch(url, { headers });
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe(body);
    expect((await fetch(url, { headers: { ...headers, 'if-none-match': etag } })).status).toBe(304);
  });
});

describe('cache max age of a document', () => {
  const maxAge = { article: 300, list: 60, counter: 10 };
  it('is the minimum over its fields, kept per document unless a preview or orderBy variable decides it', () => {
    const page = parse('query { article(slug: "x") { headline viewCount } latestArticles { headline } }');
    expect(documentMaxAge(schema, page, undefined, maxAge)).toBe(10);
    expect(documentMaxAge(schema, page, undefined, maxAge)).toBe(10);
    const preview = parse('query ($p: Boolean) { article(slug: "x", preview: $p) { headline } }');
    expect(documentMaxAge(schema, preview, { p: false }, maxAge)).toBe(300);
    expect(documentMaxAge(schema, preview, { p: true }, maxAge)).toBe(0);
    expect(documentMaxAge(schema, preview, { p: false }, maxAge)).toBe(300);
    const byViews = parse('query ($o: ArticleOrder) { articles(orderBy: $o) { totalCount } }');
    expect(documentMaxAge(schema, byViews, { o: 'VIEW_COUNT' }, maxAge)).toBe(10);
    expect(documentMaxAge(schema, byViews, { o: 'PUBLISHED_AT' }, maxAge)).toBe(60);
  });
});
