-- SQL the peers of `npm run bench:read` need for the API's answers: the reader-visibility rule
-- (src/articles/visibility.ts), previous/next (keyset by publishedAt, id), a reporter's latest
-- articles and excerpts (the rule of src/articles/text.ts). In their own schema "bench_peer", which
-- PostGraphile exposes as computed columns and the floor server calls; the app never sees it.
DROP SCHEMA IF EXISTS bench_peer CASCADE;
CREATE SCHEMA bench_peer;

CREATE FUNCTION bench_peer.article_previous(a public."Article") RETURNS public."Article" LANGUAGE sql STABLE AS $$
  SELECT p.* FROM public."Article" p
   WHERE p."status" = 'PUBLISHED' AND p."deletedAt" IS NULL AND p."publishedAt" <= (now() AT TIME ZONE 'UTC')
     AND (p."publishedAt", p."id") < (a."publishedAt", a."id")
   ORDER BY p."publishedAt" DESC, p."id" DESC LIMIT 1
$$;

CREATE FUNCTION bench_peer.article_next(a public."Article") RETURNS public."Article" LANGUAGE sql STABLE AS $$
  SELECT p.* FROM public."Article" p
   WHERE p."status" = 'PUBLISHED' AND p."deletedAt" IS NULL AND p."publishedAt" <= (now() AT TIME ZONE 'UTC')
     AND (p."publishedAt", p."id") > (a."publishedAt", a."id")
   ORDER BY p."publishedAt" ASC, p."id" ASC LIMIT 1
$$;

-- One visible article by slug (the app's article(slug:)).
CREATE FUNCTION bench_peer.visible_article(slug text) RETURNS public."Article" LANGUAGE sql STABLE AS $$
  SELECT a.* FROM public."Article" a
   WHERE a."slug" = visible_article.slug
     AND a."status" = 'PUBLISHED' AND a."deletedAt" IS NULL AND a."publishedAt" <= (now() AT TIME ZONE 'UTC')
$$;

-- The byline in order.
CREATE FUNCTION bench_peer.article_reporters(a public."Article") RETURNS SETOF public."Reporter" LANGUAGE sql STABLE AS $$
  SELECT r.* FROM public."ArticleReporter" l JOIN public."Reporter" r ON r."id" = l."reporterId"
   WHERE l."articleId" = a."id" ORDER BY l."position"
$$;

-- A section's visible articles, newest first.
CREATE FUNCTION bench_peer.section_latest_articles(s public."Section") RETURNS SETOF public."Article" LANGUAGE sql STABLE AS $$
  SELECT a.* FROM public."Article" a
   WHERE a."sectionId" = s."id"
     AND a."status" = 'PUBLISHED' AND a."deletedAt" IS NULL AND a."publishedAt" <= (now() AT TIME ZONE 'UTC')
   ORDER BY a."publishedAt" DESC, a."id" DESC
$$;

-- A reporter's visible articles, newest first.
CREATE FUNCTION bench_peer.reporter_latest_articles(r public."Reporter") RETURNS SETOF public."Article" LANGUAGE sql STABLE AS $$
  -- "visibleFrom" (the article's publish time while visible, kept by trigger) is the link table's
  -- indexed order, as the app uses it; the article's own visibility is still checked.
  SELECT a.* FROM public."ArticleReporter" l JOIN public."Article" a ON a."id" = l."articleId"
   WHERE l."reporterId" = r."id" AND l."visibleFrom" IS NOT NULL
     AND a."status" = 'PUBLISHED' AND a."deletedAt" IS NULL AND a."publishedAt" <= (now() AT TIME ZONE 'UTC')
   ORDER BY l."visibleFrom" DESC, l."articleId" DESC
$$;

-- excerpt(bodyText, length) of src/articles/text.ts: dateline dropped, whitespace collapsed, cut at a
-- word boundary, ending in "…". Reads a prefix of the body (enough for any length the pages ask).
CREATE FUNCTION bench_peer.excerpt(body text, len int) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  t text := btrim(regexp_replace(regexp_replace(left(body, 4 * len + 200), '^\s*\[[^]\n]{1,60}\]\s*', ''), '[\s\u00a0]+', ' ', 'g'));
  cut text;
  space int;
BEGIN
  IF char_length(t) <= len THEN RETURN t; END IF;
  cut := left(t, greatest(1, len - 1));
  space := char_length(cut) - position(' ' IN reverse(cut)) + 1;
  IF position(' ' IN cut) > 0 AND space - 1 > char_length(cut) * 0.6 THEN cut := left(cut, space - 1); END IF;
  RETURN regexp_replace(cut, '[\s,.·…]+$', '') || '…';
END $$;

CREATE FUNCTION bench_peer.article_excerpt(a public."Article", length int DEFAULT 160) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT bench_peer.excerpt(a."bodyText", length)
$$;
