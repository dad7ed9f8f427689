// View counting as the app sees it: the store (Redis or in-process, chosen once here), the counter,
// the write-behind flusher and the rankings, started and stopped together.
import type { ViewsConfig } from '../config.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { Rankings } from '../rankings/rankings.ts';
import { RankingWatcher } from '../rankings/watch.ts';
import { ArticleDirectory } from './directory.ts';
import { ViewFlusher, type FlushReport } from './flusher.ts';
import { MemoryViewStore } from './memory-store.ts';
import { OutageLog } from './outage-log.ts';
import { RedisViewStore } from './redis-store.ts';
import { ViewCounter, type ViewOutcome } from './counter.ts';
import type { ViewStore } from './store.ts';
import { ViewCountWatcher } from './watch.ts';
import type { Logger } from '../platform/logger.ts';
import type { Clock } from '../platform/clock.ts';

export interface ViewCountingOptions {
  prisma: PrismaClient;
  config: ViewsConfig;
  redisUrl: string | undefined;
  clock: Clock;
  log: Logger;
  /** Use this store instead of building one from the configuration (tests, benchmark). */
  store?: ViewStore;
  onFlushed?: (report: FlushReport) => void;
  /** Metrics hooks: every recorded view's outcome, every flush run. */
  observe?: {
    recorded?: (outcome: ViewOutcome) => void;
    flushed?: (report: FlushReport, seconds: number) => void;
    directoryQuery?: () => void;
    rankingComputed?: () => void;
  };
}

export interface ViewCounting {
  store: ViewStore;
  counter: ViewCounter;
  directory: ArticleDirectory;
  flusher: ViewFlusher;
  rankings: Rankings;
  /** Live counts for subscriptions. */
  countWatcher: ViewCountWatcher;
  /** Live rankings for subscriptions. */
  rankingWatcher: RankingWatcher;
  /** Section id by slug (null: no such section); cached. */
  sectionId(slug: string): Promise<number | null>;
  /** Flushes what is pending and closes the store. */
  stop(): Promise<void>;
}

export async function createViewCounting(options: ViewCountingOptions): Promise<ViewCounting> {
  const { prisma, config, clock, log } = options;
  const store =
    options.store ??
    (options.redisUrl
      ? new RedisViewStore(options.redisUrl, {
          outageLog: new OutageLog(prisma),
          prefix: config.redisPrefix,
          maxBuffered: config.maxBuffered,
          log,
        })
      : new MemoryViewStore());
  const directory = new ArticleDirectory(prisma, {
    clock,
    ttlMs: config.articleCacheMs,
    onQuery: options.observe?.directoryQuery,
  });
  const counter = new ViewCounter({
    store,
    directory,
    clock,
    dedupMs: config.dedupMs,
    perAddressPerMinute: config.perAddressPerMinute,
    log,
    onRecorded: options.observe?.recorded,
  });
  const flusher = new ViewFlusher({
    store,
    prisma,
    clock,
    log,
    intervalMs: config.flushIntervalMs,
    leaseMs: config.flushLeaseMs,
    onFlushed: options.onFlushed,
    onRun: options.observe?.flushed,
  });
  const rankings = new Rankings({
    store,
    prisma,
    clock,
    cacheMs: config.rankingCacheMs,
    log,
    onComputed: options.observe?.rankingComputed,
  });
  const countWatcher = new ViewCountWatcher({ prisma, counter, clock, log });
  const rankingWatcher = new RankingWatcher({ rankings, log });

  // Rankings and totals come back before the first request: from Redis if it kept them, else from
  // the history table; batches a crashed instance left behind are committed by the first flush.
  if (store instanceof RedisViewStore && !(await store.ready(5_000))) {
    log.warn('views: Redis not reachable at start: views are buffered in PostgreSQL until it is');
  } else {
    await flusher.rebuildIfNeeded().catch((error) => log.error({ err: error }, 'views: rebuild failed'));
  }
  flusher.start();
  await directory.prewarm(config.prewarmArticles).catch((error) => log.warn({ err: error }, 'views: prewarm failed'));

  let sections: { at: number; bySlug: Map<string, number> } | null = null;
  return {
    store,
    counter,
    directory,
    flusher,
    rankings,
    countWatcher,
    rankingWatcher,
    async sectionId(slug) {
      if (!sections || clock().getTime() - sections.at > 60_000 || !sections.bySlug.has(slug)) {
        const rows = await prisma.section.findMany({ select: { id: true, slug: true } });
        sections = { at: clock().getTime(), bySlug: new Map(rows.map((r) => [r.slug, r.id])) };
      }
      return sections.bySlug.get(slug) ?? null;
    },
    async stop() {
      countWatcher.stop();
      rankingWatcher.stop();
      await flusher.stop();
      await store.close();
    },
  };
}
