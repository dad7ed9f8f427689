// Bulk insertion used by the demo seed and the large-corpus generator: rows with explicit ids built
// once (articleRows), written here through Prisma in one transaction per batch (PGlite and small
// batches) or by COPY on PostgreSQL (copy.ts); sequences moved past the inserted ids at the end.
import { type BodyBlock, bodyToText } from '../articles/body.ts';
import type { ArticleStatus, PrismaClient } from '../generated/prisma/client.ts';
import { seedBodyTextColumns, seedSearchColumns } from './derived.ts';

export interface NewMedia {
  url: string;
  caption?: string;
  credit?: string;
  alt?: string;
  width?: number;
  height?: number;
}

/** An article to insert. Image blocks may carry `photo` instead of a mediaId: it is created. */
export interface NewArticle {
  slug: string;
  headline: string;
  deck: string[];
  body: (BodyBlock | { type: 'image'; photo: NewMedia; caption?: string; credit?: string })[];
  status: ArticleStatus;
  publishedAt: Date | null;
  editedAt?: Date | null;
  breaking?: boolean;
  sectionId: number;
  leadImage?: NewMedia;
  reporterIds: number[];
  tagIds: number[];
  viewCount?: number;
  likeCount?: number;
}

export async function nextId(prisma: PrismaClient, table: 'Article' | 'Media'): Promise<number> {
  const rows = await prisma.$queryRawUnsafe<{ max: number | null }[]>(`SELECT max(id)::int AS max FROM "${table}"`);
  return (rows[0]?.max ?? 0) + 1;
}

export async function resetSequences(prisma: PrismaClient): Promise<void> {
  for (const table of ['Article', 'Media', 'Section', 'Reporter', 'Tag']) {
    await prisma.$executeRawUnsafe(
      `SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), coalesce((SELECT max(id) FROM "${table}"), 0) + 1, false)`,
    );
  }
}

/** The rows of one batch of articles, per table, in insertion order (Media before Article). */
export interface SeedRows {
  Media: Record<string, unknown>[];
  Article: Record<string, unknown>[];
  ArticleReporter: Record<string, unknown>[];
  ArticleTag: Record<string, unknown>[];
}
export type SeedTable = keyof SeedRows;
/** Insertion order: every table after the ones its foreign keys point at. */
export const SEED_TABLES: SeedTable[] = ['Media', 'Article', 'ArticleReporter', 'ArticleTag'];

/**
 * Builds the rows of `articles` with explicit ids from `firstArticleId` and `firstMediaId`, as every
 * writer stores them (derived columns computed here, once). Returns the next free ids.
 */
export function articleRows(articles: NewArticle[], firstArticleId: number, firstMediaId: number) {
  let articleId = firstArticleId;
  let mediaId = firstMediaId;
  const rows: SeedRows = { Media: [], Article: [], ArticleReporter: [], ArticleTag: [] };
  const ids: number[] = [];
  for (const a of articles) {
    const id = articleId++;
    ids.push(id);
    let leadImageId: number | null = null;
    if (a.leadImage) {
      leadImageId = mediaId++;
      rows.Media.push({ ...a.leadImage, id: leadImageId });
    }
    const body: BodyBlock[] = a.body.map((b) => {
      if (b.type !== 'image' || !('photo' in b)) return b;
      const photoId = b.photo === a.leadImage && leadImageId ? leadImageId : mediaId++;
      if (photoId !== leadImageId) rows.Media.push({ ...b.photo, id: photoId });
      return { type: 'image', mediaId: photoId, caption: b.caption ?? null, credit: b.credit ?? null };
    });
    const bodyText = bodyToText(body);
    rows.Article.push({
      id,
      slug: a.slug,
      headline: a.headline,
      deck: a.deck,
      body,
      bodyText,
      ...seedSearchColumns(a.headline, a.deck, bodyText, a),
      ...seedBodyTextColumns(bodyText),
      status: a.status,
      publishedAt: a.publishedAt,
      editedAt: a.editedAt ?? null,
      breaking: a.breaking ?? false,
      sectionId: a.sectionId,
      leadImageId,
      viewCount: a.viewCount ?? 0,
      likeCount: a.likeCount ?? 0,
      createdAt: a.publishedAt ?? new Date(),
      updatedAt: a.editedAt ?? a.publishedAt ?? new Date(),
    });
    a.reporterIds.forEach((reporterId, position) => {
      rows.ArticleReporter.push({ articleId: id, reporterId, position });
    });
    for (const tagId of a.tagIds) rows.ArticleTag.push({ articleId: id, tagId });
  }
  return { rows, ids, nextArticleId: articleId, nextMediaId: mediaId };
}

/** Inserts articles in one transaction; returns their ids in order. */
export async function insertArticles(prisma: PrismaClient, articles: NewArticle[]): Promise<number[]> {
  const { rows, ids } = articleRows(articles, await nextId(prisma, 'Article'), await nextId(prisma, 'Media'));
  await prisma.$transaction(SEED_TABLES.map((table) => bulkInsert(prisma, table, rows[table], SEED_COLUMNS[table])));
  return ids;
}

export type Column = 'int' | 'text' | 'bool' | 'jsonb' | 'text[]' | 'timestamp' | 'status';

/** The columns each seed writer fills, with the type their values are written as. */
export const SEED_COLUMNS: Record<SeedTable, Record<string, Column>> = {
  Media: { id: 'int', url: 'text', caption: 'text', credit: 'text', alt: 'text', width: 'int', height: 'int' },
  Article: {
    id: 'int',
    slug: 'text',
    headline: 'text',
    deck: 'text[]',
    body: 'jsonb',
    bodyText: 'text',
    searchText: 'text',
    searchTokens: 'text[]',
    excerptText: 'text',
    readingMinutes: 'int',
    status: 'status',
    publishedAt: 'timestamp',
    editedAt: 'timestamp',
    breaking: 'bool',
    sectionId: 'int',
    leadImageId: 'int',
    viewCount: 'int',
    likeCount: 'int',
    createdAt: 'timestamp',
    updatedAt: 'timestamp',
  },
  ArticleReporter: { articleId: 'int', reporterId: 'int', position: 'int' },
  ArticleTag: { articleId: 'int', tagId: 'int' },
};

/**
 * One INSERT … SELECT FROM jsonb_to_recordset($1) per table: a single parameter whatever the batch
 * size, many times faster than createMany for bulk seeding, and the same SQL on PGlite and PostgreSQL.
 */
function bulkInsert(prisma: PrismaClient, table: string, rows: object[], columns: Record<string, Column>) {
  const names = Object.keys(columns);
  const record = names.map(
    (n) =>
      `"${n}" ${{ 'text[]': 'jsonb', timestamp: 'timestamptz', status: 'text' }[columns[n] as string] ?? columns[n]}`,
  );
  const value = (n: string) => {
    switch (columns[n]) {
      case 'text[]':
        return `ARRAY(SELECT jsonb_array_elements_text(x."${n}"))`;
      case 'timestamp':
        return `(x."${n}" AT TIME ZONE 'UTC')`;
      case 'status':
        return `x."${n}"::"ArticleStatus"`;
      default:
        return `x."${n}"`;
    }
  };
  const sql = `INSERT INTO "${table}" (${names.map((n) => `"${n}"`).join(', ')})
    SELECT ${names.map(value).join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${record.join(', ')})`;
  return prisma.$executeRawUnsafe(sql, JSON.stringify(rows));
}
