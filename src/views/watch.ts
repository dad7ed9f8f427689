// Live view counts and rankings for subscriptions: `viewCountChanged` and `mostViewedChanged`.
// Counts and rankings live in the shared store, so each instance watches them itself (no event
// transport needed, and views recorded on any instance are seen): once a second, and only while
// someone is subscribed, it reads the watched articles' totals (one SQL statement and one store call
// for all of them) and the watched rankings (through the rankings cache), and emits only what
// changed. That coalesces by construction: at most one event per article per second, and a ranking
// event only when the order or membership of its top entries changed.
import type { PrismaClient } from '../generated/prisma/client.ts';
import { LiveStream } from '../live/stream.ts';
import type { Ranking, Rankings } from '../rankings/rankings.ts';
import type { RankingWindow } from '../rankings/windows.ts';
import type { ViewCounter } from './service.ts';

export interface ViewCountEvent {
  articleId: number;
  viewCount: number;
  at: Date;
}

interface CountWatch {
  last: number | null;
  sinks: Set<(e: ViewCountEvent) => void>;
}

interface RankingWatch {
  window: RankingWindow;
  sectionId: number | null;
  /** Ids of the top entries, in order, at the last look. */
  last: string | null;
  sinks: Set<(r: Ranking) => void>;
}

export interface ViewWatcherOptions {
  prisma: PrismaClient;
  counter: ViewCounter;
  rankings: Rankings;
  clock: () => Date;
  log: (message: string) => void;
  /** How often watched counts and rankings are looked at (default 1 s). */
  intervalMs?: number;
  /** Entries of a ranking whose order and membership are compared (default 20). */
  rankingDepth?: number;
  maxBuffered?: number;
}

export class ViewWatcher {
  private readonly counts = new Map<number, CountWatch>();
  private readonly rankingWatches = new Map<string, RankingWatch>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;

  constructor(private readonly options: ViewWatcherOptions) {}

  /** Emits the article's total whenever it changed since the last look. */
  viewCount(articleId: number): LiveStream<ViewCountEvent> {
    const stream = new LiveStream<ViewCountEvent>(this.options.maxBuffered);
    let watch = this.counts.get(articleId);
    if (!watch) this.counts.set(articleId, (watch = { last: null, sinks: new Set() }));
    const sink = (e: ViewCountEvent) => stream.push(e);
    watch.sinks.add(sink);
    stream.onEnd(() => {
      watch.sinks.delete(sink);
      if (watch.sinks.size === 0 && this.counts.get(articleId) === watch) this.counts.delete(articleId);
      this.idle();
    });
    this.ensureTimer();
    return stream;
  }

  /** Emits the ranking whenever its top entries changed order or membership. */
  mostViewed(window: RankingWindow, sectionId: number | null): LiveStream<Ranking> {
    const stream = new LiveStream<Ranking>(this.options.maxBuffered);
    const key = `${window}:${sectionId ?? 'all'}`;
    let watch = this.rankingWatches.get(key);
    if (!watch) this.rankingWatches.set(key, (watch = { window, sectionId, last: null, sinks: new Set() }));
    const sink = (r: Ranking) => stream.push(r);
    watch.sinks.add(sink);
    stream.onEnd(() => {
      watch.sinks.delete(sink);
      if (watch.sinks.size === 0 && this.rankingWatches.get(key) === watch) this.rankingWatches.delete(key);
      this.idle();
    });
    this.ensureTimer();
    return stream;
  }

  /** Articles and rankings watched by this instance's subscriptions. */
  stats(): { articles: number; rankings: number } {
    return { articles: this.counts.size, rankings: this.rankingWatches.size };
  }

  /** One look at everything watched (the timer calls it; tests may too). */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await Promise.all([this.tickCounts(), this.tickRankings()]);
    } catch (error) {
      this.options.log(`views: watch failed: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? 1_000);
    this.timer.unref();
  }

  private idle(): void {
    if (this.counts.size === 0 && this.rankingWatches.size === 0) this.stop();
  }

  private async tickCounts(): Promise<void> {
    if (this.counts.size === 0) return;
    const ids = [...this.counts.keys()];
    const [rows, pending] = await Promise.all([
      this.options.prisma.article.findMany({ where: { id: { in: ids } }, select: { id: true, viewCount: true } }),
      Promise.all(ids.map((id) => this.options.counter.pending(id))),
    ]);
    const flushed = new Map(rows.map((r) => [r.id, r.viewCount]));
    const at = this.options.clock();
    ids.forEach((id, i) => {
      const watch = this.counts.get(id);
      if (!watch || !flushed.has(id)) return;
      const total = flushed.get(id)! + pending[i]!;
      const changed = watch.last !== null && watch.last !== total;
      watch.last = total;
      if (changed) for (const sink of [...watch.sinks]) sink({ articleId: id, viewCount: total, at });
    });
  }

  private async tickRankings(): Promise<void> {
    const depth = this.options.rankingDepth ?? 20;
    for (const watch of [...this.rankingWatches.values()]) {
      const ranking = await this.options.rankings.mostViewed(watch.window, watch.sectionId);
      const key = ranking.entries
        .slice(0, depth)
        .map((e) => e.articleId)
        .join(',');
      const changed = watch.last !== null && watch.last !== key;
      watch.last = key;
      if (changed) for (const sink of [...watch.sinks]) sink(ranking);
    }
  }
}
