// What a change purges: the keys of every cached response it makes stale, named with the same
// functions the responses were tagged with (src/cache/keys.ts, src/cache/hints.ts). Views and likes
// purge nothing: counters are fresh within their own short TTL (CACHE_MAX_AGE_COUNTER).
//
// The keys are written to the outbox in the change's own transaction (`db` is the transaction
// client): the change and its purge commit together or not at all, so a crash after the commit
// cannot lose a purge. `transaction()` runs a change that way and starts delivery after the commit.
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import type { ArticleChangeKind } from '../pubsub/topics.ts';
import { articleSlugKey, entityKey, LATEST, listKeys, type ListOwner, PHOTO, typeKey } from './keys.ts';
import type { PurgeOutbox } from './outbox.ts';

export type ArticleChange = 'PUBLISHED' | ArticleChangeKind;

/** Memberships an edit set (section, reporters, tags): the lists it may have joined. */
export interface TouchedMemberships {
  sectionId?: number;
  reporterIds?: number[];
  tagIds?: number[];
}

/** The lookup keys and broad key of one article (every change purges these). */
export function articleOwnKeys(article: { id: number; slug: string }): string[] {
  return [entityKey('Article', article.id), articleSlugKey(article.slug), typeKey('Article')];
}

/** PrismaClient, or the transaction client of the change that causes the purge. */
export type Db = PrismaClient | Prisma.TransactionClient;

/**
 * Runs `change` in one transaction; the purges it queues through `purger` (given the transaction
 * client) commit with it, and their delivery starts once it has committed.
 */
export async function purgeTransaction<T>(
  services: { prisma: PrismaClient; cachePurger?: CachePurger },
  change: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T> {
  const result = await services.prisma.$transaction(change);
  services.cachePurger?.deliver();
  return result;
}

export class CachePurger {
  constructor(private readonly outbox: PurgeOutbox) {}

  /** Starts delivering queued purges now (after the transaction that queued them committed). */
  deliver(): void {
    this.outbox.kick();
  }

  /**
   * An article became visible, stopped being visible, or was corrected. Publication and takedown
   * purge the article and every list it joins or leaves (latest news, photo news, its section's
   * front, its reporters' and tags' lists); a correction purges the article (every response that
   * shows it carries its id) and only the lists the edit moved it into.
   */
  async articleChanged(db: Db, id: number, change: ArticleChange, touched: TouchedMemberships = {}): Promise<void> {
    const article = await db.article.findUnique({
      where: { id },
      select: {
        id: true,
        slug: true,
        leadImageId: true,
        section: { select: { id: true, slug: true } },
        reporters: { select: { reporter: { select: { id: true, slug: true } } } },
        tags: { select: { tag: { select: { id: true, slug: true } } } },
      },
    });
    if (!article) return;
    const keys = articleOwnKeys(article);
    const memberships = change !== 'EDITED';
    if (memberships) keys.push(LATEST);
    if (memberships && article.leadImageId != null) keys.push(PHOTO);
    if (memberships || touched.sectionId != null) keys.push(...listKeys('section', article.section));
    for (const { reporter } of article.reporters)
      if (memberships || touched.reporterIds?.includes(reporter.id)) keys.push(...listKeys('reporter', reporter));
    for (const { tag } of article.tags)
      if (memberships || touched.tagIds?.includes(tag.id)) keys.push(...listKeys('tag', tag));
    await this.outbox.insert(db, keys);
  }

  /**
   * A section, reporter or tag was renamed or re-slugged: its own key and its lists under the old
   * and new slug. A reporter's name is also printed in bylines (a string, not the reporter
   * object): its most recent 1,000 articles are purged by id (older pages refresh within their TTL).
   */
  async ownerChanged(db: Db, owner: ListOwner, before: { id: number; slug: string }, newSlug?: string): Promise<void> {
    const type = owner === 'section' ? 'Section' : owner === 'reporter' ? 'Reporter' : 'Tag';
    const keys = [entityKey(type, before.id), ...listKeys(owner, before)];
    if (newSlug && newSlug !== before.slug) keys.push(...listKeys(owner, { id: before.id, slug: newSlug }));
    if (owner === 'section') keys.push('sections');
    if (owner === 'reporter') {
      const rows = await db.articleReporter.findMany({
        where: { reporterId: before.id },
        select: { articleId: true },
        orderBy: { articleId: 'desc' },
        take: 1_000,
      });
      keys.push(...rows.map((r) => entityKey('Article', r.articleId)));
    }
    await this.outbox.insert(db, keys);
  }

  /** The navigation changed (a section added or reordered). */
  async sectionsChanged(db: Db): Promise<void> {
    await this.outbox.insert(db, ['sections']);
  }
}
