// Which articles may be counted, without a database read per view: a cache of published articles'
// section and publish time, filled in batches (concurrent misses share one query), bounded, with
// expiry. The publish time is checked against the clock on every view, so a cached article that is
// scheduled becomes countable when its time comes; unpublishing evicts it through `invalidate`
// (wired to the live pub/sub's article events, so on every instance) and at the latest when its
// entry expires. At start the newest articles are loaded in one statement (`prewarm`).
import { publishedArticleWhere } from '../articles/visibility.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Clock } from '../platform/clock.ts';

interface Entry {
  /** null: no such article, or not published (status or deletion). */
  sectionId: number | null;
  publishedAt: number;
  expires: number;
}

export interface DirectoryOptions {
  /** The app clock: entries expire on it (and publish times are judged on the instant `countable` is given). */
  clock: Clock;
  /** How long a published article's entry is trusted (default 10 minutes; unpublishing evicts at once). */
  ttlMs?: number;
  /** How long "no such article" is remembered (default 10 s). */
  missingTtlMs?: number;
  maxEntries?: number;
  /** Called for each database statement it issues (metrics: views_directory_queries_total). */
  onQuery?: () => void;
}

interface Waiter {
  resolve(entry: Entry): void;
  reject(error: unknown): void;
}

export interface CountableArticle {
  articleId: number;
  sectionId: number;
}

export class ArticleDirectory {
  private readonly entries = new Map<number, Entry>();
  private queue = new Map<number, Waiter[]>();
  private scheduled = false;
  private readonly ttlMs: number;
  private readonly missingTtlMs: number;
  private readonly maxEntries: number;
  private readonly clock: Clock;
  private readonly onQuery: () => void;

  constructor(
    private readonly prisma: PrismaClient,
    options: DirectoryOptions,
  ) {
    this.clock = options.clock;
    this.onQuery = options.onQuery ?? (() => {});
    this.ttlMs = options.ttlMs ?? 600_000;
    this.missingTtlMs = options.missingTtlMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 500_000;
  }

  /** The article if readers can see it at `now`, else null (entries hold `publishedArticleWhere` rows; the publish time is judged here). */
  async countable(articleId: number, now: Date): Promise<CountableArticle | null> {
    const cached = this.entries.get(articleId);
    const entry = cached && cached.expires > this.clock().getTime() ? cached : await this.load(articleId);
    return entry.sectionId !== null && entry.publishedAt <= now.getTime()
      ? { articleId, sectionId: entry.sectionId }
      : null;
  }

  /**
   * Loads the `limit` most recently published articles in one statement: the articles that get
   * nearly all the traffic are then countable without a database read from the first view on.
   */
  async prewarm(limit: number): Promise<number> {
    if (limit <= 0) return 0;
    this.onQuery();
    const rows = await this.prisma.article.findMany({
      where: publishedArticleWhere(),
      orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
      take: Math.min(limit, this.maxEntries),
      select: { id: true, sectionId: true, publishedAt: true },
    });
    const expires = this.clock().getTime() + this.ttlMs;
    for (const r of rows)
      this.entries.set(r.id, { sectionId: r.sectionId, publishedAt: r.publishedAt!.getTime(), expires });
    return rows.length;
  }

  invalidate(articleId: number): void {
    this.entries.delete(articleId);
  }

  clear(): void {
    this.entries.clear();
  }

  private load(articleId: number): Promise<Entry> {
    return new Promise((resolve, reject) => {
      const waiting = this.queue.get(articleId);
      if (waiting) waiting.push({ resolve, reject });
      else this.queue.set(articleId, [{ resolve, reject }]);
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => void this.fetch());
    });
  }

  private async fetch(): Promise<void> {
    const batch = this.queue;
    this.queue = new Map();
    this.scheduled = false;
    const ids = [...batch.keys()];
    try {
      this.onQuery();
      const rows = await this.prisma.article.findMany({
        where: { id: { in: ids }, ...publishedArticleWhere() },
        select: { id: true, sectionId: true, publishedAt: true },
      });
      const now = this.clock().getTime();
      const found = new Map(rows.map((r) => [r.id, r]));
      if (this.entries.size + ids.length > this.maxEntries) this.evict(ids.length);
      for (const id of ids) {
        const row = found.get(id);
        const entry: Entry = row
          ? { sectionId: row.sectionId, publishedAt: row.publishedAt!.getTime(), expires: now + this.ttlMs }
          : { sectionId: null, publishedAt: 0, expires: now + this.missingTtlMs };
        this.entries.set(id, entry);
        for (const w of batch.get(id)!) w.resolve(entry);
      }
    } catch (error) {
      // Every waiter of this batch fails; the next view retries.
      for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
    }
  }

  /** Drops the oldest entries (a Map iterates in insertion order). */
  private evict(room: number): void {
    let n = Math.max(room, Math.floor(this.maxEntries / 10));
    for (const key of this.entries.keys()) {
      if (n-- <= 0) break;
      this.entries.delete(key);
    }
  }
}
