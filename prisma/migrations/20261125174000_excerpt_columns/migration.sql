-- Less CPU per request (issue 10): lists no longer load whole bodies to cut excerpts and count reading
-- time. Both columns are derived from "bodyText" by the app on every write (bodyTextColumns in
-- src/articles/text.ts); SQL cannot repeat JavaScript's whitespace and code-point rules exactly.
-- "excerptText": the first 1,001 characters excerpts are cut from; "readingMinutes": at least 1.

-- AlterTable
ALTER TABLE "Article" ADD COLUMN     "excerptText" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "readingMinutes" INTEGER NOT NULL DEFAULT 0;

-- Rows written before this migration (or by a writer that leaves the columns out) have
-- "readingMinutes" = 0: the app fills them in at start (src/articles/derived-backfill.ts), finding
-- them through this index, which is empty once that is done.
CREATE INDEX "Article_readingMinutes_missing_idx" ON "Article"("id") WHERE "readingMinutes" = 0;
