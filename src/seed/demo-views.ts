// Demo readership: view history for the demo data, so "많이 본 뉴스" (mostViewed) has something to
// show for every window on a fresh `npm start`, and keeps having it on every later start.
//
//  - Hours older than two hours become `ArticleViewHour` history (and `Article.viewCount`) through
//    the flusher's ledger, and are added to the store's hourly/daily ranking buckets.
//  - The last two hours are recorded as views into the store (5-minute buckets: HOUR and its
//    previous window), unless the store already holds views for them; the flusher writes them down.
//
// Each start fills only the hours after the newest history hour of the most-viewed article, so the
// history stays continuous and is never written twice. The volumes are small enough that a user
// recording a few dozen views moves the HOUR ranking. DAY ranks the five most-viewed articles in the
// sample page's order; HOUR, WEEK and MONTH rank the same five first, in other orders, and every
// window's previous window ranks them differently again (plausible `previousRank`).
import { slugify } from '../articles/slug.ts';
import { visibleArticleWhere } from '../articles/visibility.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { bucketIndex, hourIndex, LEVEL_MS } from '../rankings/windows.ts';
import type { ViewCounting } from '../views/wiring.ts';
import { visitorKey } from '../inputs/visitor.ts';
import type { HistoryRow } from '../views/store.ts';
import { DEMO, SAMPLE_SLUG } from './demo.ts';

/** Views per hour of the five most-viewed articles (page order), by how long ago. */
const RATES = {
  hourNow: [30, 26, 22, 19, 16], // the last 60 minutes: the HOUR window
  hourPrev: [22, 28, 18, 12, 20], // 60-120 minutes ago: HOUR's previous window
  dayNow: [60, 52, 45, 38, 31], // the rest of the last 24 hours: DAY
  dayPrev: [40, 55, 48, 20, 35], // 24-48 hours ago: DAY's previous window
  week: [25, 30, 35, 22, 28], // 2-7 days ago
  month: [18, 34, 40, 15, 24], // 7-30 days ago
  monthPrev: [16, 22, 30, 19, 26], // 30-60 days ago
};
const BACKGROUND = 11; // other articles ranked below the five (the sample article first)
/** Relative traffic by hour of the day in Korea (KST), lowest at dawn. */
const DIURNAL = [
  0.6, 0.5, 0.45, 0.4, 0.4, 0.45, 0.6, 0.8, 1.1, 1.3, 1.3, 1.25, 1.3, 1.2, 1.15, 1.1, 1.1, 1.05, 1.0, 1.1, 1.2, 1.15,
  0.95, 0.75,
];
const HISTORY_HOURS = 60 * 24;
const RECENT_MS = 2 * LEVEL_MS.h;

interface DemoArticle {
  id: number;
  sectionId: number;
  /** 0-4: one of the five; else a background article. */
  rank: number;
}

function rate(a: DemoArticle, ageHours: number): number {
  if (a.rank >= 5) return 2 + (((a.rank - 5) * 7) % 11); // 2..12 views an hour, under every one of the five
  const r =
    ageHours < 24
      ? RATES.dayNow
      : ageHours < 48
        ? RATES.dayPrev
        : ageHours < 168
          ? RATES.week
          : ageHours < 720
            ? RATES.month
            : RATES.monthPrev;
  return r[a.rank]!;
}

function hourlyViews(a: DemoArticle, hour: number, nowHour: number): number {
  const kst = (hour + 9) % 24;
  return Math.round(rate(a, nowHour - hour) * DIURNAL[kst]!);
}

async function demoArticles(prisma: PrismaClient, now: Date): Promise<DemoArticle[]> {
  const slugs = DEMO.mostViewed.map((m) => slugify(m.headline));
  const five = await prisma.article.findMany({
    where: { slug: { in: slugs }, ...visibleArticleWhere(now) },
    select: { id: true, slug: true, sectionId: true },
  });
  if (five.length !== slugs.length) return [];
  const others = await prisma.article.findMany({
    where: { ...visibleArticleWhere(now), id: { notIn: five.map((a) => a.id) } },
    orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
    take: BACKGROUND - 1,
    select: { id: true, sectionId: true },
  });
  const sample = await prisma.article.findFirst({
    where: { slug: SAMPLE_SLUG, ...visibleArticleWhere(now) },
    select: { id: true, sectionId: true },
  });
  const background = [...(sample ? [sample] : []), ...others.filter((o) => o.id !== sample?.id)].slice(0, BACKGROUND);
  return [
    ...slugs.map((slug, rank) => ({ ...five.find((a) => a.slug === slug)!, rank })),
    ...background.map((a, i) => ({ id: a.id, sectionId: a.sectionId, rank: 5 + i })),
  ].map(({ id, sectionId, rank }) => ({ id, sectionId, rank }));
}

export interface DemoViewsReport {
  historyViews: number;
  recentViews: number;
}

/** Tops up the demo's view history to `now` (see the top of this file). Nothing happens without the demo articles. */
export async function refreshDemoViews(prisma: PrismaClient, views: ViewCounting, now: Date): Promise<DemoViewsReport> {
  const report: DemoViewsReport = { historyViews: 0, recentViews: 0 };
  const articles = await demoArticles(prisma, now);
  if (articles.length === 0) return report;
  const nowMs = now.getTime();
  const nowHour = hourIndex(nowMs);

  // History: the hours after the newest one the first article already has, up to two hours ago.
  const newest = await prisma.articleViewHour.findFirst({
    where: { articleId: articles[0]!.id },
    orderBy: { hour: 'desc' },
    select: { hour: true },
  });
  const firstHour = Math.max(nowHour - HISTORY_HOURS, newest ? hourIndex(newest.hour.getTime()) + 1 : -Infinity);
  const lastHour = hourIndex(nowMs - RECENT_MS) - 1;
  if (firstHour <= lastHour) {
    const rows: [number, number, number][] = [];
    const history: HistoryRow[] = [];
    for (const a of [...articles].sort((x, y) => x.id - y.id)) {
      for (let hour = firstHour; hour <= lastHour; hour++) {
        const n = hourlyViews(a, hour, nowHour);
        if (n <= 0) continue;
        rows.push([a.id, hour, n]);
        history.push({ articleId: a.id, sectionId: a.sectionId, hour, views: n });
      }
    }
    const applied = await views.flusher.commitRows(`demo-views:${firstHour}-${lastHour}`, rows);
    if (applied.skipped === 0) {
      await views.store.applyHistory(history, nowMs);
      report.historyViews = applied.views;
    }
  }

  // The last two hours, as views in 5-minute buckets (HOUR and its previous window).
  const m = bucketIndex('m', nowMs);
  const held = await views.store.top(
    'all',
    [
      { level: 'm', index: m },
      { level: 'm', index: m - 1 },
      { level: 'm', index: m - 12 },
    ],
    0,
    1,
  );
  if (held.length === 0) {
    const recorded: Promise<unknown>[] = [];
    for (const a of articles) {
      for (const [perHour, lastBucket] of [
        [recentRate(a, 'hourNow'), m],
        [recentRate(a, 'hourPrev'), m - 12],
      ] as const) {
        for (let j = 0; j < 12; j++) {
          const bucket = lastBucket - 11 + j;
          const n = Math.floor((perHour * (j + 1)) / 12) - Math.floor((perHour * j) / 12);
          for (let k = 0; k < n; k++) {
            const at = Math.min(bucket * LEVEL_MS.m + k * 1_000, nowMs);
            const view = {
              articleId: a.id,
              sectionId: a.sectionId,
              visitor: visitorKey(`demo-${a.id}-${bucket}-${k}`),
              at,
            };
            recorded.push(views.store.record(view, 1).then((outcome) => outcome === 'COUNTED' && report.recentViews++));
          }
        }
      }
    }
    await Promise.all(recorded);
  }
  views.rankings.clear();
  return report;
}

function recentRate(a: DemoArticle, which: 'hourNow' | 'hourPrev'): number {
  return a.rank < 5 ? RATES[which][a.rank]! : 1 + (((a.rank - 5) * 3) % 10); // background: 1..10
}
