// The open-internet defences one by one, over real HTTP: the GraphQL-over-HTTP audit, CORS, CSRF
// headers, per-client rate limits (X-Forwarded-For only behind TRUST_PROXY; shared through Redis),
// error details by NODE_ENV, the introspection switch, the one-line log of bad input, and the
// REPORTER byline rule. The hostile corpus (hostile.test.ts) covers the breadth.
import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeBase64 } from '@pothos/core';
import { visibleArticleWhere } from '../src/articles/visibility.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { offsetCursor } from '../src/relay/connection-args.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { issueTokens } from './harness/newsroom.ts';
import { type RedisServer, redisSkipReason, startRedis } from './harness/redis.ts';
import { onlyError, startTestServer, type TestServer } from './harness/server.ts';

// Untyped on purpose: hostile and malformed bodies over raw HTTP (status and headers asserted); the few
// valid documents here are rate-limit fodder whose answers are not read.
const JSON_POST = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

async function post(server: TestServer, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { ...JSON_POST, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

describe('HTTP defences (default configuration)', () => {
  let server: TestServer;
  const logged: string[] = [];
  beforeAll(async () => {
    // The app's pino logger, writing its JSON lines here.
    server = await startTestServer('pglite', {
      logger: await createLogger({ level: 'warn', destination: { write: (line: string) => void logged.push(line) } }),
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('passes every MUST of the GraphQL-over-HTTP audit (graphql-http)', async () => {
    const results = await auditServer({ url: server.url });
    const failed = results
      .filter((r) => r.status === 'error')
      .map((r) => `${r.id} ${r.name}: ${(r as { reason?: string }).reason}`);
    expect(failed).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
  });

  it('CORS: any origin may read, never with credentials (also the "null" origin)', async () => {
    for (const origin of ['https://evil.example', 'null']) {
      const res = await fetch(server.url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('CSRF: form and text bodies need a header only a preflighted request can carry; JSON passes', async () => {
    const query = '{ __typename }';
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', new URLSearchParams({ query }).toString()],
      ['text/plain', JSON.stringify({ query })],
    ]) {
      const refused = await fetch(server.url, { method: 'POST', headers: { 'content-type': type! }, body });
      expect(refused.status, type).toBe(403);
      const allowed = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': type!, 'x-graphql-yoga-csrf': '1' },
        body,
      });
      expect(allowed.status, type).toBeLessThan(500);
      expect(allowed.status, type).not.toBe(403);
    }
    expect((await post(server, { query })).status).toBe(200);
  });

  it('malformed GET parameters are 400, not 500', async () => {
    for (const qs of ['query={__typename}&variables={bad', 'query={__typename}&extensions={bad']) {
      const res = await fetch(`${server.url}?${qs}`, { headers: { accept: 'application/graphql-response+json' } });
      expect(res.status, qs).toBe(400);
      expect((await res.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
    }
  });

  it('refuses bodies over the limit before parsing (413), and documents over the token limit (400)', async () => {
    const big = await post(server, { query: `{ __typename }#${'x'.repeat(1_100_000)}` });
    expect(big.status).toBe(413);
    const tokens = await post(server, { query: `{ ${'__typename '.repeat(3_000)}}` });
    expect(tokens.status).toBe(400);
    expect(onlyError(tokens.json).extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX' });
  });

  it('counts a chunked body (no Content-Length) as it streams in: 413 past the limit, answered within it', async () => {
    const chunked = (text: string) => {
      const bytes = new TextEncoder().encode(text);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.subarray(i, i + 64 * 1024));
          controller.close();
        },
      });
      return fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit);
    };
    expect((await chunked(JSON.stringify({ query: `{ __typename }#${'x'.repeat(1_100_000)}` }))).status).toBe(413);
    const small = await chunked(JSON.stringify({ query: '{ __typename }' }));
    expect(small.status).toBe(200);
    expect(await small.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('counts introspection in the operation limits: aliases and depth under __schema/__type', async () => {
    const aliased = await post(server, {
      query: `{ __type(name: "Article") { ${Array.from({ length: 31 }, (_, i) => `f${i}: name`).join(' ')} } }`,
    });
    expect(aliased.status).toBe(400);
    expect(onlyError(aliased.json).extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX' });
    const deep = await post(server, {
      query: `{ __type(name: "Article") { ${'ofType { '.repeat(16)}name${' }'.repeat(16)} } }`,
    });
    expect(deep.status).toBe(400);
    expect(onlyError(deep.json).extensions?.reason).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses NUL, lone surrogates and over-long strings in any argument before anything runs', async () => {
    for (const [query, variables, argument] of [
      ['query($q: String!) { search(query: $q) { totalCount } }', { q: 'a\u0000b' }, '$q'],
      ['query($s: String) { articles(filter: { section: $s }) { totalCount } }', { s: '\ud800' }, '$s'],
      ['{ article(slug: "x\\u0000y") { id } }', {}, 'slug'],
      ['query($s: String!) { tag(slug: $s) { name } }', { s: 'ㄱ'.repeat(20_001) }, '$s'],
    ] as const) {
      const res = await post(server, { query, variables });
      expect(res.status, query).toBe(400);
      expect(onlyError(res.json).extensions, query).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: argument });
    }
  });

  it('refuses dates PostgreSQL cannot store and cursors outside their ranges', async () => {
    for (const d of ['9999-12-31T23:59:59-23:59', '0001-01-01T00:00:00+23:59']) {
      const res = await post(server, {
        query: 'query($d: DateTime) { articles(filter: { publishedAfter: $d }) { totalCount } }',
        variables: { d },
      });
      expect(onlyError(res.json).extensions?.code, d).toBe('BAD_USER_INPUT');
    }
    const search = await post(server, {
      query: 'query($c: String) { search(query: "서울", after: $c) { totalCount } }',
      variables: { c: offsetCursor(2 ** 53 - 1) },
    });
    expect(onlyError(search.json).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
    const row = await post(server, {
      query: 'query($c: String) { articles(after: $c) { totalCount } }',
      variables: { c: encodeBase64(`GPC:N:${2 ** 31}`) },
    });
    expect(onlyError(row.json).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
  });

  it('logs bad input as one warn line without a stack', async () => {
    const before = logged.length;
    await post(server, {
      query: 'query($q: String!) { search(query: $q) { totalCount } }',
      variables: { q: 'a\u0000b' },
    });
    const lines = logged.slice(before).filter((l) => l.includes('client error'));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line.level).toBe(40); // warn
    expect(line.msg).toMatch(/^client error POST \/graphql: BAD_USER_INPUT: Invalid argument "\$q"/);
    expect(lines[0]).not.toMatch(/stack|\\n|\bat .+:\d+:\d+/);
  });

  it('an unexpected error carries its details only when configured with NODE_ENV=development', async () => {
    const failing = async (s: TestServer) => {
      const prisma = s.app.db.prisma;
      const original = prisma.section.findMany;
      (prisma.section as any).findMany = () => Promise.reject(new Error('connection to 10.0.0.7 refused'));
      try {
        return onlyError((await post(s, { query: '{ sections { slug } }' })).json);
      } finally {
        (prisma.section as any).findMany = original;
      }
    };
    // The process says development, this server's configuration (NODE_ENV unset) does not: no details.
    const processEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    try {
      expect(await failing(server)).toEqual({
        message: 'Unexpected error.',
        locations: expect.any(Array),
        path: ['sections'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
    } finally {
      process.env.NODE_ENV = processEnv;
    }
    const dev = await startTestServer('pglite', { env: { NODE_ENV: 'development' } });
    try {
      expect(JSON.stringify(await failing(dev))).toContain('10.0.0.7');
    } finally {
      await dev.stop();
    }
  }, 120_000);

  it("a REPORTER's draft must carry their own byline; an editor may byline anyone", async () => {
    const tokens = await issueTokens(server);
    const section = await server.app.db.prisma.section.findFirstOrThrow({ select: { id: true } });
    const create = (token: string, reporterId: number) =>
      post(
        server,
        {
          query: 'mutation($i: CreateArticleInput!) { createArticle(input: $i) { article { id } } }',
          variables: {
            i: {
              headline: '남의 이름으로',
              sectionId: encodeGlobalId('Section', section.id),
              reporterIds: [encodeGlobalId('Reporter', reporterId)],
            },
          },
        },
        { authorization: `Bearer ${token}` },
      );
    const refused = await create(tokens.reporter, tokens.otherReporterId);
    expect(onlyError(refused.json).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reporterIds' });
    expect((await create(tokens.reporter, tokens.reporterId)).json.errors).toBeUndefined();
    expect((await create(tokens.editor, tokens.otherReporterId)).json.errors).toBeUndefined();
  });
});

describe('configuration switches', () => {
  it('masked errors carry details only with NODE_ENV=development, never unset or production', () => {
    expect(loadConfig({}).errorDetails).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).errorDetails).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test' }).errorDetails).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).errorDetails).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).security.fieldSuggestions).toBe(false);
    expect(() => loadConfig({ CORS_CREDENTIALS: 'true' })).toThrow(/CORS_CREDENTIALS/);
  });
});

describe('switches and per-client rate limits', () => {
  const SEARCH = 'query($after: String) { search(query: "서울", first: 1, after: $after) { totalCount } }';
  const limits = { RATE_LIMIT_SEARCH_PER_MINUTE: '6', RATE_LIMIT_MUTATIONS_PER_MINUTE: '2' };
  let limited: TestServer;
  let proxied: TestServer;
  beforeAll(async () => {
    [limited, proxied] = await Promise.all([
      startTestServer('pglite', {
        env: {
          ...limits,
          INTROSPECTION: 'false',
          CORS_ORIGINS: 'https://news.example,https://m.news.example',
          GRAPHIQL: 'false',
        },
      }),
      startTestServer('pglite', { env: { ...limits, TRUST_PROXY: 'true' } }),
    ]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([limited?.stop(), proxied?.stop()]);
  });

  it('INTROSPECTION=false refuses __schema and __type (but not __typename); CORS_ORIGINS is an allow-list', async () => {
    const schema = await post(limited, { query: '{ __schema { types { name } } }' });
    expect(schema.status).toBe(400);
    expect((await post(limited, { query: '{ __typename }' })).json.data).toEqual({ __typename: 'Query' });
    const preflight = (origin: string) =>
      fetch(limited.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect((await preflight('https://m.news.example')).headers.get('access-control-allow-origin')).toBe(
      'https://m.news.example',
    );
    for (const origin of ['https://evil.example', 'null'])
      expect((await preflight(origin)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('CORS_ORIGINS on cached reads answered on node:http ahead of Yoga: the CORS headers Yoga gives the same answer', async () => {
    const query = `?query=${encodeURIComponent('{ latestArticles(first: 1) { headline } }')}`;
    await (await fetch(`${limited.url}${query}`)).arrayBuffer(); // stored by the pipeline
    const onNode = vi.spyOn(limited.app.caching.fastPath!, 'answerNode');
    const headersOf = (res: Response) =>
      [...res.headers]
        .map(([name, value]) => [name.toLowerCase(), value])
        .filter(([name]) => !['date', 'connection', 'keep-alive', 'x-request-id'].includes(name!))
        .sort(([a], [b]) => (a! < b! ? -1 : 1));
    try {
      for (const origin of ['https://m.news.example', 'https://evil.example']) {
        const init = { headers: { origin } };
        const socket = await fetch(`${limited.url}${query}`, init);
        const viaYoga = await limited.app.yoga.fetch(`http://localhost/graphql${query}`, init);
        expect(socket.status).toBe(200);
        expect(headersOf(socket)).toEqual(headersOf(viaYoga));
        expect(await socket.text()).toBe(await viaYoga.text());
        expect(socket.headers.get('access-control-allow-origin')).toBe(
          origin === 'https://evil.example' ? null : origin,
        );
      }
      expect(onNode.mock.results.map((r) => r.value)).toEqual([true, true]);
    } finally {
      onNode.mockRestore();
    }
  });

  it('search: RATE_LIMITED with retryAfterSeconds (HTTP 429, Retry-After); a deep page costs more, a fragment hides nothing; X-Forwarded-For counts only behind TRUST_PROXY', async () => {
    // A deep page (offset ≥ 1,000) costs 5 of the 6 points, a search spread from a fragment 1; then
    // refused, whatever X-Forwarded-For claims: without TRUST_PROXY it is not the client's address.
    expect((await post(limited, { query: SEARCH, variables: { after: offsetCursor(1_500) } })).status).toBe(200);
    expect(
      (
        await post(
          limited,
          { query: '{ ...F } fragment F on Query { search(query: "서울") { totalCount } }' },
          { 'x-forwarded-for': '198.51.100.1' },
        )
      ).status,
    ).toBe(200);
    const refused = await post(limited, { query: SEARCH }, { 'x-forwarded-for': '198.51.100.2' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(onlyError(refused.json).extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: expect.any(Number),
    });
    // Other queries are not limited.
    expect((await post(limited, { query: '{ sections { slug } }' })).status).toBe(200);
    // Behind a trusted proxy each forwarded client has its own budget.
    for (let i = 0; i < 6; i++)
      expect((await post(proxied, { query: SEARCH }, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    expect((await post(proxied, { query: SEARCH }, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(429);
    expect((await post(proxied, { query: SEARCH }, { 'x-forwarded-for': '198.51.100.1, 198.51.100.9' })).status).toBe(
      200,
    );
  });

  it('public mutations are limited per client', async () => {
    const article = await limited.app.db.prisma.article.findFirstOrThrow({
      where: visibleArticleWhere(new Date()),
      select: { id: true },
    });
    const like = (v: string) =>
      post(limited, {
        query: 'mutation($i: LikeArticleInput!) { likeArticle(input: $i) { liked } }',
        variables: { i: { articleId: encodeGlobalId('Article', article.id), visitorId: v } },
      });
    expect((await like('visitor-limit-01')).status).toBe(200);
    expect((await like('visitor-limit-02')).status).toBe(200);
    expect(onlyError((await like('visitor-limit-03')).json).extensions?.code).toBe('RATE_LIMITED');
  });

  const redisSkip = redisSkipReason();
  describe.skipIf(redisSkip)('shared through Redis', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('two instances share one budget per client', async () => {
      const env = { REDIS_URL: redis.url, RATE_LIMIT_SEARCH_PER_MINUTE: '3' };
      const [a, b] = await Promise.all([startTestServer('pglite', { env }), startTestServer('pglite', { env })]);
      try {
        const statuses = [];
        for (const s of [a, b, a, b]) statuses.push((await post(s, { query: SEARCH })).status);
        expect(statuses).toEqual([200, 200, 200, 429]);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    }, 180_000);
  });
});
