// Article rows written by hand (src/articles/row-sql.ts) equal what Prisma returns for the same
// selection: every column type (dates, JSON, text arrays, enums, nulls), the section, a lead image
// present or missing, bylines of one or several reporters and tags in order; on PGlite and PostgreSQL. Over
// HTTP, the first pages of the section, reporter, tag and archive lists answer as the cursor pages
// (Prisma's rows by id) do for the same articles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArticlesInOrder } from '../src/articles/list-query.ts';
import { articleRowSql } from '../src/articles/row-sql.ts';
import { getDatamodel } from '../src/generated/pothos-types.ts';
import { PLAIN_ROW } from '../src/plain-rows-plugin.ts';
import { backends, startTestServer, type TestServer } from './harness/server.ts';

const scalars = (model: string) =>
  Object.fromEntries(
    (getDatamodel().datamodel.models as Record<string, { fields: readonly { name: string; kind: string }[] }>)
      [model]!.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum')
      .map((f) => [f.name, true]),
  );

const SELECTIONS: Record<string, object> = {
  'every article column': { select: scalars('Article') },
  'section and lead image, all their columns': { select: { id: true, section: true, leadImage: true } },
  'section and lead image, some columns': {
    select: {
      headline: true,
      section: { select: { name: true } },
      leadImage: { select: { url: true, caption: true } },
    },
  },
  byline: {
    select: {
      id: true,
      reporters: {
        orderBy: { position: 'asc' },
        select: { reporter: { select: { name: true, slug: true, id: true } } },
      },
    },
  },
  'the article page: body, byline, lead image and tags': {
    select: {
      id: true,
      headline: true,
      deck: true,
      body: true,
      publishedAt: true,
      editedAt: true,
      section: { select: { name: true, slug: true } },
      reporters: { orderBy: { position: 'asc' }, select: { reporter: { select: { name: true, title: true } } } },
      leadImage: { select: { url: true, caption: true, credit: true } },
      tags: { orderBy: { tag: { name: 'asc' } }, select: { tag: { select: { name: true, slug: true, id: true } } } },
    },
  },
  'the section front': {
    select: {
      id: true,
      publishedAt: true,
      excerptText: true,
      reporters: { orderBy: { position: 'asc' }, select: { reporter: { select: { name: true } } } },
      leadImage: { select: { url: true, caption: true } },
    },
  },
};

describe.each(backends())('hand-written article rows on %s', (backend) => {
  let server: TestServer;
  let ids: number[];

  beforeAll(async () => {
    server = await startTestServer(backend, { env: { PUBLISH_SCHEDULER_MS: '0' } });
    const prisma = server.app.db.prisma;
    // Articles with and without a lead image, with one and with several reporters, and one not visible.
    const withPhoto = await prisma.article.findMany({
      where: { leadImageId: { not: null } },
      take: 3,
      select: { id: true },
    });
    const without = await prisma.article.findMany({ where: { leadImageId: null }, take: 3, select: { id: true } });
    const several = await prisma.$queryRawUnsafe<{ articleId: number }[]>(
      'SELECT "articleId" FROM "ArticleReporter" GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 3',
    );
    const tagged = await prisma.$queryRawUnsafe<{ articleId: number }[]>(
      'SELECT "articleId" FROM "ArticleTag" GROUP BY 1 HAVING count(*) > 2 ORDER BY 1 DESC LIMIT 3',
    );
    const draft = await prisma.article.findFirst({ where: { status: { not: 'PUBLISHED' } }, select: { id: true } });
    ids = [...withPhoto, ...without]
      .map((a) => a.id)
      .concat(
        several.map((s) => s.articleId),
        tagged.map((s) => s.articleId),
        draft ? [draft.id] : [],
      );
    expect(several.length).toBeGreaterThan(0);
    expect(tagged.length).toBeGreaterThan(0);
    expect(without.length).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const [name, selection] of Object.entries(SELECTIONS)) {
    it(`${name}: the same rows as Prisma's`, async () => {
      expect(articleRowSql(selection), 'written by hand').not.toBeNull();
      const ctx = { prisma: server.app.db.prisma, now: new Date() };
      const byHand = await loadArticlesInOrder(ctx, selection, ids);
      const byPrisma = await ctx.prisma.article.findMany({
        ...selection,
        where: { id: { in: ids }, status: 'PUBLISHED', deletedAt: null, publishedAt: { lte: ctx.now } },
      } as never);
      const byId = new Map((byPrisma as { id: number }[]).map((r) => [r.id, r]));
      expect(byHand.length).toBeGreaterThan(3);
      expect(byHand.length).toBe(byPrisma.length);
      for (const row of byHand as unknown as { id?: number; [PLAIN_ROW]?: boolean }[]) {
        // Marked as written by hand (src/plain-rows-plugin.ts), and otherwise Prisma's row.
        expect(row[PLAIN_ROW]).toBe(true);
        const id = row.id ?? (row as { headline?: string }).headline;
        expect(row, String(id)).toEqual(
          row.id != null
            ? byId.get(row.id)
            : (byPrisma as object[]).find((p) => (p as { headline: string }).headline === id),
        );
      }
    });
  }

  it('leaves to Prisma what it does not write', () => {
    expect(articleRowSql({ select: { id: true, tags: { select: { tag: true } } } })).toBeNull();
    expect(articleRowSql({ select: { id: true, section: { select: { articles: true } } } })).toBeNull();
    expect(articleRowSql({ select: { id: true, reporters: { select: { reporter: true } } } })).toBeNull();
    expect(
      articleRowSql({ select: { id: true, reporters: { orderBy: { position: 'asc' }, select: { reporter: true } } } }),
    ).toBeNull();
    expect(articleRowSql({ include: { section: true } })).toBeNull();
    expect(articleRowSql({ select: { id: true, leadImage: { select: { url: true }, where: { id: 1 } } } })).toBeNull();
  });

  it('first pages equal the same articles loaded as a page after a cursor', async () => {
    const node =
      'id headline publishedAt excerpt readingTimeMinutes section { name } reporters { name } leadImage { url caption }';
    const pages = [
      ['articles', ''],
      ['section(slug: "world") { articles', '}'],
      ['reporter(slug: "kim-minjun") { articles', '}'],
      ['tag(slug: "climate") { articles', '}'],
    ] as const;
    for (const [open, close] of pages) {
      const first = await server.graphql(`{ ${open}(first: 6) { edges { cursor node { ${node} } } } ${close} }`);
      expect(first.errors).toBeUndefined();
      const edges = JSON.stringify(first.data).match(/"edges":(\[.*\])/)?.[1];
      const list = JSON.parse(edges!) as { cursor: string; node: unknown }[];
      expect(list.length, open).toBeGreaterThan(2);
      // The same articles after the first one's cursor: ids by the row comparison, rows by id.
      const later = await server.graphql(
        `{ ${open}(first: 5, after: "${list[0]!.cursor}") { edges { cursor node { ${node} } } } ${close} }`,
      );
      expect(later.errors).toBeUndefined();
      const laterList = JSON.parse(JSON.stringify(later.data).match(/"edges":(\[.*\])/)![1]!) as unknown[];
      expect(laterList, open).toEqual(list.slice(1, 1 + laterList.length));
    }
  });
});
