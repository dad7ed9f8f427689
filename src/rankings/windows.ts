// Sliding windows over time buckets. Every view is counted into three bucket levels at once
// (5 minutes, hour, UTC day); a window is a run of consecutive buckets at its resolution, ending with
// the bucket that holds "now", and is read as the fewest buckets that cover it exactly (full days
// and full hours where they fit, finer buckets at the ragged ends).
//
//   window   ranking resolution (slides every)   uniqueViewers resolution
//   HOUR     12 × 5 minutes                      12 × 5 minutes
//   DAY      24 × 1 hour                         24 × 1 hour
//   WEEK     168 × 1 hour                        7 × 1 day
//   MONTH    720 × 1 hour                        30 × 1 day
//
// `previousRank` reads the window of the same length that ends just before the current one starts.

export type RankingWindow = 'HOUR' | 'DAY' | 'WEEK' | 'MONTH';
export const RANKING_WINDOWS: readonly RankingWindow[] = ['HOUR', 'DAY', 'WEEK', 'MONTH'];

/** Bucket levels: 5-minute, hour, UTC day. */
export type Level = 'm' | 'h' | 'd';
export const LEVEL_MS: Record<Level, number> = { m: 5 * 60_000, h: 3_600_000, d: 86_400_000 };

export interface Span {
  level: Level;
  count: number;
}

export const RANK_SPAN: Record<RankingWindow, Span> = {
  HOUR: { level: 'm', count: 12 },
  DAY: { level: 'h', count: 24 },
  WEEK: { level: 'h', count: 168 },
  MONTH: { level: 'h', count: 720 },
};

export const UNIQUE_SPAN: Record<RankingWindow, Span> = {
  HOUR: { level: 'm', count: 12 },
  DAY: { level: 'h', count: 24 },
  WEEK: { level: 'd', count: 7 },
  MONTH: { level: 'd', count: 30 },
};

/** How long each level's ranking buckets must live: the ragged ends of the previous MONTH window. */
export const RANK_RETENTION_MS: Record<Level, number> = {
  m: 3 * 3_600_000,
  h: 61 * 86_400_000,
  d: 62 * 86_400_000,
};

/** How long each level's HyperLogLogs must live (uniqueViewers has no previous window). */
export const UNIQUE_RETENTION_MS: Record<Level, number> = {
  m: 2 * 3_600_000,
  h: 26 * 3_600_000,
  d: 31 * 86_400_000,
};

export interface Bucket {
  level: Level;
  /** floor(epoch ms / LEVEL_MS[level]) */
  index: number;
}

export const bucketIndex = (level: Level, ms: number) => Math.floor(ms / LEVEL_MS[level]);
export const hourIndex = (ms: number) => bucketIndex('h', ms);

const PARENT: Partial<Record<Level, { level: Level; ratio: number }>> = {
  m: { level: 'h', ratio: 12 },
  h: { level: 'd', ratio: 24 },
};

function run(level: Level, first: number, last: number): Bucket[] {
  const out: Bucket[] = [];
  for (let i = first; i <= last; i++) out.push({ level, index: i });
  return out;
}

/** The fewest buckets whose union is exactly buckets `first..last` (inclusive) at `level`. */
export function cover(level: Level, first: number, last: number): Bucket[] {
  if (first > last) return [];
  const parent = PARENT[level];
  if (!parent) return run(level, first, last);
  const upFirst = Math.ceil(first / parent.ratio);
  const upLast = Math.floor((last + 1) / parent.ratio) - 1;
  if (upFirst > upLast) return run(level, first, last);
  return [
    ...run(level, first, upFirst * parent.ratio - 1),
    ...cover(parent.level, upFirst, upLast),
    ...run(level, (upLast + 1) * parent.ratio, last),
  ];
}

/** First and last bucket index (at the span's level) of the window ending at `nowMs`, `back` windows earlier. */
export function windowRange(span: Span, nowMs: number, back = 0): { first: number; last: number } {
  const last = bucketIndex(span.level, nowMs) - back * span.count;
  return { first: last - span.count + 1, last };
}

export function rankBuckets(window: RankingWindow, nowMs: number, back = 0): Bucket[] {
  const span = RANK_SPAN[window];
  const { first, last } = windowRange(span, nowMs, back);
  return cover(span.level, first, last);
}

export function uniqueBuckets(window: RankingWindow, nowMs: number): Bucket[] {
  const span = UNIQUE_SPAN[window];
  const { first, last } = windowRange(span, nowMs);
  return cover(span.level, first, last);
}

/** The three buckets a view at `ms` is counted into. */
export function viewBuckets(ms: number): Bucket[] {
  return [
    { level: 'm', index: bucketIndex('m', ms) },
    { level: 'h', index: bucketIndex('h', ms) },
    { level: 'd', index: bucketIndex('d', ms) },
  ];
}
