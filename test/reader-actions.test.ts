// Readers' actions on the article page: likes (one per visitor) and "기사 메일전송" through a real SMTP
// server, rate-limited per visitor, recipient and address, shared between instances through Redis.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_SLUG } from '../src/seed/demo.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { graphql } from './generated/index.ts';
import { freePort } from './harness/postgres.ts';
import { redisSkipReason, type RedisServer, startRedis } from './harness/redis.ts';
import { backends, onlyError, startTestServer, type TestServer } from './harness/server.ts';

const LIKE = graphql(
  `mutation TestLike($i: LikeArticleInput!) { likeArticle(input: $i) { liked article { likeCount } } }`,
);
const EMAIL = graphql(`mutation TestEmail($i: EmailArticleInput!) { emailArticle(input: $i) { messageId } }`);
const LIKE_COUNT = graphql(`query TestLikeCount($slug: String!) { article(slug: $slug) { likeCount } }`);

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on a free loopback port that keeps what it receives. */
async function startSmtp(): Promise<{
  url: string;
  inbox: Received[];
  next(n: number): Promise<void>;
  stop(): Promise<void>;
}> {
  const inbox: Received[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        for (const w of waiters.filter((w) => inbox.length >= w.n)) w.resolve();
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    inbox,
    next: (n) => new Promise((resolve) => (inbox.length >= n ? resolve() : waiters.push({ n, resolve }))),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Subject, text and HTML of a received message, MIME-decoded. */
async function readMail(raw: string): Promise<string> {
  const mail = await simpleParser(raw);
  return [mail.subject, mail.text, typeof mail.html === 'string' ? mail.html : ''].join('\n');
}

describe.each(backends())('likes on %s', (backend) => {
  let server: TestServer;
  let articleId: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    const row = await server.app.db.prisma.article.findUniqueOrThrow({ where: { slug: SAMPLE_SLUG } });
    articleId = encodeGlobalId('Article', row.id);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('counts one like per visitor, also when the same visitor clicks many times at once', async () => {
    const a = await server.graphql(LIKE, { i: { articleId, visitorId: 'visitor-aaaa-1111' } });
    expect(a.data?.likeArticle).toEqual({ liked: true, article: { likeCount: 1 } });
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => server.graphql(LIKE, { i: { articleId, visitorId: 'visitor-bbbb-2222' } })),
    );
    expect(burst.filter((r) => r.data?.likeArticle.liked)).toHaveLength(1);
    const again = await server.graphql(LIKE, { i: { articleId, visitorId: 'visitor-aaaa-1111' } });
    expect(again.data?.likeArticle).toEqual({ liked: false, article: { likeCount: 2 } });
    const page = await server.graphql(LIKE_COUNT, { slug: SAMPLE_SLUG });
    expect(page.data?.article?.likeCount).toBe(2);
  });

  it.each([
    ['an unpublished article', 'hidden', 'visitor-cccc-3333', 'NOT_FOUND'],
    ['a malformed visitor id', 'sample', 'x', 'BAD_USER_INPUT'],
    ['a visitor id with markup', 'sample', '<script>alert(1)</script>', 'BAD_USER_INPUT'],
  ])('refuses %s', async (_name, which, visitorId, code) => {
    const hidden = await server.app.db.prisma.article.findFirstOrThrow({ where: { status: 'DRAFT' } });
    const input = { articleId: which === 'hidden' ? encodeGlobalId('Article', hidden.id) : articleId, visitorId };
    const before = await server.app.db.prisma.articleLike.count();
    expect(onlyError(await server.graphql(LIKE, { i: input })).extensions?.code).toBe(code);
    expect(await server.app.db.prisma.articleLike.count()).toBe(before);
  });
});

describe('기사 메일전송 through a real SMTP server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let server: TestServer;
  let articleId: string;
  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startTestServer('pglite', {
      env: {
        SMTP_URL: smtp.url,
        MAIL_FROM: '일간환경연합 <news@ecounion.example>',
        EMAIL_LIMIT_PER_VISITOR: '2',
        EMAIL_LIMIT_PER_RECIPIENT: '3',
        EMAIL_LIMIT_PER_IP: '100',
      },
    });
    articleId = encodeGlobalId(
      'Article',
      (await server.app.db.prisma.article.findUniqueOrThrow({ where: { slug: SAMPLE_SLUG } })).id,
    );
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  it('sends the headline, excerpt and link, with the sender name and note', async () => {
    const res = await server.graphql(EMAIL, {
      i: {
        articleId,
        to: 'friend@example.com',
        senderName: '김독자',
        message: '꼭 읽어 보세요',
        visitorId: 'visitor-mail-0001',
      },
    });
    expect(res.errors).toBeUndefined();
    await smtp.next(1);
    const mail = smtp.inbox[0]!;
    expect(mail.to).toEqual(['friend@example.com']);
    expect(mail.from).toBe('news@ecounion.example');
    const text = await readMail(mail.raw);
    expect(text).toContain('서울시장-베이징시장 6년 만에 회담');
    expect(text).toContain('김독자');
    expect(text).toContain('꼭 읽어 보세요');
    expect(text).toContain(`https://news.example/articles/${encodeURIComponent(SAMPLE_SLUG)}`);
    expect(text).toContain('오세훈 서울시장은 30일');
  });

  it.each([
    ['an invalid address', { to: 'not-an-address' }, 'to'],
    ['header injection in the address', { to: 'a@example.com\r\nBcc: victim@example.com' }, 'to'],
    ['several addresses', { to: 'a@example.com, b@example.com' }, 'to'],
    ['an empty sender name', { senderName: '  ' }, 'senderName'],
    ['a long note', { message: '가'.repeat(1001) }, 'message'],
  ])('refuses %s without sending', async (_name, override, field) => {
    const sent = smtp.inbox.length;
    const error = onlyError(
      await server.graphql(EMAIL, {
        i: { articleId, to: 'friend@example.com', senderName: '독자', visitorId: 'visitor-mail-0002', ...override },
      }),
    );
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(smtp.inbox.length).toBe(sent);
  });

  it('escapes what the sender wrote in the HTML part', async () => {
    const sent = smtp.inbox.length;
    await server.graphql(EMAIL, {
      i: {
        articleId,
        to: 'html@example.com',
        senderName: '<b>해커</b>',
        message: '<script>alert(1)</script>',
        visitorId: 'visitor-mail-0003',
      },
    });
    await smtp.next(sent + 1);
    const mail = await simpleParser(smtp.inbox[sent]!.raw);
    const html = String(mail.html);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;해커&lt;/b&gt;');
    expect(html).not.toMatch(/<script|<b>/);
  });

  it('limits sends per visitor and per recipient with RATE_LIMITED', async () => {
    const send = (to: string, visitorId: string) =>
      server.graphql(EMAIL, { i: { articleId, to, senderName: '독자', visitorId } });
    expect((await send('one@example.com', 'visitor-rate-0001')).errors).toBeUndefined();
    expect((await send('two@example.com', 'visitor-rate-0001')).errors).toBeUndefined();
    const perVisitor = onlyError(await send('three@example.com', 'visitor-rate-0001'));
    expect(perVisitor.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    // Other visitors can still send, but one recipient gets at most three a hour.
    const sent = smtp.inbox.filter((m) => m.to.includes('target@example.com')).length;
    for (let i = 0; i < 3 - sent; i++)
      expect((await send('target@example.com', `visitor-rate-1${i}00`)).errors).toBeUndefined();
    expect(onlyError(await send('target@example.com', 'visitor-rate-9999')).extensions?.code).toBe('RATE_LIMITED');
  });
});

describe('e-mail without SMTP: the embedded default writes to an outbox', () => {
  it('writes an .eml file per message', async () => {
    const outbox = mkdtempSync(path.join(os.tmpdir(), 'outbox-'));
    const server = await startTestServer('pglite', { env: { OUTBOX_DIR: outbox } });
    try {
      const row = await server.app.db.prisma.article.findUniqueOrThrow({ where: { slug: SAMPLE_SLUG } });
      const res = await server.graphql(EMAIL, {
        i: {
          articleId: encodeGlobalId('Article', row.id),
          to: 'me@example.com',
          senderName: '나',
          visitorId: 'visitor-outbox-1',
        },
      });
      expect(res.errors).toBeUndefined();
      const files = readdirSync(outbox);
      expect(files).toHaveLength(1);
      expect(readFileSync(path.join(outbox, files[0]!), 'utf8')).toContain('To: me@example.com');
    } finally {
      await server.stop();
    }
  });
});

const redisSkip = redisSkipReason();
describe.skipIf(redisSkip)('e-mail rate limits are shared by instances through Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('a visitor cannot get around the limit by switching instances', async () => {
    const env = {
      REDIS_URL: redis.url,
      OUTBOX_DIR: mkdtempSync(path.join(os.tmpdir(), 'outbox-')),
      EMAIL_LIMIT_PER_VISITOR: '3',
    };
    const [a, b] = await Promise.all([startTestServer('pglite', { env }), startTestServer('pglite', { env })]);
    try {
      const id = async (s: TestServer) =>
        encodeGlobalId(
          'Article',
          (await s.app.db.prisma.article.findUniqueOrThrow({ where: { slug: SAMPLE_SLUG } })).id,
        );
      const send = async (s: TestServer, n: number) =>
        s.graphql(EMAIL, {
          i: { articleId: await id(s), to: `r${n}@example.com`, senderName: '독자', visitorId: 'visitor-shared-01' },
        });
      const results = [await send(a, 1), await send(b, 2), await send(a, 3), await send(b, 4), await send(a, 5)];
      expect(results.map((r) => r.errors?.[0]?.extensions?.code ?? 'sent')).toEqual([
        'sent',
        'sent',
        'sent',
        'RATE_LIMITED',
        'RATE_LIMITED',
      ]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
