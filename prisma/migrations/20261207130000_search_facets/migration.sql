-- Search's token array also holds each article's facets, "section:<id>", "reporter:<id>" and "tag:<id>"
-- (src/search/tokens.ts, facetTokens), so a search filtered by section, reporter or tag meets the filter in
-- the GIN scan of its words. The app writes them with every article; this adds them to the rows already
-- tokenised (rows still without tokens get words and facets together from src/search/backfill.ts).
-- The GIN index is dropped for the update and built again (~1 min at 100,000 articles, ~14.5 min at
-- 1,000,000 on 2 cores, with writes to "Article" waiting: on a large archive run this migration in a
-- quiet hour, then VACUUM ANALYZE "Article"; README, "Production").
DROP INDEX IF EXISTS "Article_publishedAt_searchTokens_idx";

UPDATE "Article" a SET "searchTokens" = a."searchTokens"
    || ARRAY['section:' || a."sectionId"]
    || ARRAY(SELECT 'reporter:' || ar."reporterId" FROM "ArticleReporter" ar WHERE ar."articleId" = a.id ORDER BY ar.position)
    || ARRAY(SELECT 'tag:' || at."tagId" FROM "ArticleTag" at WHERE at."articleId" = a.id)
  WHERE a."searchTokens" <> '{}';

CREATE INDEX "Article_publishedAt_searchTokens_idx" ON "Article" USING GIN ("publishedAt", "searchTokens");
