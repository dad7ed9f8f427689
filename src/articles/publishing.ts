// Publishing state changes and the live events they announce. The newsroom mutations call these;
// nothing else should flip an article's visibility, or subscribers will not hear about it.
//
// Every change is a conditional write (it names the state it saw), so two editors, or two
// instances' schedulers, acting at once produce one change and one event. The cache purge a
// change causes is queued in the change's own transaction (src/cache/purge.ts). Events are published
// after the write commits; if the pub/sub is unreachable the change stands, the failure is logged,
// and readers catch up through the resume cursor (`articlePublished(after:)`).
import { concurrentChange, userError } from '../errors.ts';
import type { Article, ArticleStatus, PrismaClient } from '../generated/prisma/client.ts';
import { type CachePurger, purgeTransaction } from '../cache/purge.ts';
import type { PubSub } from '../pubsub/pubsub.ts';
import type { ArticleChangeKind, Topic, Topics } from '../pubsub/topics.ts';
import { isVisibleArticle } from './visibility.ts';
import type { Logger } from '../platform/logger.ts';

export interface PublishingServices {
  prisma: PrismaClient;
  pubsub: PubSub;
  clock: () => Date;
  log?: Logger;
  /** Queues the cache purges a change causes (src/cache). */
  cachePurger?: CachePurger;
}

export interface PublishingResult {
  article: Article;
  /** Whether this call changed anything. */
  changed: boolean;
  /** Whether an event was handed to the pub/sub (false: nothing to announce, or it failed). */
  announced: boolean;
}

async function load(services: PublishingServices, id: number) {
  const article = await services.prisma.article.findUnique({
    where: { id },
    include: { section: { select: { slug: true } } },
  });
  if (!article || article.deletedAt) throw userError('NOT_FOUND', `No article with id ${id}`);
  return article;
}

/** Announces a committed change (its cache purge was queued in its transaction: purgeTransaction). */
export async function announce<T extends Topic>(
  services: PublishingServices,
  topic: T,
  payload: Topics[T],
): Promise<boolean> {
  try {
    await services.pubsub.publish(topic, payload);
    return true;
  } catch (error) {
    services.log?.warn(
      { err: error, topic, articleId: (payload as { articleId: number }).articleId },
      'publishing: event not announced',
    );
    return false;
  }
}

/**
 * Publishes now, or schedules for `at` when it lies in the future (status SCHEDULED until
 * `runDuePublications` finds it due). Publishing now announces `article:published`. Publishing an
 * article that is already visible changes nothing. A past `at` means now: a new publication is
 * always at the end of publication order, which is what resume cursors rely on.
 */
export async function publishArticle(
  services: PublishingServices,
  id: number,
  options: { at?: Date } = {},
): Promise<PublishingResult> {
  const current = await load(services, id);
  const now = services.clock();
  if (options.at && options.at > now) {
    // Scheduling a live article would take it off the site silently: unpublish it first.
    if (isVisibleArticle(current, now))
      throw userError('BAD_USER_INPUT', `Article ${id} is already published; unpublish it before scheduling`, {
        field: 'id',
      });
    const { count } = await services.prisma.article.updateMany({
      where: { id, status: current.status, publishedAt: current.publishedAt, deletedAt: null },
      data: { status: 'SCHEDULED', publishedAt: options.at },
    });
    if (count === 0) throw concurrentChange(id);
    const article = await services.prisma.article.findUniqueOrThrow({ where: { id } });
    return { article, changed: true, announced: false };
  }
  if (isVisibleArticle(current, now)) return { article: current, changed: false, announced: false };
  const article = await purgeTransaction(services, async (tx) => {
    const { count } = await tx.article.updateMany({
      where: { id, status: current.status, publishedAt: current.publishedAt, deletedAt: null },
      data: { status: 'PUBLISHED', publishedAt: now },
    });
    if (count === 0) throw concurrentChange(id);
    await services.cachePurger?.articleChanged(tx, id, 'PUBLISHED');
    return tx.article.findUniqueOrThrow({ where: { id } });
  });
  const announced = await announce(services, 'article:published', {
    articleId: id,
    publishedAt: now.toISOString(),
    sectionSlug: current.section.slug,
    breaking: article.breaking,
  });
  return { article, changed: true, announced };
}

/**
 * Takes an article off the site: back to DRAFT, or ARCHIVED with `archive`. A scheduled article is
 * unscheduled. Subscribers of a visible article hear UNPUBLISHED or ARCHIVED.
 */
export async function unpublishArticle(
  services: PublishingServices,
  id: number,
  options: { archive?: boolean } = {},
): Promise<PublishingResult> {
  const current = await load(services, id);
  const now = services.clock();
  const status: ArticleStatus = options.archive ? 'ARCHIVED' : 'DRAFT';
  if (current.status === status) return { article: current, changed: false, announced: false };
  const visible = isVisibleArticle(current, now);
  const kind: ArticleChangeKind = options.archive ? 'ARCHIVED' : 'UNPUBLISHED';
  const article = await purgeTransaction(services, async (tx) => {
    const { count } = await tx.article.updateMany({
      where: { id, status: current.status, publishedAt: current.publishedAt },
      // An unscheduled article was never published: its planned time is not a publication time.
      // updatedAt is the event's instant: a catch-up after a pub/sub outage rebuilds the event from it.
      data: { status, updatedAt: now, ...(current.status === 'SCHEDULED' ? { publishedAt: null } : {}) },
    });
    if (count === 0) throw concurrentChange(id);
    if (visible) await services.cachePurger?.articleChanged(tx, id, kind);
    return tx.article.findUniqueOrThrow({ where: { id } });
  });
  const announced =
    visible && (await announce(services, 'article:updated', { articleId: id, kind, at: now.toISOString() }));
  return { article, changed: true, announced };
}

/**
 * Publishes scheduled articles whose time has come and announces them, oldest first. Safe to run
 * on every instance at once: each article is claimed by a conditional update that only one wins.
 * Returns the ids this call published.
 */
export async function runDuePublications(services: PublishingServices, batch = 100): Promise<number[]> {
  const now = services.clock();
  const due = await services.prisma.article.findMany({
    where: { status: 'SCHEDULED', publishedAt: { lte: now }, deletedAt: null },
    select: { id: true, publishedAt: true, breaking: true, section: { select: { slug: true } } },
    orderBy: [{ publishedAt: 'asc' }, { id: 'asc' }],
    take: batch,
  });
  const published: number[] = [];
  for (const row of due) {
    // Published now, at the end of publication order (resume cursors rely on it), not at the
    // planned time, which may lie before articles published while this one waited for its run.
    const publishedAt = services.clock();
    const count = await purgeTransaction(services, async (tx) => {
      const { count } = await tx.article.updateMany({
        where: { id: row.id, status: 'SCHEDULED', publishedAt: row.publishedAt },
        data: { status: 'PUBLISHED', publishedAt },
      });
      if (count > 0) await services.cachePurger?.articleChanged(tx, row.id, 'PUBLISHED');
      return count;
    });
    if (count === 0) continue; // another instance got it
    published.push(row.id);
    await announce(services, 'article:published', {
      articleId: row.id,
      publishedAt: publishedAt.toISOString(),
      sectionSlug: row.section.slug,
      breaking: row.breaking,
    });
  }
  return published;
}

export interface Scheduler {
  stop(): Promise<void>;
}

/** Runs `runDuePublications` every `intervalMs` (never two runs at once). */
export function startPublicationScheduler(services: PublishingServices, intervalMs: number): Scheduler {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = runDuePublications(services)
      .catch((error) => services.log?.error({ err: error }, 'publishing: scheduler run failed'))
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
