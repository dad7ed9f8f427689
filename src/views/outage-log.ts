// The Redis view store's outage buffer, made durable. While Redis is unreachable a view is
// acknowledged (QUEUED) only once it is in PostgreSQL's `ViewOutage` table: the views arriving in one
// event-loop turn are one INSERT. When Redis is back, any instance takes the oldest rows (skipping rows
// another instance holds), applies them with the store's record script and deletes them in the same
// transaction. Applying a view twice is harmless (its de-duplication mark makes the second a
// DUPLICATE), so a crash between the Redis call and the commit, or a process killed during the outage,
// loses nothing and counts nothing twice: the rows wait for whichever instance drains next.
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { ViewRecord } from './store.ts';

export interface BufferedView {
  view: ViewRecord;
  dedupMs: number;
}

const APPEND = `INSERT INTO "ViewOutage" ("articleId", "sectionId", "visitor", "at", "dedupMs")
SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::bigint[], $5::int[])`;

// The oldest rows no other transaction holds: a range of the primary key, then those ids by the same
// index (`= ANY(ARRAY(…))`; with `IN (…)` PostgreSQL hash-joins a scan of the whole table).
const TAKE = `DELETE FROM "ViewOutage" WHERE "id" = ANY(ARRAY(
  SELECT "id" FROM "ViewOutage" ORDER BY "id" LIMIT $1 FOR UPDATE SKIP LOCKED
)) RETURNING "id", "articleId", "sectionId", "visitor", "at", "dedupMs"`;

export class OutageLog {
  constructor(private readonly prisma: PrismaClient) {}

  /** Writes views durably, in one statement; rejects if PostgreSQL did not take them. */
  async append(views: readonly BufferedView[]): Promise<void> {
    if (views.length === 0) return;
    await this.prisma.$executeRawUnsafe(
      APPEND,
      views.map((b) => b.view.articleId),
      views.map((b) => b.view.sectionId),
      views.map((b) => b.view.visitor),
      views.map((b) => b.view.at),
      views.map((b) => b.dedupMs),
    );
  }

  /**
   * Hands up to `limit` of the oldest views, in arrival order, to `apply`, and deletes them once it
   * resolves (one transaction; if `apply` rejects, they stay). Returns how many it applied: 0 when
   * none was left.
   */
  take(limit: number, apply: (views: BufferedView[]) => Promise<void>): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRawUnsafe<
        { id: bigint; articleId: number; sectionId: number; visitor: string; at: bigint; dedupMs: number }[]
      >(TAKE, limit);
      if (rows.length === 0) return 0;
      rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      await apply(
        rows.map((r) => ({
          view: { articleId: r.articleId, sectionId: r.sectionId, visitor: r.visitor, at: Number(r.at) },
          dedupMs: r.dedupMs,
        })),
      );
      return rows.length;
    });
  }
}
