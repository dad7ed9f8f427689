-- Korean search that scales (issue 10): app-computed tokens (CJK characters and pairs, other words) under GIN,
-- replacing the trigram index, which cannot index one- and two-character words. See src/search/tokens.ts.

-- DropIndex
DROP INDEX "Article_searchText_idx";

-- AlterTable
ALTER TABLE "Article" ADD COLUMN     "searchTokens" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE INDEX "Article_searchTokens_idx" ON "Article" USING GIN ("searchTokens");


-- Rows written before this migration have no tokens yet: the app fills them in at start
-- (src/search/backfill.ts), finding them through this index, which is empty once that is done.
CREATE INDEX "Article_searchTokens_missing_idx" ON "Article"("id") WHERE "searchTokens" = '{}';
