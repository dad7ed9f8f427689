-- Reads at archive scale (issue 10): every reader list is an index range.

-- AlterTable
ALTER TABLE "ArticleReporter" ADD COLUMN     "visibleFrom" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "ArticleTag" ADD COLUMN     "visibleFrom" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "ArticleReporter_reporterId_visibleFrom_articleId_idx" ON "ArticleReporter"("reporterId", "visibleFrom" DESC, "articleId" DESC);

-- CreateIndex
CREATE INDEX "ArticleTag_tagId_visibleFrom_articleId_idx" ON "ArticleTag"("tagId", "visibleFrom" DESC, "articleId" DESC);

-- Partial indexes of the reader-visible set (status PUBLISHED, not deleted; src/articles/visibility.ts),
-- one per list order, so that lists, keyset pages and counts read only visible index entries
-- (counts are index-only scans). Prisma's schema cannot declare partial indexes.
CREATE INDEX "Article_visible_publishedAt_idx" ON "Article"("publishedAt" DESC, "id" DESC)
  WHERE "status" = 'PUBLISHED' AND "deletedAt" IS NULL;
CREATE INDEX "Article_visible_sectionId_publishedAt_idx" ON "Article"("sectionId", "publishedAt" DESC, "id" DESC)
  WHERE "status" = 'PUBLISHED' AND "deletedAt" IS NULL;
CREATE INDEX "Article_visible_viewCount_idx" ON "Article"("viewCount" DESC, "publishedAt" DESC, "id" DESC)
  WHERE "status" = 'PUBLISHED' AND "deletedAt" IS NULL;
CREATE INDEX "Article_visible_sectionId_viewCount_idx" ON "Article"("sectionId", "viewCount" DESC, "publishedAt" DESC, "id" DESC)
  WHERE "status" = 'PUBLISHED' AND "deletedAt" IS NULL;
-- Breaking news is ~3% of articles: its own range instead of a filtered walk.
CREATE INDEX "Article_visible_breaking_publishedAt_idx" ON "Article"("publishedAt" DESC, "id" DESC)
  WHERE "status" = 'PUBLISHED' AND "deletedAt" IS NULL AND "breaking";

-- ArticleReporter/ArticleTag."visibleFrom": the article's publishedAt while it is PUBLISHED and not
-- deleted, else NULL, kept here by triggers so that a reporter's or tag's articles, newest first, are
-- an index range on the link table. Queries still apply the visibility rule to the article itself;
-- this column only orders and bounds the range.
CREATE FUNCTION "article_visible_from"(status "ArticleStatus", published_at TIMESTAMP(3), deleted_at TIMESTAMP(3))
  RETURNS TIMESTAMP(3) LANGUAGE sql IMMUTABLE
  AS $$ SELECT CASE WHEN status = 'PUBLISHED' AND deleted_at IS NULL THEN published_at END $$;

CREATE FUNCTION "article_links_visible_from"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v TIMESTAMP(3) := "article_visible_from"(NEW."status", NEW."publishedAt", NEW."deletedAt");
BEGIN
  UPDATE "ArticleReporter" SET "visibleFrom" = v WHERE "articleId" = NEW."id" AND "visibleFrom" IS DISTINCT FROM v;
  UPDATE "ArticleTag" SET "visibleFrom" = v WHERE "articleId" = NEW."id" AND "visibleFrom" IS DISTINCT FROM v;
  RETURN NULL;
END $$;

CREATE TRIGGER "Article_links_visible_from" AFTER UPDATE OF "status", "publishedAt", "deletedAt" ON "Article"
  FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."publishedAt" IS DISTINCT FROM NEW."publishedAt" OR OLD."deletedAt" IS DISTINCT FROM NEW."deletedAt")
  EXECUTE FUNCTION "article_links_visible_from"();

CREATE FUNCTION "link_visible_from"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT "article_visible_from"(a."status", a."publishedAt", a."deletedAt") INTO NEW."visibleFrom" FROM "Article" a WHERE a."id" = NEW."articleId";
  RETURN NEW;
END $$;

CREATE TRIGGER "ArticleReporter_visible_from" BEFORE INSERT OR UPDATE OF "articleId" ON "ArticleReporter"
  FOR EACH ROW EXECUTE FUNCTION "link_visible_from"();
CREATE TRIGGER "ArticleTag_visible_from" BEFORE INSERT OR UPDATE OF "articleId" ON "ArticleTag"
  FOR EACH ROW EXECUTE FUNCTION "link_visible_from"();

UPDATE "ArticleReporter" l SET "visibleFrom" = "article_visible_from"(a."status", a."publishedAt", a."deletedAt") FROM "Article" a WHERE a."id" = l."articleId";
UPDATE "ArticleTag" l SET "visibleFrom" = "article_visible_from"(a."status", a."publishedAt", a."deletedAt") FROM "Article" a WHERE a."id" = l."articleId";
