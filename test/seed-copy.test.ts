// The PostgreSQL bulk loader (COPY, indexes rebuilt after the load) stores exactly what the Prisma
// batch writer stores, leaves every index as the migrations made it, and rolls back as a whole.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyTextColumns } from '../src/articles/text.ts';
import { loadConfig } from '../src/config.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import { copyArticles } from '../src/seed/copy.ts';
import { documentTokens, facetTokens } from '../src/search/tokens.ts';
import { allCorpusTags, type CorpusSpec, corpusArticles, generateArticles } from '../src/seed/corpus.ts';
import { seedReferenceData } from '../src/seed/demo.ts';
import { insertArticles, type NewArticle } from '../src/seed/insert.ts';
import { backends, createPostgresDatabase } from './harness/server.ts';

// Media."createdAt" is the database's now(): not compared.
const TABLES = {
  Media: 'id',
  Article: 'id',
  ArticleReporter: '"articleId", "reporterId"',
  ArticleTag: '"articleId", "tagId"',
};

async function dump(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: Record<string, unknown[]> = {};
    for (const [table, order] of Object.entries(TABLES))
      out[table] = (await client.query(`SELECT * FROM "${table}" ORDER BY ${order}`)).rows.map((r) =>
        table === 'Media' ? { ...r, createdAt: null } : r,
      );
    out.indexes = (
      await client.query(
        `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`,
      )
    ).rows;
    // The loader drops foreign keys and turns the link tables' triggers off while it runs.
    out.constraints = (
      await client.query(
        `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY conname`,
      )
    ).rows;
    out.triggers = (
      await client.query(`SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname`)
    ).rows;
    return out;
  } finally {
    await client.end();
  }
}

describe.skipIf(!backends().includes('postgres'))('COPY seed loader on PostgreSQL', () => {
  const opened: Database[] = [];
  let viaPrisma: Database & { url: string };
  let viaCopy: Database & { url: string };
  let articles: NewArticle[];

  async function open(): Promise<Database & { url: string }> {
    const url = await createPostgresDatabase();
    const db = await openDatabase(loadConfig({ DATABASE_URL: url }).database);
    opened.push(db);
    return Object.assign(db, { url });
  }

  beforeAll(async () => {
    [viaPrisma, viaCopy] = await Promise.all([open(), open()]);
    const refs = await seedReferenceData(viaPrisma.prisma);
    expect(await seedReferenceData(viaCopy.prisma)).toEqual(refs);
    // Quotes, backslashes, tabs and line breaks in every kind of column the COPY text format escapes.
    const tricky: NewArticle = {
      ...[...generateArticles(1, refs, 5)][0]!,
      slug: 'tricky',
      headline: 'Tab\there \\ back"slash\r\nand {braces}',
      deck: ['a "quoted", line', 'back\\slash\tand\nbreak', ''],
      body: [
        { type: 'paragraph', text: 'N\\N \\N "q" \t\n end' },
        { type: 'quote', text: '{"json": 1}', attribution: null },
      ],
    };
    articles = [...generateArticles(1_200, refs, 11)].concat(tricky);
  });

  afterAll(async () => {
    for (const db of opened) await db.close();
  });

  it('stores the same rows as the Prisma writer and rebuilds every index it dropped', async () => {
    const before = await dump(viaCopy.url);
    for (let i = 0; i < articles.length; i += 500) await insertArticles(viaPrisma.prisma, articles.slice(i, i + 500));
    let indexing = 0;
    const progress: number[] = [];
    const loaded = await copyArticles(viaCopy.url, articles, {
      chunk: 500,
      deferIndexes: true,
      onProgress: (n) => progress.push(n),
      onIndexing: () => indexing++,
    });
    expect(loaded).toBe(articles.length);
    expect(indexing).toBe(1);
    expect(progress).toEqual([500, 1000, 1201]);
    const [a, b] = await Promise.all([dump(viaPrisma.url), dump(viaCopy.url)]);
    expect(b.Article).toHaveLength(articles.length);
    for (const table of Object.keys(TABLES)) expect(b[table], table).toEqual(a[table]);
    expect(b.indexes).toEqual(before.indexes);
    expect(b.constraints).toEqual(before.constraints);
    expect(b.triggers).toEqual(before.triggers);
    // The derived text columns are the app's own functions of the body, through both writers.
    // The search tokens: the text's, then the facets of the stored section, byline and tags.
    const links = (table: string, column: string) => {
      const byArticle = new Map<number, number[]>();
      for (const l of b[table] as Record<string, number>[])
        byArticle.set(l.articleId!, [...(byArticle.get(l.articleId!) ?? []), l[column]!]);
      return byArticle;
    };
    const reporters = links('ArticleReporter', 'reporterId');
    const tags = links('ArticleTag', 'tagId');
    for (const row of b.Article as {
      id: number;
      sectionId: number;
      bodyText: string;
      excerptText: string;
      readingMinutes: number;
      searchText: string;
      searchTokens: string[];
    }[]) {
      expect({ excerptText: row.excerptText, readingMinutes: row.readingMinutes }).toEqual(
        bodyTextColumns(row.bodyText),
      );
      const words = documentTokens(row.searchText);
      expect(row.searchTokens.slice(0, words.length)).toEqual(words);
      const facets = facetTokens({
        sectionId: row.sectionId,
        reporterIds: reporters.get(row.id) ?? [],
        tagIds: tags.get(row.id) ?? [],
      });
      expect(row.searchTokens.slice(words.length).sort()).toEqual(facets.sort());
    }
    expect((b.Article as { headline: string; deck: string[] }[]).at(-1)).toMatchObject({
      headline: articles.at(-1)!.headline,
      deck: articles.at(-1)!.deck,
    });
  });

  it('loads a generated corpus from its worker thread as the Prisma writer stores it', async () => {
    const [prismaDb, workerDb] = await Promise.all([open(), open()]);
    const refs = await seedReferenceData(prismaDb.prisma);
    expect(await seedReferenceData(workerDb.prisma)).toEqual(refs);
    const corpus: CorpusSpec = { count: 1_100, refs, seed: 21, slugPrefix: 's20-' };
    const generated = [...corpusArticles(corpus)];
    expect(generated[0]!.slug.startsWith('s20-')).toBe(true);
    for (let i = 0; i < generated.length; i += 500) await insertArticles(prismaDb.prisma, generated.slice(i, i + 500));
    const before = await dump(workerDb.url);
    const progress: number[] = [];
    expect(
      await copyArticles(workerDb.url, corpus, { chunk: 400, deferIndexes: true, onProgress: (n) => progress.push(n) }),
    ).toBe(1_100);
    expect(progress).toEqual([400, 800, 1_100]);
    const [a, b] = await Promise.all([dump(prismaDb.url), dump(workerDb.url)]);
    for (const table of Object.keys(TABLES)) expect(b[table], table).toEqual(a[table]);
    expect(b.indexes).toEqual(before.indexes);
    expect(b.constraints).toEqual(before.constraints);
    expect(b.triggers).toEqual(before.triggers);
  });

  it('rolls back a failed load as a whole, indexes included', async () => {
    const before = await dump(viaCopy.url);
    // Only the section is wrong: found when the foreign keys are added back after the load.
    const tagIds = new Map(allCorpusTags().map(([slug]) => [slug, 1]));
    const broken = [
      ...generateArticles(30, { sections: [{ id: 999_999, slug: 'politics' }], reporterIds: [1], tagIds }, 3),
    ];
    await expect(copyArticles(viaCopy.url, broken, { deferIndexes: true })).rejects.toThrow(/foreign key/);
    expect(await dump(viaCopy.url)).toEqual(before);
    // Likewise from the worker thread.
    const corpus: CorpusSpec = {
      count: 30,
      refs: { sections: [{ id: 999_999, slug: 'politics' }], reporterIds: [1], tagIds },
      seed: 3,
      slugPrefix: 'broken-',
    };
    await expect(copyArticles(viaCopy.url, corpus, { deferIndexes: true })).rejects.toThrow(/foreign key/);
    expect(await dump(viaCopy.url)).toEqual(before);
  });
});
