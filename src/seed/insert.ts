// Bulk insertion used by the demo seed and the large-corpus generator: explicit ids, createMany in
// batches, one transaction per batch, sequences moved past the inserted ids at the end.
import { type BodyBlock, bodyToText, searchTextOf } from '../articles/body.ts';
import type { ArticleStatus, PrismaClient } from '../generated/prisma/client.ts';

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

async function nextId(prisma: PrismaClient, table: 'Article' | 'Media'): Promise<number> {
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

/** Inserts articles in one transaction; returns their ids in order. */
export async function insertArticles(prisma: PrismaClient, articles: NewArticle[]): Promise<number[]> {
  let articleId = await nextId(prisma, 'Article');
  let mediaId = await nextId(prisma, 'Media');
  const media: (NewMedia & { id: number })[] = [];
  const rows = [];
  const bylines: { articleId: number; reporterId: number; position: number }[] = [];
  const tags: { articleId: number; tagId: number }[] = [];
  const ids: number[] = [];
  for (const a of articles) {
    const id = articleId++;
    ids.push(id);
    let leadImageId: number | null = null;
    if (a.leadImage) {
      leadImageId = mediaId++;
      media.push({ ...a.leadImage, id: leadImageId });
    }
    const body: BodyBlock[] = a.body.map((b) => {
      if (b.type !== 'image' || !('photo' in b)) return b;
      const photoId = b.photo === a.leadImage && leadImageId ? leadImageId : mediaId++;
      if (photoId !== leadImageId) media.push({ ...b.photo, id: photoId });
      return { type: 'image', mediaId: photoId, caption: b.caption ?? null, credit: b.credit ?? null };
    });
    const bodyText = bodyToText(body);
    rows.push({
      id,
      slug: a.slug,
      headline: a.headline,
      deck: a.deck,
      body,
      bodyText,
      searchText: searchTextOf(a.headline, a.deck, bodyText),
      status: a.status,
      publishedAt: a.publishedAt,
      editedAt: a.editedAt ?? null,
      breaking: a.breaking ?? false,
      sectionId: a.sectionId,
      leadImageId,
      viewCount: a.viewCount ?? 0,
      likeCount: a.likeCount ?? 0,
      createdAt: a.publishedAt ?? new Date(),
    });
    a.reporterIds.forEach((reporterId, position) => bylines.push({ articleId: id, reporterId, position }));
    for (const tagId of a.tagIds) tags.push({ articleId: id, tagId });
  }
  await prisma.$transaction([
    prisma.media.createMany({ data: media }),
    prisma.article.createMany({ data: rows }),
    prisma.articleReporter.createMany({ data: bylines }),
    prisma.articleTag.createMany({ data: tags }),
  ]);
  return ids;
}
