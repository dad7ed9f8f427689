// Live rankings for `mostViewedChanged`: once a second, and only while someone is subscribed, reads the
// watched rankings (through the rankings cache) and emits one only when the order or membership of its
// top entries changed (src/live/polled-watches.ts).
import { changed, PolledWatches, type PolledWatchesOptions, type Watch } from '../live/polled-watches.ts';
import type { LiveStream } from '../live/stream.ts';
import type { Ranking, Rankings } from './rankings.ts';
import type { RankingWindow } from './windows.ts';

interface RankingKey {
  window: RankingWindow;
  sectionId: number | null;
}

export interface RankingWatcherOptions extends Omit<PolledWatchesOptions, 'name'> {
  rankings: Rankings;
  /** Entries of a ranking whose order and membership are compared (default 20). */
  rankingDepth?: number;
}

export class RankingWatcher extends PolledWatches<RankingKey, Ranking> {
  constructor(private readonly options: RankingWatcherOptions) {
    super({ ...options, name: 'rankings' });
  }

  /** Emits the ranking whenever its top entries changed order or membership. */
  mostViewed(window: RankingWindow, sectionId: number | null): LiveStream<Ranking> {
    return this.watch(`${window}:${sectionId ?? 'all'}`, { window, sectionId });
  }

  protected async look(watches: Watch<RankingKey, Ranking>[]): Promise<void> {
    const depth = this.options.rankingDepth ?? 20;
    for (const watch of watches) {
      const ranking = await this.options.rankings.mostViewed(watch.key.window, watch.key.sectionId);
      const top = ranking.entries
        .slice(0, depth)
        .map((e) => e.articleId)
        .join(',');
      changed(watch, top, () => ranking);
    }
  }
}
