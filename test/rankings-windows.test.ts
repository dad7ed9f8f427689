// Unit: sliding windows over 5-minute, hourly and daily buckets (src/rankings/windows.ts).
import { describe, expect, it } from 'vitest';
import {
  type Bucket,
  cover,
  LEVEL_MS,
  RANK_SPAN,
  RANKING_WINDOWS,
  rankBuckets,
  UNIQUE_SPAN,
  uniqueBuckets,
  viewBuckets,
  windowRange,
} from '../src/rankings/windows.ts';

const at = (iso: string) => Date.parse(iso);
/** The [start, end) milliseconds a bucket holds. */
const interval = (b: Bucket) => [b.index * LEVEL_MS[b.level], (b.index + 1) * LEVEL_MS[b.level]] as const;

/** Asserts the buckets tile [start, end) exactly: no gap, no overlap. */
function expectTiles(buckets: Bucket[], start: number, end: number) {
  const spans = buckets.map(interval).sort((a, b) => a[0] - b[0]);
  expect(spans[0]?.[0]).toBe(start);
  for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBe(spans[i - 1]![1]);
  expect(spans.at(-1)?.[1]).toBe(end);
}

// A spread of instants: aligned to a day, an hour, five minutes, and ragged.
const NOWS = [
  '2026-03-02T00:00:00Z',
  '2026-03-02T23:59:59.999Z',
  '2026-03-02T09:00:00Z',
  '2026-03-02T09:35:00Z',
  '2026-03-02T09:37:12.345Z',
  '2026-02-28T13:04:59Z',
].map(at);

describe('windows', () => {
  it('counts a view into the 5-minute, hour and day bucket that hold its instant', () => {
    const ms = at('2026-03-02T09:37:12.345Z');
    const buckets = viewBuckets(ms);
    expect(buckets.map((b) => b.level)).toEqual(['m', 'h', 'd']);
    for (const b of buckets) {
      const [start, end] = interval(b);
      expect(start).toBeLessThanOrEqual(ms);
      expect(end).toBeGreaterThan(ms);
    }
    expect(interval(buckets[0]!)).toEqual([at('2026-03-02T09:35:00Z'), at('2026-03-02T09:40:00Z')]);
    expect(interval(buckets[2]!)).toEqual([at('2026-03-02T00:00:00Z'), at('2026-03-03T00:00:00Z')]);
  });

  it.each(RANKING_WINDOWS)(
    '%s: the ranking window ends with the bucket holding now and covers its length exactly',
    (window) => {
      const span = RANK_SPAN[window];
      for (const now of NOWS) {
        const { first, last } = windowRange(span, now);
        expect(last - first + 1).toBe(span.count);
        const end = (last + 1) * LEVEL_MS[span.level];
        expect(end).toBeGreaterThan(now);
        expect(end - LEVEL_MS[span.level]).toBeLessThanOrEqual(now);
        expectTiles(rankBuckets(window, now), end - span.count * LEVEL_MS[span.level], end);
      }
    },
  );

  it.each(RANKING_WINDOWS)('%s: the previous window is as long and ends where the current one starts', (window) => {
    for (const now of NOWS) {
      const current = rankBuckets(window, now).map(interval);
      const previous = rankBuckets(window, now, 1).map(interval);
      const start = Math.min(...current.map((s) => s[0]));
      expect(Math.max(...previous.map((s) => s[1]))).toBe(start);
      const length = (spans: (readonly [number, number])[]) => spans.reduce((n, [a, b]) => n + b - a, 0);
      expect(length(previous)).toBe(length(current));
    }
  });

  it.each(RANKING_WINDOWS)('%s: uniqueViewers reads whole buckets at its own resolution', (window) => {
    const span = UNIQUE_SPAN[window];
    for (const now of NOWS) {
      const { first, last } = windowRange(span, now);
      expectTiles(uniqueBuckets(window, now), first * LEVEL_MS[span.level], (last + 1) * LEVEL_MS[span.level]);
    }
  });

  it('uses the fewest buckets: whole days and hours where they fit, finer ones only at the ragged ends', () => {
    // 24 hours ending with the last hour of a UTC day: that day.
    expect(rankBuckets('DAY', at('2026-03-02T23:30:00Z'))).toEqual([
      { level: 'd', index: at('2026-03-02T00:00:00Z') / LEVEL_MS.d },
    ]);
    // 12 five-minute buckets ending with 09:55-10:00: the hour 09:00.
    expect(rankBuckets('HOUR', at('2026-03-02T09:57:00Z'))).toEqual([
      { level: 'h', index: at('2026-03-02T09:00:00Z') / LEVEL_MS.h },
    ]);
    // A ragged HOUR: nothing coarser fits.
    expect(rankBuckets('HOUR', at('2026-03-02T09:37:00Z')).every((b) => b.level === 'm')).toBe(true);
    // WEEK ending at 09:xx: 14 hours of the first day, 6 whole days, 10 hours of today.
    const week = rankBuckets('WEEK', at('2026-03-02T09:37:00Z'));
    expect(week.filter((b) => b.level === 'd')).toHaveLength(6);
    expect(week.filter((b) => b.level === 'h')).toHaveLength(14 + 10);
    // MONTH at most 23 + 29 + 24 buckets, whatever the hour.
    for (const now of NOWS) expect(rankBuckets('MONTH', now).length).toBeLessThanOrEqual(23 + 29 + 24);
  });

  it('covers an empty or single-bucket range as such', () => {
    expect(cover('h', 5, 4)).toEqual([]);
    expect(cover('m', 7, 7)).toEqual([{ level: 'm', index: 7 }]);
    expect(cover('m', 0, 12 * 24 - 1)).toEqual([{ level: 'd', index: 0 }]);
  });
});
