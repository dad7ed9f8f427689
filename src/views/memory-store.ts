// The in-process view store: the embedded default (one instance, no Redis). Same semantics as the
// Redis store; its pending counts reach PostgreSQL through the same flusher, and shutdown flushes.
import {
  type Bucket,
  type Level,
  LEVEL_MS,
  RANK_RETENTION_MS,
  UNIQUE_RETENTION_MS,
  viewBuckets,
} from '../rankings/windows.ts';
import { HyperLogLog } from './hll.ts';
import { compareRanked, type Ranked, type Scope } from '../rankings/ranked.ts';
import {
  type FlushBatch,
  type HistoryRow,
  type RecordOutcome,
  scopeKey,
  type StoreHealth,
  type ViewRecord,
  type ViewStore,
} from './store.ts';

type Counts = Map<number, number>;

interface Claimed {
  claimedAt: number;
  totals: Counts;
  hours: Map<string, number>;
}

const LEVELS: Level[] = ['m', 'h', 'd'];

export class MemoryViewStore implements ViewStore {
  readonly kind = 'memory' as const;
  /** level -> bucket index -> scope key -> article -> views */
  private readonly buckets = new Map<Level, Map<number, Map<string, Counts>>>(LEVELS.map((l) => [l, new Map()]));
  /** level -> bucket index -> article -> visitors */
  private readonly sketches = new Map<Level, Map<number, Map<number, HyperLogLog>>>(LEVELS.map((l) => [l, new Map()]));
  private readonly newest = new Map<Level, number>();
  /**
   * `${articleId}:${visitor}` -> epoch ms of the counted view. Views reach the store slightly out of
   * order (one waiting for the article directory to reload is overtaken by later ones), so a mark is
   * swept only once it is two windows older than the newest view: a late view is still checked against it.
   */
  private seen = new Map<string, number>();
  private seenSweepAt = 0;
  private pendingTotals_: Counts = new Map();
  private pendingHours: Map<string, number> = new Map();
  private readonly claimed_ = new Map<string, Claimed>();
  private rebuilt = false;
  private rebuilding = false;

  async record(view: ViewRecord, dedupMs: number): Promise<RecordOutcome> {
    return this.recordSync(view, dedupMs);
  }

  recordSync(view: ViewRecord, dedupMs: number): RecordOutcome {
    const key = `${view.articleId}:${view.visitor}`;
    const last = this.seen.get(key);
    if (last !== undefined && view.at - last < dedupMs) return 'DUPLICATE';
    this.seen.set(key, view.at);
    if (view.at - this.seenSweepAt > dedupMs) this.sweepSeen(view.at, 2 * dedupMs);

    inc(this.pendingTotals_, view.articleId, 1);
    const hourKey = `${view.articleId}:${Math.floor(view.at / LEVEL_MS.h)}`;
    this.pendingHours.set(hourKey, (this.pendingHours.get(hourKey) ?? 0) + 1);
    const section = String(view.sectionId);
    for (const b of viewBuckets(view.at)) {
      const scopes = this.bucket(b.level, b.index);
      inc(scopeCounts(scopes, 'a'), view.articleId, 1);
      inc(scopeCounts(scopes, section), view.articleId, 1);
      const byArticle = this.sketchBucket(b.level, b.index);
      let hll = byArticle.get(view.articleId);
      if (!hll) byArticle.set(view.articleId, (hll = new HyperLogLog()));
      hll.add(view.visitor);
    }
    return 'COUNTED';
  }

  async pendingTotals(articleIds: readonly number[]): Promise<number[]> {
    return articleIds.map((id) => {
      let n = this.pendingTotals_.get(id) ?? 0;
      for (const c of this.claimed_.values()) n += c.totals.get(id) ?? 0;
      return n;
    });
  }

  async pendingSum(): Promise<number> {
    let n = 0;
    for (const v of this.pendingTotals_.values()) n += v;
    for (const c of this.claimed_.values()) for (const v of c.totals.values()) n += v;
    return n;
  }

  async uniques(articleId: number, buckets: readonly Bucket[]): Promise<number> {
    const found: HyperLogLog[] = [];
    for (const b of buckets) {
      const hll = this.sketches.get(b.level)!.get(b.index)?.get(articleId);
      if (hll) found.push(hll);
    }
    return found.length ? HyperLogLog.countUnion(found) : 0;
  }

  async top(scope: Scope, buckets: readonly Bucket[], offset: number, limit: number): Promise<Ranked[]> {
    const key = scopeKey(scope);
    const sum: Counts = new Map();
    for (const b of buckets) {
      const counts = this.buckets.get(b.level)!.get(b.index)?.get(key);
      if (counts) for (const [id, n] of counts) inc(sum, id, n);
    }
    const all: Ranked[] = [];
    for (const [articleId, views] of sum) all.push({ articleId, views });
    return selectTop(all, offset + limit).slice(offset);
  }

  async claim(flushId: string): Promise<FlushBatch | null | 'REBUILD'> {
    if (!this.rebuilt) return 'REBUILD';
    if (this.pendingHours.size === 0) return null;
    const c: Claimed = { claimedAt: Date.now(), totals: this.pendingTotals_, hours: this.pendingHours };
    this.pendingTotals_ = new Map();
    this.pendingHours = new Map();
    this.claimed_.set(flushId, c);
    return { id: flushId, rows: toRows(c.hours) };
  }

  async claimed(flushId: string): Promise<FlushBatch | null> {
    const c = this.claimed_.get(flushId);
    return c ? { id: flushId, rows: toRows(c.hours) } : null;
  }

  async abandoned(olderThanMs: number): Promise<FlushBatch[]> {
    const now = Date.now();
    const out: FlushBatch[] = [];
    for (const [id, c] of this.claimed_) {
      if (now - c.claimedAt < olderThanMs) continue;
      c.claimedAt = now;
      out.push({ id, rows: toRows(c.hours) });
    }
    return out;
  }

  async release(flushId: string): Promise<void> {
    this.claimed_.delete(flushId);
  }

  async needsRebuild(): Promise<boolean> {
    return !this.rebuilt;
  }

  async beginRebuild(): Promise<boolean> {
    if (this.rebuilding) return false;
    this.rebuilding = true;
    return true;
  }

  async applyHistory(rows: readonly HistoryRow[], nowMs: number): Promise<void> {
    for (const row of rows) {
      const at = row.hour * LEVEL_MS.h;
      if (nowMs - at > RANK_RETENTION_MS.h) continue;
      for (const level of ['h', 'd'] as const) {
        const scopes = this.bucket(level, Math.floor(at / LEVEL_MS[level]));
        inc(scopeCounts(scopes, 'a'), row.articleId, row.views);
        inc(scopeCounts(scopes, String(row.sectionId)), row.articleId, row.views);
      }
    }
  }

  async endRebuild(): Promise<void> {
    this.rebuilt = true;
    this.rebuilding = false;
  }

  health(): StoreHealth {
    return { kind: 'memory', connected: true, buffered: 0, dropped: 0 };
  }

  async close(): Promise<void> {}

  private bucket(level: Level, index: number): Map<string, Counts> {
    const byIndex = this.buckets.get(level)!;
    let scopes = byIndex.get(index);
    if (!scopes) {
      byIndex.set(index, (scopes = new Map()));
      this.onNewBucket(level, index);
    }
    return scopes;
  }

  private sketchBucket(level: Level, index: number): Map<number, HyperLogLog> {
    const byIndex = this.sketches.get(level)!;
    let byArticle = byIndex.get(index);
    if (!byArticle) byIndex.set(index, (byArticle = new Map()));
    return byArticle;
  }

  /** A new bucket at a level: drop the buckets that fell out of retention. */
  private onNewBucket(level: Level, index: number): void {
    if (index <= (this.newest.get(level) ?? -Infinity)) return;
    this.newest.set(level, index);
    const rankFloor = index - Math.ceil(RANK_RETENTION_MS[level] / LEVEL_MS[level]);
    for (const i of this.buckets.get(level)!.keys()) if (i < rankFloor) this.buckets.get(level)!.delete(i);
    const uniqueFloor = index - Math.ceil(UNIQUE_RETENTION_MS[level] / LEVEL_MS[level]);
    for (const i of this.sketches.get(level)!.keys()) if (i < uniqueFloor) this.sketches.get(level)!.delete(i);
  }

  private sweepSeen(now: number, keepMs: number): void {
    this.seenSweepAt = now;
    for (const [key, at] of this.seen) if (now - at >= keepMs) this.seen.delete(key);
  }
}

function inc(map: Counts, key: number, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function scopeCounts(scopes: Map<string, Counts>, key: string): Counts {
  let counts = scopes.get(key);
  if (!counts) scopes.set(key, (counts = new Map()));
  return counts;
}

function toRows(hours: Map<string, number>): [number, number, number][] {
  const rows: [number, number, number][] = [];
  for (const [key, views] of hours) {
    const [article, hour] = key.split(':');
    rows.push([Number(article), Number(hour), views]);
  }
  return rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** The first `n` of `all` in ranking order, without sorting everything when `all` is large. */
export function selectTop(all: Ranked[], n: number): Ranked[] {
  if (all.length <= n * 4) return all.sort(compareRanked).slice(0, n);
  // Threshold from a sorted sample of view counts, then sort only the candidates above it.
  const counts = all.map((r) => r.views).sort((a, b) => b - a);
  const threshold = counts[Math.min(n, counts.length) - 1]!;
  return all
    .filter((r) => r.views >= threshold)
    .sort(compareRanked)
    .slice(0, n);
}
