// Fills in the derived text columns (excerptText, readingMinutes) of articles written before they
// existed (migration 20261125174000_excerpt_columns) or by a writer that left them out, at start, in
// batches. Such rows have readingMinutes = 0 and are found through a partial index that holds only
// them, so once everything is filled in the check costs one empty index probe.
import type { PrismaClient } from '../generated/prisma/client.ts';
import { bodyTextColumns } from './text.ts';

const BATCH = 500;

/** Returns how many articles got their columns. */
export async function backfillBodyTextColumns(prisma: PrismaClient): Promise<number> {
  let done = 0;
  let after = 0;
  for (;;) {
    const rows = await prisma.$queryRawUnsafe<{ id: number; bodyText: string }[]>(
      `SELECT id, "bodyText" FROM "Article" WHERE "readingMinutes" = 0 AND id > $1 ORDER BY id LIMIT ${BATCH}`,
      after,
    );
    if (rows.length === 0) return done;
    const derived = rows.map((r) => ({ id: r.id, ...bodyTextColumns(r.bodyText) }));
    await prisma.$executeRawUnsafe(
      `UPDATE "Article" a SET "excerptText" = x."excerptText", "readingMinutes" = x."readingMinutes"
        FROM jsonb_to_recordset($1::jsonb) AS x(id int, "excerptText" text, "readingMinutes" int) WHERE a.id = x.id`,
      JSON.stringify(derived),
    );
    done += rows.length;
    after = rows.at(-1)!.id;
  }
}
