-- Search over common words (issue 10): the newest articles are checked by a substring search of
-- "searchText" (src/search/query.ts). Stored EXTENDED, that value went to TOAST (the row is over 2 kB),
-- so each check fetched and decompressed a TOASTed value (~3.6 buffers per row). MAIN keeps it
-- compressed in the row (~1.1 kB); the body, its plain text and the token array still go to TOAST.
ALTER TABLE "Article" ALTER COLUMN "searchText" SET STORAGE MAIN;
-- PostgreSQL moves EXTENDED values out of a too-large row, smallest ones included, before it compresses
-- MAIN ones: without this, headline, deck and slug (read by every list) would go to TOAST as well.
ALTER TABLE "Article" ALTER COLUMN "headline" SET STORAGE MAIN;
ALTER TABLE "Article" ALTER COLUMN "deck" SET STORAGE MAIN;
ALTER TABLE "Article" ALTER COLUMN "slug" SET STORAGE MAIN;
-- LZ4 decompresses several times faster than the default pglz, where the server has it (PGlite has not).
DO $$ BEGIN
  ALTER TABLE "Article" ALTER COLUMN "searchText" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL;
END $$;

-- Values already stored keep their TOAST pointer until they are written again: write them once.
UPDATE "Article" SET "searchText" = "searchText" || '';
