// Excerpts and reading times come from the stored derived columns (excerptText, readingMinutes), not
// the whole body: over real HTTP, on PGlite and PostgreSQL, every answer equals the TypeScript
// functions applied to the body, for the demo data, after edits at the stored prefix's edges, for rows
// written without the columns (derived on read) and after the start-up backfill.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillBodyTextColumns } from '../src/articles/derived-backfill.ts';
import { bodyTextColumns, cutExcerpt, EXCERPT_MAX_LENGTH } from '../src/articles/text.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { graphql } from './generated/index.ts';
import type { TestExcerptsQuery } from './generated/graphql.ts';
import { issueTokens, type Tokens } from './harness/newsroom.ts';
import { backends, type GraphQLResponse, startTestServer, type TestServer } from './harness/server.ts';

const Excerpts = graphql(`
  query TestExcerpts($first: Int, $after: String) {
    articles(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          slug bodyText readingTimeMinutes
          e10: excerpt(length: 10) e11: excerpt(length: 11) e60: excerpt(length: 60) e160: excerpt
          e999: excerpt(length: 999) e1000: excerpt(length: 1000)
        }
      }
    }
  }
`);

const Edit = graphql(`
  mutation TestExcerptEdit($i: UpdateArticleInput!) { updateArticle(input: $i) { article { slug } } }
`);

/**
 * The excerpt as the field computed it from the whole body before the stored columns, verbatim: the
 * reference every answer must equal.
 */
function excerptBefore(bodyText: string, length: number): string {
  const text = bodyText
    .replace(/^\s*\[[^\]\n]{1,60}\]\s*/, '')
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
  const chars = Array.from(text);
  if (chars.length <= length) return text;
  const cut = chars.slice(0, Math.max(1, length - 1)).join('');
  const space = cut.lastIndexOf(' ');
  const head = space > cut.length * 0.6 ? cut.slice(0, space) : cut;
  return `${head.replace(/[\s,.·…]+$/, '')}…`;
}

/** Reading time as computed from the whole body before, verbatim. */
function readingTimeBefore(bodyText: string): number {
  const chars = bodyText
    .replace(/[\s\u00a0]+/g, ' ')
    .trim()
    .replace(/ /g, '').length;
  return Math.max(1, Math.ceil(chars / 500));
}

const LENGTHS = { e10: 10, e11: 11, e60: 60, e160: 160, e999: 999, e1000: EXCERPT_MAX_LENGTH } as const;

/** Bodies at the edges of the stored prefix (1,001 characters of the excerpt source). */
const word = (n: number) => Array.from({ length: n }, (_, i) => `w${i % 10}`).join(' ');
const EDGE_BODIES: string[][] = [
  ['가'.repeat(1000)],
  ['가'.repeat(1001)],
  ['가'.repeat(1002)],
  ['가'.repeat(999), 'ab'], // a collapsed paragraph break falls on the 1,001st character
  [`${'나'.repeat(1000)} 다`],
  [word(400)],
  ['😀'.repeat(1100)], // surrogate pairs: characters, not UTF-16 units
  ['[일간환경연합 한선미 기자] [단독] 두 번째 괄호는 본문이다.', '가 나 다 '.repeat(400)],
  ['[서울=연합뉴스]\u00a0\u00a0공백\t\t여러 개.', `${'라'.repeat(998)}, . · …끝`],
  [`${'마'.repeat(600)}, ${'바'.repeat(600)}`],
];

describe('the stored prefix', () => {
  it('gives the same excerpt as the whole body for every length from 0 to the largest allowed', () => {
    const bodies = EDGE_BODIES.map((p) => p.join('\n\n')).concat([
      '',
      ' ',
      'a',
      '[기자]',
      '가 나',
      '[A] b c d e f g h i j k l m n o p',
      // Lone surrogates (the API refuses them in input; stored text could still hold one): one character each.
      'a\ud83d가\udc00'.repeat(300),
      `${'x\ud83d\ud83d\ude00'.repeat(300)}`, // a lone high surrogate just before a pair
      `${'가'.repeat(5)}\ud83d`, // and one at the very end
    ]);
    for (const body of bodies) {
      const { excerptText, readingMinutes } = bodyTextColumns(body);
      expect(readingMinutes).toBe(readingTimeBefore(body));
      for (let length = 0; length <= EXCERPT_MAX_LENGTH; length++) {
        expect(cutExcerpt(excerptText, length), `${body.slice(0, 20)} ${length}`).toBe(excerptBefore(body, length));
      }
    }
  });
});

describe.each(backends())('stored excerpts on %s', (backend) => {
  let server: TestServer;
  let tokens: Tokens;

  beforeAll(async () => {
    server = await startTestServer(backend);
    tokens = await issueTokens(server);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  /** Every visible article's excerpts and reading time, checked against the functions of its body. */
  async function expectAllAsComputed(): Promise<number> {
    let after: string | null | undefined = null;
    let checked = 0;
    do {
      const { data, errors }: GraphQLResponse<TestExcerptsQuery> = await server.graphql(Excerpts, {
        first: 100,
        after,
      });
      expect(errors).toBeUndefined();
      for (const { node } of data!.articles.edges) {
        for (const [alias, length] of Object.entries(LENGTHS)) {
          expect(node[alias as keyof typeof LENGTHS], `${node.slug} ${alias}`).toBe(
            excerptBefore(node.bodyText, length),
          );
        }
        expect(node.readingTimeMinutes, node.slug).toBe(readingTimeBefore(node.bodyText));
        checked++;
      }
      after = data!.articles.pageInfo.hasNextPage ? data!.articles.pageInfo.endCursor : undefined;
    } while (after);
    return checked;
  }

  it('serves the demo data exactly as cut from the whole body, every writer having stored the columns', async () => {
    expect(await server.app.db.prisma.article.count({ where: { readingMinutes: 0 } })).toBe(0);
    expect(await expectAllAsComputed()).toBeGreaterThan(200);
  });

  it('serves the same after updateArticle changes bodies at the edges of the stored prefix', async () => {
    const targets = await server.app.db.prisma.article.findMany({
      where: { status: 'PUBLISHED', deletedAt: null, publishedAt: { lte: new Date() } },
      orderBy: { id: 'asc' },
      take: EDGE_BODIES.length,
      select: { id: true, bodyText: true },
    });
    for (const [i, paragraphs] of EDGE_BODIES.entries()) {
      const body = paragraphs.map((text) => ({ type: 'PARAGRAPH' as const, text }));
      const res = await server.graphql(
        Edit,
        { i: { id: encodeGlobalId('Article', targets[i]!.id), body } },
        { token: tokens.editor },
      );
      expect(res.errors).toBeUndefined();
    }
    const stored = await server.app.db.prisma.article.findMany({
      where: { id: { in: targets.map((t) => t.id) } },
      select: { id: true, bodyText: true, excerptText: true, readingMinutes: true },
    });
    for (const row of stored) {
      expect(row.bodyText).not.toBe(targets.find((t) => t.id === row.id)!.bodyText);
      expect({ excerptText: row.excerptText, readingMinutes: row.readingMinutes }).toEqual(
        bodyTextColumns(row.bodyText),
      );
      expect(Array.from(row.excerptText).length).toBeLessThanOrEqual(EXCERPT_MAX_LENGTH + 1);
    }
    await expectAllAsComputed();
  });

  it('derives the columns on read for rows written without them, and the start-up backfill stores them', async () => {
    const prisma = server.app.db.prisma;
    const ids = (await prisma.article.findMany({ orderBy: { id: 'desc' }, take: 7, select: { id: true } })).map(
      (r) => r.id,
    );
    await prisma.article.updateMany({ where: { id: { in: ids } }, data: { excerptText: '', readingMinutes: 0 } });
    await expectAllAsComputed();
    expect(await backfillBodyTextColumns(prisma)).toBe(ids.length);
    const rows = await prisma.article.findMany({
      where: { id: { in: ids } },
      select: { bodyText: true, excerptText: true, readingMinutes: true },
    });
    for (const row of rows)
      expect({ excerptText: row.excerptText, readingMinutes: row.readingMinutes }).toEqual(
        bodyTextColumns(row.bodyText),
      );
    expect(await backfillBodyTextColumns(prisma)).toBe(0);
    await expectAllAsComputed();
  });
});
