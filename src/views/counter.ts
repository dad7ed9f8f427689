// The view counter: validates a view (countable article, not a bot, a sane visitor id), then hands it
// to the store. Reads of pending counts are batched per tick (one store round trip for a list).
import { visitorKey } from '../inputs/visitor.ts';
import { type RankingWindow, uniqueBuckets } from '../rankings/windows.ts';
import { AddressLimit } from './address-limit.ts';
import { isBot } from './bots.ts';
import type { ArticleDirectory } from './directory.ts';
import type { Reader } from './reader.ts';
import type { RecordOutcome, ViewStore } from './store.ts';
import type { Logger } from '../platform/logger.ts';
import type { Clock } from '../platform/clock.ts';

export type ViewOutcome = RecordOutcome | 'BOT' | 'RATE_LIMITED' | 'NOT_FOUND';

export interface ViewCounterOptions {
  store: ViewStore;
  directory: ArticleDirectory;
  clock: Clock;
  /** The de-duplication window: the same visitor's views of an article within it count once. */
  dedupMs: number;
  /** Views counted per reader address and minute (0 = no limit). */
  perAddressPerMinute?: number;
  log: Logger;
  /** Called for each counted view (the live watchers use it to notice changes early). */
  onCounted?: (articleId: number) => void;
  /** Called with every outcome (metrics). */
  onRecorded?: (outcome: ViewOutcome) => void;
}

export class ViewCounter {
  private pendingBatch: Map<number, ((n: number) => void)[]> | null = null;
  private unavailableLogged = 0;
  private readonly addressLimit: AddressLimit;

  constructor(private readonly options: ViewCounterOptions) {
    this.addressLimit = new AddressLimit(options.perAddressPerMinute ?? 0);
  }

  get store(): ViewStore {
    return this.options.store;
  }

  get directory(): ArticleDirectory {
    return this.options.directory;
  }

  /**
   * Records one view of `articleId` by `visitorId` for `reader` (src/views/reader.ts: the client, or
   * the reader a relay named). The caller validated the visitor id.
   */
  async record(articleId: number, visitorId: string, reader: Reader): Promise<ViewOutcome> {
    const outcome = await this.decide(articleId, visitorId, reader);
    this.options.onRecorded?.(outcome);
    return outcome;
  }

  private async decide(articleId: number, visitorId: string, reader: Reader): Promise<ViewOutcome> {
    const now = this.options.clock();
    const article = await this.options.directory.countable(articleId, now);
    if (!article) return 'NOT_FOUND';
    if (isBot(reader.userAgent)) return 'BOT';
    if (!this.addressLimit.allow(reader.address, now.getTime())) return 'RATE_LIMITED';
    const outcome = await this.options.store.record(
      { articleId, sectionId: article.sectionId, visitor: visitorKey(visitorId), at: now.getTime() },
      this.options.dedupMs,
    );
    if (outcome === 'COUNTED') this.options.onCounted?.(articleId);
    return outcome;
  }

  /**
   * Views of an article not yet in `Article.viewCount` (recorded since the last flush). 0 when the
   * store cannot be reached: readers then see the last flushed total rather than an error.
   */
  pending(articleId: number): Promise<number> {
    return new Promise((resolve) => {
      if (!this.pendingBatch) {
        const batch = (this.pendingBatch = new Map());
        queueMicrotask(() => void this.loadPending(batch));
      }
      const waiting = this.pendingBatch.get(articleId);
      if (waiting) waiting.push(resolve);
      else this.pendingBatch.set(articleId, [resolve]);
    });
  }

  private async loadPending(batch: Map<number, ((n: number) => void)[]>): Promise<void> {
    this.pendingBatch = null;
    const ids = [...batch.keys()];
    let values: number[];
    try {
      values = await this.options.store.pendingTotals(ids);
    } catch (error) {
      this.noteUnavailable(error);
      values = ids.map(() => 0);
    }
    ids.forEach((id, i) => {
      for (const resolve of batch.get(id)!) resolve(values[i] ?? 0);
    });
  }

  /** Approximate distinct visitors of an article in a window; null when the store cannot be reached. */
  async uniques(articleId: number, window: RankingWindow): Promise<number | null> {
    try {
      return await this.options.store.uniques(articleId, uniqueBuckets(window, this.options.clock().getTime()));
    } catch (error) {
      this.noteUnavailable(error);
      return null;
    }
  }

  private noteUnavailable(error: unknown): void {
    const now = this.options.clock().getTime();
    if (now - this.unavailableLogged < 10_000) return;
    this.unavailableLogged = now;
    this.options.log.warn({ err: error }, 'views: store unavailable for reads');
  }
}
