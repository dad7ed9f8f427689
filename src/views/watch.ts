// Live view counts for `viewCountChanged`: once a second, and only while someone is subscribed, reads
// the watched articles' totals (one SQL statement and one store call for all of them) and emits only
// what changed, so at most one event per article per second (src/live/polled-watches.ts).
import type { PrismaClient } from '../generated/prisma/client.ts';
import { changed, PolledWatches, type PolledWatchesOptions, type Watch } from '../live/polled-watches.ts';
import type { LiveStream } from '../live/stream.ts';
import type { ViewCounter } from './counter.ts';

export interface ViewCountEvent {
  articleId: number;
  viewCount: number;
  at: Date;
}

export interface ViewCountWatcherOptions extends Omit<PolledWatchesOptions, 'name'> {
  prisma: PrismaClient;
  counter: ViewCounter;
  clock: () => Date;
}

export class ViewCountWatcher extends PolledWatches<number, ViewCountEvent> {
  constructor(private readonly options: ViewCountWatcherOptions) {
    super({ ...options, name: 'views' });
  }

  /** Emits the article's total whenever it changed since the last look. */
  viewCount(articleId: number): LiveStream<ViewCountEvent> {
    return this.watch(String(articleId), articleId);
  }

  protected async look(watches: Watch<number, ViewCountEvent>[]): Promise<void> {
    const ids = watches.map((w) => w.key);
    const [rows, pending] = await Promise.all([
      this.options.prisma.article.findMany({ where: { id: { in: ids } }, select: { id: true, viewCount: true } }),
      Promise.all(ids.map((id) => this.options.counter.pending(id))),
    ]);
    const flushed = new Map(rows.map((r) => [r.id, r.viewCount]));
    const at = this.options.clock();
    watches.forEach((watch, i) => {
      const id = watch.key;
      if (!flushed.has(id)) return;
      const total = flushed.get(id)! + pending[i]!;
      changed(watch, total, () => ({ articleId: id, viewCount: total, at }));
    });
  }
}
