-- The visible set's newest-first index carries the lead photo id, so that lists and counts filtered by
-- `hasPhoto` are index-only ranges too (the plan guard found a sequential scan for their counts).
CREATE INDEX "Article_visible_publishedAt_photo_idx" ON "Article"("publishedAt" DESC, "id" DESC) INCLUDE ("leadImageId")
  WHERE "status" = 'PUBLISHED' AND "deletedAt" IS NULL;
DROP INDEX "Article_visible_publishedAt_idx";
