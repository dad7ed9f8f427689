-- Search's GIN index also holds the publish time (btree_gin; PGlite ships it, PostgreSQL: postgresql-contrib),
-- so that a step's range and its words are one index scan: GIN meets the range's few entries with the
-- word's posting tree and skips the rest of it, instead of reading a common word's whole posting list into a
-- bitmap on every step (64 ms for "서울" at 1,000,000 articles). The index serves token-only scans as before.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX "Article_publishedAt_searchTokens_idx" ON "Article" USING GIN ("publishedAt", "searchTokens");
DROP INDEX "Article_searchTokens_idx";
