// What a change purges: the keys of every cached response it makes stale, named with the same
// functions the responses were tagged with (src/cache/keys.ts, src/cache/hints.ts). Views and likes
// purge nothing: counters are fresh within their own short TTL (CACHE_MAX_AGE_COUNTER).
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { ArticleChangeKind } from '../pubsub/topics.ts';
import { articleSlugKey, entityKey, LATEST, listKeys, type ListOwner, PHOTO, typeKey } from './keys.ts';
import type { PurgeOutbox } from './outbox.ts';
import type { Logger } from '../platform/logger.ts';

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

export class CachePurger {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly outbox: PurgeOutbox,
    private readonly log: Logger,
  ) {}

  /**
   * An article became visible, stopped being visible, or was corrected. Publication and takedown
   * purge the article and every list it joins or leaves (latest news, photo news, its section's
   * front, its reporters' and tags' lists); a correction purges the article (every response that
   * shows it carries its id) and only the lists the edit moved it into.
   */
  async articleChanged(id: number, change: ArticleChange, touched: TouchedMemberships = {}): Promise<void> {
    await this.guard(`article ${id}`, async () => {
      const article = await this.prisma.article.findUnique({
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
      for (const { reporter } of article.reporters) if (memberships || touched.reporterIds?.includes(reporter.id)) keys.push(...listKeys('reporter', reporter));
      for (const { tag } of article.tags) if (memberships || touched.tagIds?.includes(tag.id)) keys.push(...listKeys('tag', tag));
      await this.outbox.enqueue(keys);
    });
  }

  /**
   * A section, reporter or tag was renamed or re-slugged: its own key and its lists under the old
   * and new slug. A reporter's name is also printed in bylines (a string, not the reporter
   * object): its most recent 1,000 articles are purged by id (older pages refresh within their TTL).
   */
  async ownerChanged(owner: ListOwner, before: { id: number; slug: string }, newSlug?: string): Promise<void> {
    await this.guard(`${owner} ${before.id}`, async () => {
      const type = owner === 'section' ? 'Section' : owner === 'reporter' ? 'Reporter' : 'Tag';
      const keys = [entityKey(type, before.id), ...listKeys(owner, before)];
      if (newSlug && newSlug !== before.slug) keys.push(...listKeys(owner, { id: before.id, slug: newSlug }));
      if (owner === 'section') keys.push('sections');
      if (owner === 'reporter') {
        const rows = await this.prisma.articleReporter.findMany({
          where: { reporterId: before.id },
          select: { articleId: true },
          orderBy: { articleId: 'desc' },
          take: 1_000,
        });
        keys.push(...rows.map((r) => entityKey('Article', r.articleId)));
      }
      await this.outbox.enqueue(keys);
    });
  }

  /** The navigation changed (a section added or reordered). */
  async sectionsChanged(): Promise<void> {
    await this.guard('sections', () => this.outbox.enqueue(['sections']));
  }

  /** A purge that cannot be queued is logged and never fails the change that caused it. */
  private async guard(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.log.warn(`purge: keys for ${what} not queued: ${(error as Error).message}`);
    }
  }
}
