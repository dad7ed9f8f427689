// Catching up after a pub/sub outage. While an instance's Redis subscription is down, events other
// instances publish never reach it (Redis pub/sub keeps nothing). Every change is in PostgreSQL first
// (it is announced after it commits), so the hub remembers which events it delivered and, while the
// subscription is down and once it is back, reads what was published since the newest of them and
// delivers what it has not, oldest first; and for the articles it has `articleUpdated` subscribers of,
// what changed since the outage began (an edit: `editedAt`; unpublishing, archiving: `updatedAt`, set
// to the event's instant; deletion: `deletedAt`). Its own publications reach it at once anyway
// (src/pubsub/redis.ts). Publication positions come from the publishing instance's clock and commit a
// moment after it, so the read starts a little before the newest delivered position
// (`CATCH_UP_OVERLAP_MS`) and skips what was delivered: nothing published by another instance with a
// slightly older position, or committed a moment later, is missed, and nothing is delivered twice.
import type { ArticleStatus, PrismaClient } from '../generated/prisma/client.ts';
import { visibleArticleWhere } from '../articles/visibility.ts';
import type { Topics } from '../pubsub/topics.ts';

/** How far before the newest delivered publication a catch-up starts reading. */
export const CATCH_UP_OVERLAP_MS = 60_000;
/** Rows per catch-up statement, and most publications one catch-up delivers. */
const PAGE = 200;
const MAX_ROWS = 5_000;

type Published = Topics['article:published'];

/** Keys of events a hub has handled (delivered, or judged stale), the newest `capacity` of them. */
export class SeenEvents {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** Records an event; false if it was recorded already (a duplicate at a seam). */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value!);
    return true;
  }
}

/** The publications a hub has handled, and where a catch-up of publications starts. */
export class DeliveredPublications {
  private readonly seen = new SeenEvents();
  private newest: number;

  /** `startedAt`: nothing published before it is caught up (no subscription here could want it). */
  constructor(private readonly startedAt: number) {
    this.newest = startedAt;
  }

  /** Records a publication; false if it was recorded already. */
  add(articleId: number, publishedAt: number): boolean {
    if (!this.seen.add(`${articleId}@${publishedAt}`)) return false;
    if (publishedAt > this.newest) this.newest = publishedAt;
    return true;
  }

  /** Where a catch-up starts reading. */
  since(): Date {
    return new Date(Math.max(this.startedAt, this.newest - CATCH_UP_OVERLAP_MS));
  }
}

/**
 * Visible articles published at or after `since`, oldest first, as the events that announced them.
 * An index range on (status, publishedAt, id), paged by position.
 */
export async function publishedSince(
  prisma: PrismaClient,
  since: Date,
  now: Date,
): Promise<{ events: Published[]; truncated: boolean }> {
  const events: Published[] = [];
  let after: { publishedAt: Date; id: number } | null = null;
  for (;;) {
    const rows: { id: number; publishedAt: Date | null; breaking: boolean; section: { slug: string } }[] =
      await prisma.article.findMany({
        where: {
          AND: [
            visibleArticleWhere(now),
            { publishedAt: { gte: after?.publishedAt ?? since } },
            ...(after ? [{ OR: [{ publishedAt: { gt: after.publishedAt } }, { id: { gt: after.id } }] }] : []),
          ],
        },
        select: { id: true, publishedAt: true, breaking: true, section: { select: { slug: true } } },
        orderBy: [{ publishedAt: 'asc' }, { id: 'asc' }],
        take: PAGE,
      });
    for (const r of rows)
      events.push({
        articleId: r.id,
        publishedAt: r.publishedAt!.toISOString(),
        sectionSlug: r.section.slug,
        breaking: r.breaking,
      });
    if (rows.length < PAGE) return { events, truncated: false };
    if (events.length >= MAX_ROWS) return { events, truncated: true };
    const last = rows[rows.length - 1]!;
    after = { publishedAt: last.publishedAt!, id: last.id };
  }
}

export interface ChangedArticle {
  id: number;
  status: ArticleStatus;
  publishedAt: Date | null;
  editedAt: Date | null;
  deletedAt: Date | null;
  updatedAt: Date;
}

/** Of `ids`, the articles changed at or after `since`: primary-key lookups, 1,000 ids a statement. */
export async function changedSince(
  prisma: PrismaClient,
  ids: readonly number[],
  since: Date,
): Promise<ChangedArticle[]> {
  const out: ChangedArticle[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    out.push(
      ...(await prisma.article.findMany({
        where: { id: { in: ids.slice(i, i + 1000) }, updatedAt: { gte: since } },
        select: { id: true, status: true, publishedAt: true, editedAt: true, deletedAt: true, updatedAt: true },
        orderBy: { updatedAt: 'asc' },
      })),
    );
  }
  return out;
}
