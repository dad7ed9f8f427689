// Fills in the derived text columns (excerptText, readingMinutes) of articles written before they
// existed (migration 20261125174000_excerpt_columns) or by a writer that left them out, in batches,
// in the background after start (the fields compute a missing value from the body meanwhile, so
// nothing waits for it: 100,000 rows take about two minutes). Such rows have readingMinutes = 0 and
// are found through a partial index that holds only them, so once everything is filled in the check
// costs one empty index probe.
import type { PrismaClient } from '../generated/prisma/client.ts';
import { bodyTextColumns } from './text.ts';

const BATCH = 500;

/** Returns how many articles got their columns; `stopped()` is checked between batches. */
export async function backfillBodyTextColumns(
  prisma: PrismaClient,
  stopped: () => boolean = () => false,
): Promise<number> {
  let done = 0;
  let after = 0;
  while (!stopped()) {
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
  return done;
}

export interface BackgroundBackfill {
  /** Stops after the batch in progress and waits for it. */
  stop(): Promise<void>;
}

/** Runs the backfill without holding up start-up; a failure is reported and retried at the next start. */
export function startBodyTextBackfill(
  prisma: PrismaClient,
  onDone: (error: unknown, filled: number) => void,
): BackgroundBackfill {
  let stopping = false;
  const run = backfillBodyTextColumns(prisma, () => stopping).then(
    (filled) => onDone(undefined, filled),
    (error) => {
      if (!stopping) onDone(error, 0);
    },
  );
  return {
    async stop() {
      stopping = true;
      await run;
    },
  };
}
