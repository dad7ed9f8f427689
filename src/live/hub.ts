// The live hub: one per app. It listens to each pub/sub topic once and fans events out to this
// process's subscriptions, in the order events arrived. Per-event work is done once per process, not
// once per subscriber: the visibility check, and (through `rows`) loading the article for each
// distinct selection. This is what lets one instance carry thousands of subscribers.
import { EventEmitter } from 'node:events';
import { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import type { PubSub } from '../pubsub/pubsub.ts';
import type { ArticleChangeKind, Delivery, Topics } from '../pubsub/topics.ts';
import { isVisibleArticle, visibleArticleWhere } from '../articles/visibility.ts';
import { badInput, serviceUnavailable } from '../errors.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import {
  CATCH_UP_OVERLAP_MS,
  type ChangedArticle,
  changedSince,
  DeliveredPublications,
  publishedSince,
  SeenEvents,
} from './catch-up.ts';
import { decodePublicationCursor, encodePublicationCursor } from './cursor.ts';
import { LiveStream } from './stream.ts';
import type { Logger } from '../platform/logger.ts';

/** Fields every event resolves against. */
interface EventBase {
  articleId: number;
  /** The instant visibility is judged against while this event resolves. */
  now: Date;
  /** Rows loaded for this event, keyed by selection; shared by every subscriber in this process. */
  rows: Map<string, Promise<unknown>>;
}

export interface PublishedEvent extends EventBase {
  publishedAt: Date;
  cursor: string;
  /** Delivered from the resume cursor rather than live. */
  replayed: boolean;
  /** First replayed event when more than the replay limit were published since the cursor. */
  gap: boolean;
}

export interface UpdatedEvent extends EventBase {
  kind: ArticleChangeKind;
  at: Date;
}

export interface PublishedFilter {
  section?: string | null;
  breakingOnly?: boolean | null;
}

export interface LiveHubOptions {
  prisma: PrismaClient;
  pubsub: PubSub;
  clock: () => Date;
  log: Logger;
  /** Most events a resume replays. */
  replayLimit: number;
  /** Events held for a slow subscriber before it is dropped. */
  maxBuffered: number;
  /** While the pub/sub subscription is down, how often publications are caught up from PostgreSQL. */
  catchUpIntervalMs?: number;
}

type Sink<E> = (event: E) => void;
interface UpdatedSubscriber {
  sink: Sink<UpdatedEvent>;
  /** Epoch ms it was registered: a caught-up change older than this is not its news. */
  since: number;
}
interface PublishedSubscriber {
  filter: PublishedFilter;
  sink: Sink<PublishedEvent>;
  /** Epoch ms it was registered: a caught-up publication older than this is not its news. */
  since: number;
}

const matches = (filter: PublishedFilter, payload: { sectionSlug: string; breaking: boolean }) =>
  (filter.section == null || filter.section === payload.sectionSlug) && (!filter.breakingOnly || payload.breaking);

/** Subscriptions open in this process, by kind. */
export interface SubscriptionStats {
  published: number;
  updated: number;
}

export class LiveHub {
  private readonly published = new Set<PublishedSubscriber>();
  private readonly updated = new Map<number, Set<UpdatedSubscriber>>();
  private chain: Promise<void> = Promise.resolve();
  private readonly offs: (() => void)[] = [];
  /** 'subscriptions': the open counts, emitted whenever a subscription opens or closes (tests and benchmarks wait on it). */
  readonly events = new EventEmitter<{ subscriptions: [SubscriptionStats] }>();
  /** Publications handled here, for the catch-up after a pub/sub outage (catch-up.ts). */
  private readonly delivered: DeliveredPublications;
  /** Changes (articleUpdated events) handled here, and the subscribed articles whose last one took them off the site. */
  private readonly deliveredChanges = new SeenEvents();
  private readonly gone = new Set<number>();
  /** When the pub/sub subscription went down (epoch ms); null while it is up and caught up. */
  private downSince: number | null = null;
  private catchUpTimer: NodeJS.Timeout | null = null;
  private catchUpFailing = false;

  constructor(private readonly options: LiveHubOptions) {
    const { pubsub } = options;
    this.delivered = new DeliveredPublications(options.clock().getTime());
    this.offs.push(
      pubsub.listen('article:published', (d) => this.enqueue(() => this.onPublished(d))),
      pubsub.listen('article:updated', (d) => this.enqueue(async () => void this.deliverUpdated(d.payload, false))),
      pubsub.onStatus((status) => this.onPubSubStatus(status.subscribed)),
    );
    if (!pubsub.status().subscribed) this.onPubSubStatus(false);
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
    if (this.catchUpTimer) clearInterval(this.catchUpTimer);
    this.catchUpTimer = null;
  }

  /** Subscriptions open in this process. */
  stats(): SubscriptionStats {
    let updated = 0;
    for (const set of this.updated.values()) updated += set.size;
    return { published: this.published.size, updated };
  }

  /**
   * Newly published articles matching `filter`. With `after` (a cursor from an earlier event), first
   * what was published since then (at most the replay limit, oldest first), then live events, with
   * none delivered twice at the seam. Registration is synchronous: nothing published after this
   * call returns is missed.
   */
  articlePublished(filter: PublishedFilter, after?: string | null): LiveStream<PublishedEvent> {
    const afterId = after != null ? decodePublicationCursor(after) : null;
    const stream = new LiveStream<PublishedEvent>(this.options.maxBuffered);
    const since = this.options.clock().getTime();
    if (afterId == null) {
      this.addPublished(stream, { filter, sink: (e) => stream.push(e), since });
      return stream;
    }
    let held: PublishedEvent[] | null = [];
    // Articles already delivered by the replay, by position: the same publication arriving live is
    // skipped; a later re-publication of the same article (new position) is not.
    const replayed = new Map<number, number>();
    const isDuplicate = (e: PublishedEvent) => replayed.get(e.articleId) === e.publishedAt.getTime();
    this.addPublished(stream, {
      filter,
      sink: (e) => {
        if (held) held.push(e);
        else if (!isDuplicate(e)) stream.push(e);
      },
      since,
    });
    this.replay(filter, afterId).then(
      (events) => {
        for (const e of events) {
          replayed.set(e.articleId, e.publishedAt.getTime());
          stream.push(e);
        }
        const live = held ?? [];
        held = null;
        for (const e of live) if (!isDuplicate(e)) stream.push(e);
      },
      (error) => {
        if (error instanceof GraphQLError) return stream.fail(error);
        if (isDatabaseUnavailable(error)) return stream.fail(serviceUnavailable(error));
        this.options.log.error({ err: error }, 'live: replay failed');
        stream.fail(createGraphQLError('Unexpected error.'));
      },
    );
    return stream;
  }

  private changed(): void {
    if (this.events.listenerCount('subscriptions') > 0) this.events.emit('subscriptions', this.stats());
  }

  /** Edits and unpublishing of one article. */
  articleUpdated(articleId: number): LiveStream<UpdatedEvent> {
    const stream = new LiveStream<UpdatedEvent>(this.options.maxBuffered);
    let set = this.updated.get(articleId);
    if (!set) this.updated.set(articleId, (set = new Set()));
    const subscriber: UpdatedSubscriber = { sink: (e) => stream.push(e), since: this.options.clock().getTime() };
    set.add(subscriber);
    stream.onEnd(() => {
      set.delete(subscriber);
      if (set.size === 0 && this.updated.get(articleId) === set) {
        this.updated.delete(articleId);
        this.gone.delete(articleId);
      }
      this.changed();
    });
    this.changed();
    return stream;
  }

  private addPublished(stream: LiveStream<PublishedEvent>, subscriber: PublishedSubscriber): void {
    this.published.add(subscriber);
    stream.onEnd(() => {
      this.published.delete(subscriber);
      this.changed();
    });
    this.changed();
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((error) => this.options.log.error({ err: error }, 'live: event dropped'));
  }

  /**
   * Pub/sub down: other instances' publications do not arrive, so catch up from PostgreSQL now and
   * then every `catchUpIntervalMs` until it is back; back: once more, for what was published in between.
   */
  private onPubSubStatus(subscribed: boolean): void {
    if (!subscribed) this.downSince ??= this.options.clock().getTime();
    if (subscribed) this.enqueue(() => this.catchUpOnce());
    if (this.catchUpTimer) return;
    // Also once it is back, until a catch-up has succeeded (PostgreSQL may be down as well).
    this.catchUpTimer = setInterval(
      () => this.enqueue(() => this.catchUpOnce()),
      this.options.catchUpIntervalMs ?? 1_000,
    );
    this.catchUpTimer.unref();
  }

  /** One catch-up; once one succeeds with the subscription up, the outage is over for this hub. */
  private async catchUpOnce(): Promise<void> {
    try {
      await this.catchUp();
    } catch (error) {
      if (!this.catchUpFailing)
        this.options.log.warn({ err: error }, 'live: catch-up from PostgreSQL failed; retrying every second');
      this.catchUpFailing = true;
      return;
    }
    this.catchUpFailing = false;
    if (!this.options.pubsub.status().subscribed || !this.catchUpTimer) return;
    clearInterval(this.catchUpTimer);
    this.catchUpTimer = null;
    this.downSince = null;
  }

  private async onPublished(delivery: Delivery<'article:published'>): Promise<void> {
    // While the subscription is down, an event (one this instance published) is delivered by a catch-up,
    // so that publications of other instances committed before it are delivered before it.
    if (!this.options.pubsub.status().subscribed) return this.catchUp();
    await this.deliverPublished(delivery.payload, false);
  }

  /** Delivers what was published since the newest publication handled here and was not handled yet. */
  private async catchUp(): Promise<void> {
    const now = this.options.clock();
    const { events, truncated } = await publishedSince(this.options.prisma, this.delivered.since(), now);
    if (truncated)
      this.options.log.warn(
        { events: events.length },
        'live: catch-up stopped at its limit; clients resume with their cursor',
      );
    let delivered = 0;
    for (const payload of events) if (await this.deliverPublished(payload, true)) delivered++;
    const changes = await this.catchUpChanges(now);
    if (delivered + changes > 0)
      this.options.log.info(
        { publications: delivered, changes },
        'live: caught up events missed while pub/sub was down',
      );
  }

  /** `caughtUp`: read from PostgreSQL just now (visible, and late for subscriptions opened since). */
  private async deliverPublished(payload: Topics['article:published'], caughtUp: boolean): Promise<boolean> {
    const publishedAt = new Date(payload.publishedAt);
    if (!this.delivered.add(payload.articleId, publishedAt.getTime())) return false;
    this.gone.delete(payload.articleId);
    // Only subscriptions open when the event arrived: later ones get it from their replay, if any.
    const targets = [...this.published].filter(
      (s) => matches(s.filter, payload) && (!caughtUp || s.since <= publishedAt.getTime()),
    );
    if (targets.length === 0) return false;
    const now = this.options.clock();
    // One visibility check per event per process: an article unpublished again before the event
    // got here is not announced.
    if (!caughtUp) {
      const visible = await this.options.prisma.article.findFirst({
        where: { id: payload.articleId, ...visibleArticleWhere(now) },
        select: { id: true },
      });
      if (!visible) return false;
    }
    const event: PublishedEvent = {
      articleId: payload.articleId,
      publishedAt,
      cursor: encodePublicationCursor(payload.articleId),
      replayed: false,
      gap: false,
      now,
      rows: new Map(),
    };
    for (const target of targets) target.sink(event);
    return true;
  }

  /** `caughtUp`: derived from PostgreSQL just now (late for subscriptions opened since the change). */
  private deliverUpdated(payload: Topics['article:updated'], caughtUp: boolean): boolean {
    const at = new Date(payload.at);
    if (
      Number.isFinite(at.getTime()) &&
      !this.deliveredChanges.add(`${payload.articleId}:${payload.kind}@${at.getTime()}`)
    )
      return false;
    const subscribers = this.updated.get(payload.articleId);
    if (!subscribers?.size) return false;
    if (payload.kind === 'EDITED') this.gone.delete(payload.articleId);
    else this.gone.add(payload.articleId);
    const targets = [...subscribers].filter((s) => !caughtUp || s.since <= at.getTime());
    const event: UpdatedEvent = {
      articleId: payload.articleId,
      kind: payload.kind,
      at,
      now: this.options.clock(),
      rows: new Map(),
    };
    for (const target of targets) target.sink(event);
    return targets.length > 0;
  }

  /** The change events of subscribed articles changed since the outage began, from their rows. */
  private async catchUpChanges(now: Date): Promise<number> {
    if (this.downSince === null || this.updated.size === 0) return 0;
    const since = new Date(this.downSince - CATCH_UP_OVERLAP_MS);
    let delivered = 0;
    for (const row of await changedSince(this.options.prisma, [...this.updated.keys()], since)) {
      const change = changeOf(row, since, now, this.gone.has(row.id));
      if (change && this.deliverUpdated({ articleId: row.id, ...change }, true)) delivered++;
    }
    return delivered;
  }

  private async replay(filter: PublishedFilter, afterId: number): Promise<PublishedEvent[]> {
    const now = this.options.clock();
    // The cursor must name an article readers can see now (the one visibility rule): a draft, a
    // scheduled, embargoed, archived or deleted article, or an unknown id, all get this same answer,
    // so a resume cannot tell which hidden articles exist. A client whose last article was taken down
    // since refetches the list and subscribes again without `after`.
    const cursorRow = await this.options.prisma.article.findFirst({
      where: { id: afterId, ...visibleArticleWhere(now) },
      select: { publishedAt: true },
    });
    if (!cursorRow?.publishedAt) throw badInput('after', 'is not the cursor of a published article');
    const after = { publishedAt: cursorRow.publishedAt, id: afterId };
    const limit = this.options.replayLimit;
    const where: Prisma.ArticleWhereInput = {
      AND: [
        visibleArticleWhere(now),
        // After the position, with a redundant bound PostgreSQL uses as the index range (see previous/next).
        { publishedAt: { gte: after.publishedAt } },
        { OR: [{ publishedAt: { gt: after.publishedAt } }, { id: { gt: after.id } }] },
        ...(filter.section != null ? [{ section: { slug: filter.section } }] : []),
        ...(filter.breakingOnly ? [{ breaking: true }] : []),
      ],
    };
    // The newest `limit`, delivered oldest first; `gap` tells the client older ones were skipped.
    const rows = await this.options.prisma.article.findMany({
      where,
      select: { id: true, publishedAt: true },
      orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
    const gap = rows.length > limit;
    return rows
      .slice(0, limit)
      .reverse()
      .map((row, i) => ({
        articleId: row.id,
        publishedAt: row.publishedAt!,
        cursor: encodePublicationCursor(row.id),
        replayed: true,
        gap: gap && i === 0,
        now,
        rows: new Map(),
      }));
  }
}

/**
 * The change event a subscribed article's row shows since `since`, if any: an edit of a visible
 * article, or its leaving the site (deleted; unpublished or archived after publication) unless the
 * last event delivered for it already said so.
 */
function changeOf(
  row: ChangedArticle,
  since: Date,
  now: Date,
  alreadyGone: boolean,
): { kind: ArticleChangeKind; at: string } | null {
  if (isVisibleArticle(row, now))
    return row.editedAt && row.editedAt >= since ? { kind: 'EDITED', at: row.editedAt.toISOString() } : null;
  if (alreadyGone) return null;
  if (row.deletedAt) return row.deletedAt >= since ? { kind: 'DELETED', at: row.deletedAt.toISOString() } : null;
  if (row.publishedAt && (row.status === 'DRAFT' || row.status === 'ARCHIVED')) {
    return { kind: row.status === 'ARCHIVED' ? 'ARCHIVED' : 'UNPUBLISHED', at: row.updatedAt.toISOString() };
  }
  return null;
}
