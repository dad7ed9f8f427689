// Write-behind: moves accumulated view counts from the store into PostgreSQL (`Article.viewCount`
// and the hourly history table `ArticleViewHour`) every few seconds, in batches, exactly once.
//
//  1. claim: the store atomically moves its pending counts into a batch named by a fresh flush id;
//     the batch stays in the store (Redis) until step 3.
//  2. commit: one transaction per batch chunk writes the history rows, bumps the totals and inserts
//     the chunk's id into the `ViewFlush` ledger. The ledger insert is `ON CONFLICT DO NOTHING` and
//     the writes only happen when it inserted, so committing the same chunk twice is a no-op; two
//     instances committing it at once serialise on the ledger's primary key.
//  3. release: the batch is deleted from the store.
//
// A crash between 1 and 3 leaves the batch in the store: the crashed instance's successor commits it
// on its first run, any other instance after the lease (`abandoned`), and the ledger turns every
// repeated commit into a no-op: exactly once.
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { LEVEL_MS, RANK_RETENTION_MS } from '../rankings/windows.ts';
import type { FlushBatch, HistoryRow, ViewStore } from './store.ts';
import type { Logger } from '../platform/logger.ts';

const LOCK_KEY = 727_011_2025; // "newsroom view flush": serialises flushers' row locks (no deadlocks)
const LEDGER_DAYS = 14;

const APPLY = `
WITH ledger AS (
  INSERT INTO "ViewFlush" ("id", "views", "rows") VALUES ($1, $2, $3) ON CONFLICT ("id") DO NOTHING RETURNING "id"
), d AS (
  SELECT * FROM unnest($4::int[], $5::int[], $6::int[]) AS d("articleId", "hour", "views")
   WHERE EXISTS (SELECT 1 FROM ledger)
), hist AS (
  INSERT INTO "ArticleViewHour" ("articleId", "hour", "views")
  SELECT d."articleId", to_timestamp(d."hour"::bigint * 3600) AT TIME ZONE 'UTC', d."views"
    FROM d JOIN "Article" a ON a."id" = d."articleId"
  ON CONFLICT ("articleId", "hour") DO UPDATE SET "views" = "ArticleViewHour"."views" + EXCLUDED."views"
  RETURNING 1
), totals AS (
  UPDATE "Article" a SET "viewCount" = a."viewCount" + t."views"
    FROM (SELECT "articleId", sum("views")::int AS "views" FROM d GROUP BY "articleId") t
   WHERE a."id" = t."articleId"
  RETURNING 1
)
SELECT (SELECT count(*) FROM ledger)::int AS "applied", (SELECT count(*) FROM hist)::int AS "rows"`;

export interface FlushReport {
  /** Views committed by this call (batches already committed elsewhere are not counted). */
  views: number;
  batches: number;
  /** Batches (chunks) found already committed: a replay after a crash, or another instance won. */
  skipped: number;
}

export interface FlusherOptions {
  store: ViewStore;
  prisma: PrismaClient;
  /** The app clock: which history hours are within the rankings' reach at a rebuild. */
  clock: () => Date;
  log: Logger;
  /** Period of the automatic flush; 0 = only when `flush()` is called (and at stop). */
  intervalMs: number;
  /** A claimed batch not released after this long is presumed abandoned and committed again. */
  leaseMs: number;
  /** Rows (article × hour) per database statement. */
  chunkRows?: number;
  onFlushed?: (report: FlushReport) => void;
  /** Called after every successful run, with how long it took (metrics). */
  onRun?: (report: FlushReport, seconds: number) => void;
}

export class ViewFlusher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<FlushReport> | null = null;
  /** Own batches whose commit or release failed: committed again (a no-op if it was) and released on the next run. */
  private readonly retry: FlushBatch[] = [];
  /** Claims whose outcome is unknown (the store failed mid-call): looked up by id on the next run. */
  private readonly inDoubt = new Set<string>();
  private flushes = 0;
  private stopped = false;
  /**
   * The first run after start takes over every outstanding batch whatever its lease: a restarted
   * instance commits what it (or anyone) left at once. Harmless if the owner is alive: the ledger
   * makes the second commit a no-op.
   */
  private firstRun = true;

  constructor(private readonly options: FlusherOptions) {}

  start(): void {
    if (this.options.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.flush().catch((error) => this.options.log.warn({ err: error }, 'views: flush failed'));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One flush run (single-flight: a call during a run waits for it, then runs again). */
  async flush(): Promise<FlushReport> {
    while (this.running) await this.running.catch(() => {});
    const started = performance.now();
    this.running = this.run();
    try {
      const report = await this.running;
      this.options.onRun?.(report, (performance.now() - started) / 1000);
      return report;
    } finally {
      this.running = null;
    }
  }

  /** Stops the timer and flushes what is pending. */
  async stop(): Promise<FlushReport | null> {
    if (this.stopped) return null;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      return await this.flush();
    } catch (error) {
      this.options.log.error({ err: error }, 'views: final flush failed (counts stay in the store)');
      return null;
    }
  }

  /** Rebuilds the store's rankings from the history table if it lost them. Returns true if it did. */
  async rebuildIfNeeded(): Promise<boolean> {
    const { store } = this.options;
    if (!(await store.needsRebuild())) return false;
    if (!(await store.beginRebuild())) return false;
    const now = this.options.clock().getTime();
    let rows = 0;
    // Keyset pagination over (hour, article), from the oldest hour the rankings can still read.
    let after = { hour: Math.floor((now - RANK_RETENTION_MS.h) / LEVEL_MS.h), articleId: 0 };
    for (;;) {
      const page = await this.options.prisma.$queryRawUnsafe<
        { articleId: number; sectionId: number; hour: number; views: number }[]
      >(
        `SELECT h."articleId", a."sectionId", (extract(epoch FROM h."hour") / 3600)::int AS "hour", h."views"
           FROM "ArticleViewHour" h JOIN "Article" a ON a."id" = h."articleId"
          WHERE (h."hour", h."articleId") > (to_timestamp($1::bigint * 3600) AT TIME ZONE 'UTC', $2::int)
          ORDER BY h."hour", h."articleId" LIMIT 20000`,
        after.hour,
        after.articleId,
      );
      if (page.length === 0) break;
      const history: HistoryRow[] = page.map((r) => ({
        articleId: Number(r.articleId),
        sectionId: Number(r.sectionId),
        hour: Number(r.hour),
        views: Number(r.views),
      }));
      await store.applyHistory(history, now);
      rows += page.length;
      const last = history[history.length - 1]!;
      after = { hour: last.hour, articleId: last.articleId };
    }
    await store.endRebuild();
    this.options.log.info({ rows }, 'views: rankings rebuilt from hourly history rows');
    return true;
  }

  /**
   * Commits counts that did not come through the store (the demo's view history) through the same
   * ledger: a repeated id is a no-op. Returns what it applied now.
   */
  async commitRows(id: string, rows: [number, number, number][]): Promise<FlushReport> {
    const report: FlushReport = { views: 0, batches: 0, skipped: 0 };
    await this.commit({ id, rows }, report);
    return report;
  }

  private async run(): Promise<FlushReport> {
    const report: FlushReport = { views: 0, batches: 0, skipped: 0 };
    const { store } = this.options;
    await this.rebuildIfNeeded();
    for (const id of [...this.inDoubt]) {
      const batch = await store.claimed(id);
      this.inDoubt.delete(id);
      if (batch) this.retry.push(batch);
    }
    for (const batch of this.retry.splice(0)) await this.commitAndRelease(batch, report);
    const lease = this.firstRun ? 0 : this.options.leaseMs;
    this.firstRun = false;
    for (const batch of await store.abandoned(lease)) await this.commitAndRelease(batch, report);
    const id = randomUUID();
    this.inDoubt.add(id);
    const claimed = await store.claim(id);
    this.inDoubt.delete(id);
    if (claimed && claimed !== 'REBUILD') await this.commitAndRelease(claimed, report);
    if (report.batches > 0) this.options.onFlushed?.(report);
    return report;
  }

  private async commitAndRelease(batch: FlushBatch, report: FlushReport): Promise<void> {
    try {
      await this.commit(batch, report);
      await this.options.store.release(batch.id);
    } catch (error) {
      this.retry.push(batch);
      throw error;
    }
  }

  /** Commits a batch, chunk by chunk; each chunk is its own idempotent ledger entry. */
  private async commit(batch: FlushBatch, report: FlushReport): Promise<void> {
    const size = this.options.chunkRows ?? 5_000;
    const prune = ++this.flushes % 200 === 1;
    for (let i = 0, chunk = 0; i < batch.rows.length; i += size, chunk++) {
      const rows = batch.rows.slice(i, i + size);
      const views = rows.reduce((n, r) => n + r[2], 0);
      const result = await this.options.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
        const [r] = await tx.$queryRawUnsafe<{ applied: number; rows: number }[]>(
          APPLY,
          `${batch.id}#${chunk}`,
          views,
          rows.length,
          rows.map((r) => r[0]),
          rows.map((r) => r[1]),
          rows.map((r) => r[2]),
        );
        if (prune && chunk === 0) {
          await tx.$executeRawUnsafe(
            `DELETE FROM "ViewFlush" WHERE "appliedAt" < now() - interval '${LEDGER_DAYS} days'`,
          );
        }
        return r!;
      });
      report.batches++;
      if (result.applied) report.views += views;
      else report.skipped++;
    }
  }
}
