// "많이 본 뉴스": the most viewed visible articles of a sliding window, overall or per section, with
// each entry's rank in the previous window of the same length. Computed from the store's buckets,
// filtered through the reader visibility rule (drafts, unpublished and deleted articles never rank),
// and cached per window and scope for `cacheMs`: an expired entry is served while one refresh runs
// (stale-while-revalidate), so readers never wait on a recompute once a ranking has been computed.
// When the store cannot be reached, rankings come from the hourly history table in PostgreSQL.
import type { PrismaClient } from '../generated/prisma/client.ts';
import { visibleArticleWhere } from '../articles/visibility.ts';
import { compareRanked, type Ranked, type RankedSource, type Scope } from './ranked.ts';
import { LEVEL_MS, RANK_SPAN, type RankingWindow, rankBuckets, windowRange } from './windows.ts';
import type { Logger } from '../platform/logger.ts';
import type { Clock } from '../platform/clock.ts';

export interface RankEntry {
  rank: number;
  articleId: number;
  views: number;
  /** Rank in the previous window; null when it was not in that window's top `depth`. */
  previousRank: number | null;
}

export interface Ranking {
  window: RankingWindow;
  sectionId: number | null;
  /** The app-clock instant the ranking was computed for. */
  at: Date;
  entries: RankEntry[];
  /** 'store', or 'history' when computed from PostgreSQL because the store was unreachable. */
  source: 'store' | 'history';
}

export interface RankingsOptions {
  /** The view store (src/views/store.ts). */
  store: RankedSource;
  prisma: PrismaClient;
  clock: Clock;
  /** How long a computed ranking is served before it is refreshed (0 = computed on every read). */
  cacheMs: number;
  /** Entries computed per ranking (the largest `first`). */
  depth?: number;
  log: Logger;
  /** Called for each ranking computed rather than served from cache (metrics: views_rankings_computed_total). */
  onComputed?: () => void;
}

interface CacheEntry {
  ranking: Ranking | null;
  computedAt: number;
  refreshing: Promise<Ranking> | null;
}

export class Rankings {
  private readonly cache = new Map<string, CacheEntry>();
  readonly depth: number;

  constructor(private readonly options: RankingsOptions) {
    this.depth = options.depth ?? 100;
  }

  async mostViewed(window: RankingWindow, sectionId: number | null): Promise<Ranking> {
    const key = `${window}:${sectionId ?? 'all'}`;
    let entry = this.cache.get(key);
    if (!entry) this.cache.set(key, (entry = { ranking: null, computedAt: 0, refreshing: null }));
    const fresh = entry.ranking && this.options.clock().getTime() - entry.computedAt < this.options.cacheMs;
    if (fresh) return entry.ranking!;
    if (!entry.refreshing) {
      const e = entry;
      e.refreshing = this.compute(window, sectionId).then(
        (ranking) => {
          e.ranking = ranking;
          e.computedAt = this.options.clock().getTime();
          e.refreshing = null;
          return ranking;
        },
        (error) => {
          e.refreshing = null;
          throw error;
        },
      );
      // Readers served the stale ranking below do not await this refresh: its failure (say, a
      // PostgreSQL restart) is logged here rather than left as an unhandled rejection.
      e.refreshing.catch((error) => this.options.log.warn({ err: error }, 'views: ranking refresh failed'));
    }
    // Stale-while-revalidate: a slightly older ranking is good enough while the new one is computed,
    // but never one older than a few refresh periods (an idle ranking may hold taken-down articles).
    const servable =
      entry.ranking &&
      this.options.cacheMs > 0 &&
      this.options.clock().getTime() - entry.computedAt < Math.max(5_000, 5 * this.options.cacheMs);
    return servable ? entry.ranking! : entry.refreshing!;
  }

  /** Drops cached rankings (tests that move the clock). */
  clear(): void {
    this.cache.clear();
  }

  async compute(window: RankingWindow, sectionId: number | null): Promise<Ranking> {
    this.options.onComputed?.();
    const at = this.options.clock();
    const now = at.getTime();
    const scope: Scope = sectionId == null ? 'all' : { sectionId };
    let source: Ranking['source'] = 'store';
    let current: Ranked[];
    let previous: Ranked[];
    try {
      [current, previous] = await Promise.all([
        this.visibleTop((o, l) => this.options.store.top(scope, rankBuckets(window, now, 0), o, l), at, sectionId),
        this.visibleTop((o, l) => this.options.store.top(scope, rankBuckets(window, now, 1), o, l), at, sectionId),
      ]);
    } catch (error) {
      this.options.log.warn({ err: error }, 'views: rankings from PostgreSQL history (store unavailable)');
      source = 'history';
      [current, previous] = await Promise.all([
        this.visibleTop((o, l) => this.historyTop(window, now, 0, sectionId, o, l), at, sectionId),
        this.visibleTop((o, l) => this.historyTop(window, now, 1, sectionId, o, l), at, sectionId),
      ]);
    }
    const previousRanks = new Map(previous.map((r, i) => [r.articleId, i + 1]));
    return {
      window,
      sectionId,
      at,
      source,
      entries: current.map((r, i) => ({
        rank: i + 1,
        articleId: r.articleId,
        views: r.views,
        previousRank: previousRanks.get(r.articleId) ?? null,
      })),
    };
  }

  /** The top `depth` of a ranked source after dropping articles readers cannot see (or in another section now). */
  private async visibleTop(
    page: (offset: number, limit: number) => Promise<Ranked[]>,
    now: Date,
    sectionId: number | null,
  ): Promise<Ranked[]> {
    const out: Ranked[] = [];
    let offset = 0;
    let limit = this.depth + 20;
    for (;;) {
      const candidates = await page(offset, limit);
      if (candidates.length === 0) break;
      const visible = await this.options.prisma.article.findMany({
        where: {
          id: { in: candidates.map((c) => c.articleId) },
          ...visibleArticleWhere(now),
          ...(sectionId != null ? { sectionId } : {}),
        },
        select: { id: true },
      });
      const ok = new Set(visible.map((v) => v.id));
      for (const c of candidates) if (ok.has(c.articleId) && out.length < this.depth) out.push(c);
      if (out.length >= this.depth || candidates.length < limit) break;
      offset += limit;
      limit *= 4;
    }
    return out;
  }

  /** The same ranking from PostgreSQL's hourly history (hour resolution; the current hour only as far as flushed). */
  private async historyTop(
    window: RankingWindow,
    nowMs: number,
    back: number,
    sectionId: number | null,
    offset: number,
    limit: number,
  ): Promise<Ranked[]> {
    const span = RANK_SPAN[window];
    const { first, last } = windowRange(span, nowMs, back);
    const from = Math.floor((first * LEVEL_MS[span.level]) / LEVEL_MS.h);
    const to = Math.floor((last * LEVEL_MS[span.level]) / LEVEL_MS.h);
    const rows = await this.options.prisma.$queryRawUnsafe<{ articleId: number; views: number }[]>(
      `SELECT h."articleId", sum(h."views")::int AS "views"
         FROM "ArticleViewHour" h ${sectionId != null ? 'JOIN "Article" a ON a."id" = h."articleId" AND a."sectionId" = $5' : ''}
        WHERE h."hour" >= to_timestamp($1::bigint * 3600) AT TIME ZONE 'UTC' AND h."hour" <= to_timestamp($2::bigint * 3600) AT TIME ZONE 'UTC'
        GROUP BY h."articleId" ORDER BY 2 DESC, 1 DESC OFFSET $3 LIMIT $4`,
      from,
      to,
      offset,
      limit,
      ...(sectionId != null ? [sectionId] : []),
    );
    return rows.map((r) => ({ articleId: Number(r.articleId), views: Number(r.views) })).sort(compareRanked);
  }
}
