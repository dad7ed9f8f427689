// The view counter's one interface, with two stores chosen once in the app factory:
// in-process (src/views/memory-store.ts) and Redis (src/views/redis-store.ts). Both keep
//  - a de-duplication mark per (article, visitor),
//  - counts per article in 5-minute, hourly and daily buckets, overall and per section (rankings),
//  - a HyperLogLog of visitors per article and bucket (uniqueViewers),
//  - pending counts per article and hour not yet written to PostgreSQL (write-behind, see flusher.ts).
import type { RankedSource, Scope } from '../rankings/ranked.ts';
import type { Bucket } from '../rankings/windows.ts';

export interface ViewRecord {
  articleId: number;
  sectionId: number;
  /** 16 hex digits: `visitorKey` of the visitor id (src/inputs/visitor.ts). */
  visitor: string;
  /** Epoch ms of the view (the app clock). */
  at: number;
}

/**
 * COUNTED: new view, counted. DUPLICATE: the same visitor's view of the same article was counted less
 * than the de-duplication window ago. QUEUED: accepted while the store is unreachable; it is counted
 * (or found a duplicate) when the store returns. DROPPED: not accepted (the outage buffer is full).
 */
export type RecordOutcome = 'COUNTED' | 'DUPLICATE' | 'QUEUED' | 'DROPPED';

/** How a ranking scope is spelled in store keys. */
export const scopeKey = (scope: Scope) => (scope === 'all' ? 'a' : String(scope.sectionId));

/** One claimed batch of pending counts, identified for the idempotent database write. */
export interface FlushBatch {
  id: string;
  /** [articleId, hour index (epoch hours), views], sorted by article then hour. */
  rows: [number, number, number][];
}

export interface HistoryRow {
  articleId: number;
  sectionId: number;
  hour: number;
  views: number;
}

export interface StoreHealth {
  kind: 'memory' | 'redis';
  connected: boolean;
  /** Views accepted while the store was unreachable, waiting to be applied. */
  buffered: number;
  /** Views refused because the buffer was full, since start. */
  dropped: number;
}

export interface ViewStore extends RankedSource {
  readonly kind: 'memory' | 'redis';
  /** Counts a view unless it is a duplicate. `dedupMs`: the de-duplication window. */
  record(view: ViewRecord, dedupMs: number): Promise<RecordOutcome>;
  /** Views recorded but not yet committed to PostgreSQL (pending and in-flight flushes), per article. */
  pendingTotals(articleIds: readonly number[]): Promise<number[]>;
  /** The same over every article (metrics). */
  pendingSum(): Promise<number>;
  /** Estimated distinct visitors of an article over the union of `buckets`. */
  uniques(articleId: number, buckets: readonly Bucket[]): Promise<number>;
  // top(): the rankings' source (src/rankings/ranked.ts).

  // Write-behind (src/views/flusher.ts).
  /**
   * Moves every pending count into a batch named `flushId` that stays in the store until `release`.
   * null: nothing pending. 'REBUILD': the store lost its data and must be rebuilt from history first.
   */
  claim(flushId: string): Promise<FlushBatch | null | 'REBUILD'>;
  /** The batch named `flushId` if it was claimed and not released (a claim whose reply was lost). */
  claimed(flushId: string): Promise<FlushBatch | null>;
  /** Batches claimed more than `olderThanMs` ago and never released (their flusher died). Re-leases them. */
  abandoned(olderThanMs: number): Promise<FlushBatch[]>;
  /** Forgets a batch once it is committed to PostgreSQL. */
  release(flushId: string): Promise<void>;

  // Rebuild after data loss (a new Redis, or a restarted process for the in-process store).
  /** True when the rankings must be rebuilt from the history table before the next flush. */
  needsRebuild(): Promise<boolean>;
  /** Takes the rebuild lease (one instance rebuilds); false when another instance holds it. */
  beginRebuild(): Promise<boolean>;
  /** Adds history rows to the ranking buckets (hour and day levels). */
  applyHistory(rows: readonly HistoryRow[], nowMs: number): Promise<void>;
  endRebuild(): Promise<void>;

  health(): StoreHealth;
  close(): Promise<void>;
}
