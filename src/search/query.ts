// Search over headline, deck and body for Korean and mixed-script text. PostgreSQL has no Korean
// parser: words are found through app-computed tokens under a GIN index (src/search/tokens.ts),
// confirmed by substring where a word is longer than one token. Ranking is by where the words occur
// (headline > deck > body), then recency, over the newest SEARCH_WINDOW matches: a bounded amount of
// work however common the word ("가" occurs in most articles).
import type { ArticleFilterInput } from '../articles/connection.ts';
import { Params } from '../articles/list-query.ts';
import { utcSql, visibleArticleSql } from '../articles/visibility.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { rawRows } from '../db/raw-rows.ts';
import { type FacetKind, normalizeText, termTokens } from './tokens.ts';

export const MAX_QUERY_LENGTH = 1000;
const MAX_TERMS = 10;
/** Search ranks (and pages through, and counts) the newest this many matches. */
export const SEARCH_WINDOW = 500;

/** Korean particles that follow a noun ("서울시는", "베이징시장과"), longest first. */
const PARTICLES = [
  '에서는',
  '에게서',
  '으로는',
  '으로서',
  '으로써',
  '에서',
  '에게',
  '께서',
  '으로',
  '부터',
  '까지',
  '처럼',
  '보다',
  '와',
  '과',
  '은',
  '는',
  '이',
  '가',
  '을',
  '를',
  '의',
  '에',
  '도',
  '만',
  '로',
];
const HANGUL_END = /\p{Script=Hangul}$/u;

/** A word without a trailing particle, when at least two syllables remain ("서울시는" → "서울시"; "국가" stays). */
function withoutParticle(term: string): string {
  if (!HANGUL_END.test(term)) return term;
  for (const particle of PARTICLES) {
    if (term.endsWith(particle) && Array.from(term).length - particle.length >= 2) {
      const stem = term.slice(0, -particle.length);
      return HANGUL_END.test(stem) ? stem : term;
    }
  }
  return term;
}

/**
 * Normalised, de-duplicated search terms ("서울  베이징" → ["서울", "베이징"]; "베이징시장과" → ["베이징시장"]).
 * Words without letters or digits ("%", "--") are not searchable and are left out.
 */
export function searchTerms(query: string): string[] {
  const words = normalizeText(query)
    .split(/[\s\u00a0\u3000]+/)
    .filter(Boolean);
  const terms = words.map((w) => withoutParticle(w)).filter((w) => termTokens(w).tokens.length > 0);
  return [...new Set(terms)].slice(0, MAX_TERMS);
}

function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface SearchHit {
  id: number;
  score: number;
  headline: string;
  deck: string[];
  bodyText: string;
}

/** A match in the ranked window: what ranking needs, without the texts. */
export interface WindowMatch {
  id: number;
  publishedAt: Date;
  score: number;
}

/** A CJK-only word (no letter case, no word boundaries): found exactly by a substring check. */
const CJK_ONLY = /^[\p{Script=Hangul}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+$/u;

/** The newest visible articles the first step checks by substring. */
const PROBE_DEPTH = 100;
/** With fewer visible articles than this, the first step checks them all (one statement, at most this many rows). */
const SMALL_ARCHIVE = 1000;
/** A word in at least this share of the articles read so far is looked for newest-first by substring, not by the GIN index. */
const DENSE_SHARE = 0.5;
/** Fewer matches than this say too little about a word's share: the next range is GROWTH times as deep. */
const MIN_MATCHES_TO_JUDGE = 10;
const GROWTH = 10;
/**
 * A range is sized to hold this many times the matches still needed at the share found so far: two
 * standard deviations of a share judged from m matches (1 + 2/√m), at most 1.5.
 */
function margin(found: number): number {
  return Math.min(1.5, 1 + 2 / Math.sqrt(found));
}
/** A range reaching deeper than this many articles: the GIN index alone for the rest (no depth bound to look up). */
const MAX_DEPTH = 50_000;
/** At most this many statements: the last one the GIN index alone for the rest. */
const MAX_STEPS = 6;

/** Any condition in the filter. */
function hasFilter(filter: ArticleFilterInput | null | undefined): boolean {
  return filter != null && Object.values(filter).some((v) => v != null);
}

/** A section, reporter or tag in the filter: met by facet tokens in the GIN index. */
function hasFacetFilter(filter: ArticleFilterInput | null | undefined): boolean {
  return filter?.section != null || filter?.reporter != null || filter?.tag != null;
}

/**
 * The filter conditions (everything but the words), shared by every step. `publishedAt` is the column, or
 * in a GIN step an expression no index serves (see `step`).
 */
function filterConditions(
  filter: ArticleFilterInput | null | undefined,
  p: Params,
  publishedAt = 'a."publishedAt"',
  /** The section, reporter and tag are met by the statement's facet tokens: not checked again. */
  facetsInTokens = false,
): string[] {
  const conditions: string[] = [];
  if (facetsInTokens) filter = { ...filter, section: null, reporter: null, tag: null };
  if (filter?.section != null)
    conditions.push(`a."sectionId" = (SELECT s.id FROM "Section" s WHERE s.slug = ${p.add(filter.section)})`);
  if (filter?.reporter != null) {
    conditions.push(`EXISTS (SELECT 1 FROM "ArticleReporter" ar JOIN "Reporter" r ON r.id = ar."reporterId"
      WHERE ar."articleId" = a.id AND r.slug = ${p.add(filter.reporter)})`);
  }
  if (filter?.tag != null) {
    conditions.push(`EXISTS (SELECT 1 FROM "ArticleTag" at JOIN "Tag" t ON t.id = at."tagId"
      WHERE at."articleId" = a.id AND t.slug = ${p.add(filter.tag)})`);
  }
  if (filter?.publishedAfter != null)
    conditions.push(`${publishedAt} > ${utcSql(p.add(filter.publishedAfter.toISOString()))}`);
  if (filter?.publishedBefore != null)
    conditions.push(`${publishedAt} < ${utcSql(p.add(filter.publishedBefore.toISOString()))}`);
  if (filter?.hasPhoto != null) conditions.push(`a."leadImageId" IS ${filter.hasPhoto ? 'NOT ' : ''}NULL`);
  if (filter?.breaking != null) conditions.push(`a."breaking" = ${p.add(filter.breaking)}`);
  return conditions;
}

/**
 * The filter's section, reporter and tag as the facet tokens articles carry (src/search/tokens.ts), the ids
 * looked up by slug in the statement. An unknown slug gives "reporter:", a token no article has. In a GIN
 * step they decide those filters alone (`filterConditions` leaves them out).
 */
function filterFacetsSql(filter: ArticleFilterInput | null | undefined, p: Params): string[] {
  const facet = (kind: FacetKind, table: string, slug: string) =>
    `('${kind}:' || coalesce((SELECT f.id FROM "${table}" f WHERE f.slug = ${p.add(slug)})::text, ''))`;
  const facets: string[] = [];
  if (filter?.section != null) facets.push(facet('section', 'Section', filter.section));
  if (filter?.reporter != null) facets.push(facet('reporter', 'Reporter', filter.reporter));
  if (filter?.tag != null) facets.push(facet('tag', 'Tag', filter.tag));
  return facets;
}

/**
 * The substring check confirming a word on `searchText` (stored NFC and in the row). An all-CJK word has
 * no letter case and no word boundaries: the substring is the word. Others need ILIKE, and as a substring
 * can be part of a longer Latin word ("mena" in "phenomena"), their tokens as well when `withTokens` (a walk).
 */
function substringCondition(term: string, p: Params, withTokens: boolean): string {
  if (CJK_ONLY.test(term)) return `strpos(a."searchText", ${p.add(term)}) > 0`;
  const like = `a."searchText" ILIKE ${p.add(likePattern(term))} ESCAPE '\\'`;
  // An expression the GIN index does not serve: a walk is a newest-first range of the visible index, and the
  // token check only filters its rows (with the column, PostgreSQL may pick the GIN index, whose scan of
  // `publishedAt <= now` covers the whole archive: 300 ms at 1,000,000 articles).
  return withTokens
    ? `${like} AND coalesce(a."searchTokens", '{}') @> ${p.add(termTokens(term).tokens)}::text[]`
    : like;
}

/**
 * A term in the headline weighs 3, in the deck 2, in the body 1 (headline and deck are in the row, never
 * TOASTed). An all-CJK term is found by strpos, the same answer as ILIKE (no letter case in the term, and
 * lower-casing changes no CJK character around it) without lower-casing every headline.
 */
function scoreSql(terms: string[], p: Params): string {
  return terms
    .map((term) => {
      if (CJK_ONLY.test(term)) {
        const param = p.add(term);
        return `(CASE WHEN strpos(a."headline", ${param}) > 0 THEN 3 WHEN strpos(array_to_string(a."deck", ' '), ${param}) > 0 THEN 2 ELSE 1 END)`;
      }
      const param = p.add(likePattern(term));
      return `(CASE WHEN a."headline" ILIKE ${param} ESCAPE '\\' THEN 3 WHEN array_to_string(a."deck", ' ') ILIKE ${param} ESCAPE '\\' THEN 2 ELSE 1 END)`;
    })
    .join(' + ');
}

interface StepOptions {
  /** Newest-first by substring (an index range of publish times), or the GIN index. */
  walk: boolean;
  /** Only articles published before this (the previous step's lower bound); none: from the newest. */
  upper: Date | null;
  /**
   * Down to the publish time of the depth-th newest visible article below `upper` (looked up in the statement, an
   * index-only range), 'probe' for the first step, null for no lower bound (to the oldest).
   */
  depth: number | 'probe' | null;
  /**
   * Instead of a depth, down to this publish time (an estimate of where a deeper range would end, no
   * lookup); to the oldest when no visible article is older.
   */
  lowerAt?: Date;
  /** At most this many matches, the newest. */
  limit: number;
}

interface Step {
  /** The step's matches, newest first. */
  matches: WindowMatch[];
  /** The step's lower bound (inclusive); null: it reached the oldest article. */
  lower: Date | null;
}

/**
 * One step: the newest `limit` matches within a range of publish times, [depth-th newest below upper, upper).
 * The first row the statement returns carries the range's lower bound (id null), so a step that
 * finds nothing still tells where the next one starts.
 */
async function step(
  prisma: PrismaClient,
  terms: string[],
  now: Date,
  filter: ArticleFilterInput | null | undefined,
  options: StepOptions,
): Promise<Step> {
  const p = new Params();
  const nowParam = p.add(now.toISOString());
  // A GIN step finds the words and the range's lower bound in one scan of the (publishedAt, searchTokens)
  // index: it walks the word's posting lists only where they meet the range (GIN skips through a posting
  // tree), ~700 entries for "서울" instead of its 176,000 at 1,000,000 articles. Every other time
  // condition is written as an expression the index does not serve: in a GIN index each is a scan of its
  // own (`publishedAt <= now` is one over the whole archive).
  const publishedAt = options.walk ? 'a."publishedAt"' : `(a."publishedAt" + interval '0 s')`;
  const conditions = [visibleArticleSql(nowParam, 'a', publishedAt)];
  const words: string[] = [];
  let facetsInTokens = false;
  if (options.walk) words.push(...terms.map((t) => substringCondition(t, p, true)));
  else {
    const tokens = new Set<string>();
    for (const term of terms) {
      const t = termTokens(term);
      for (const token of t.tokens) tokens.add(token);
      if (!t.exact) words.push(substringCondition(term, p, false));
    }
    // With a filter, the tokens are an InitPlan (a scalar subquery): a custom plan that sees a common
    // word's tokens reads the filter's rows (a section's, say) and checks each one's TOASTed token array,
    // 90-150 ms at 1,000,000 articles, where the generic plan PostgreSQL switches to after five runs ANDs
    // the posting lists, 32-45 ms. Hidden, every run gets the latter; depths are literals, so in real
    // traffic most step statements are new texts, always on custom plans.
    // A filter's section, reporter and tag are tokens too (facets), looked up in the same InitPlan: the
    // index meets them with the words.
    // Every writer stores the facets (src/search/tokens.ts), so they decide the filter alone: no link-table
    // check per match (~35 ms for the 7,800 articles of a word by one reporter at 1,000,000 articles).
    const list = p.add([...tokens]);
    const facets = filterFacetsSql(filter, p);
    facetsInTokens = hasFacetFilter(filter);
    const all = `(SELECT ${list}::text[]${facets.map((f) => ` || ${f}`).join('')})`;
    words.push(`a."searchTokens" @> ${hasFilter(filter) ? all : list}::text[]`);
  }
  const upperSql = options.upper ? utcSql(p.add(options.upper.toISOString())) : null;
  if (upperSql) conditions.push(`${publishedAt} < ${upperSql}`);
  const below = upperSql ? ` AND b."publishedAt" < ${upperSql}` : '';
  const at = (depth: number) =>
    `(SELECT b."publishedAt" FROM "Article" b WHERE ${visibleArticleSql(nowParam, 'b')}${below} ORDER BY b."publishedAt" DESC, b.id DESC OFFSET ${depth - 1} LIMIT 1)`;
  const { depth, lowerAt } = options;
  const estimated = lowerAt ? utcSql(p.add(lowerAt.toISOString())) : null;
  // A small archive (no SMALL_ARCHIVE-th article) is read whole by the first step.
  const lowerSql = estimated
    ? `CASE WHEN EXISTS (SELECT 1 FROM "Article" b WHERE ${visibleArticleSql(nowParam, 'b')} AND b."publishedAt" < ${estimated}) THEN ${estimated} END`
    : depth === 'probe'
      ? `CASE WHEN ${at(SMALL_ARCHIVE)} IS NULL THEN NULL ELSE ${at(PROBE_DEPTH)} END`
      : depth == null
        ? null
        : at(depth);
  if (lowerSql) conditions.push(`a."publishedAt" >= coalesce((SELECT lo.at FROM lo), '-infinity')`);
  conditions.push(...filterConditions(filter, p, publishedAt, facetsInTokens));
  // The GIN step is ordered by an expression no index provides: otherwise PostgreSQL may walk the
  // newest-first index and check each row's TOASTed token array until it has enough matches (it does
  // not count the TOAST reads), ~1 s for a word in 4% of 100,000 articles. Sorting the matches is cheap.
  const order = `${publishedAt} DESC, a.id DESC`;
  const score = `(${scoreSql(terms, p)})::float8 AS score`;
  const matches = `SELECT a.id, a."publishedAt", ${score} FROM "Article" a
    WHERE ${[...conditions, ...words].join(' AND ')} ORDER BY ${order} LIMIT ${options.limit}`;
  // The GIN index alone (a rare word, after the newest ranges): its matches first, then the rules on
  // them. Written as one scan, the statement's generic plan (prepared statements, src/db/prepared-statements.ts:
  // PostgreSQL keeps one after five runs) ANDs the posting list with the publish-time conditions on the
  // visible index, a bitmap of the whole archive (~8 ms at 100,000 articles for a word with one match).
  const fenced = `WITH m AS MATERIALIZED (SELECT a.id, a."publishedAt", a."status", a."deletedAt", a."sectionId",
      a."leadImageId", a."breaking", ${score} FROM "Article" a WHERE ${words.join(' AND ')})
    SELECT a.id, a."publishedAt", a.score FROM m a WHERE ${conditions.join(' AND ')}
    ORDER BY a."publishedAt" DESC, a.id DESC LIMIT ${options.limit}`;
  const sql = lowerSql
    ? `WITH lo AS MATERIALIZED (SELECT ${lowerSql} AS at)
    SELECT NULL::int AS id, (SELECT lo.at FROM lo) AS "publishedAt", NULL::float8 AS score
    UNION ALL (${matches})`
    : options.walk
      ? matches
      : fenced;
  const rows = await rawRows<{ id: number | null; publishedAt: Date | null; score: number | null }>(
    prisma,
    sql,
    p.values,
  );
  if (!lowerSql) return { matches: rows as WindowMatch[], lower: null };
  const bound = rows.find((r) => r.id == null);
  return { matches: rows.filter((r) => r.id != null) as WindowMatch[], lower: bound?.publishedAt ?? null };
}

/**
 * The newest SEARCH_WINDOW matches, ranked (score, then newest). Found in steps over ranges of publish
 * times, newest first, each sized from the share of matches the steps before found, so that the rows
 * read stay near the matches needed however common the word:
 * 1. the newest PROBE_DEPTH articles, by substring (all of them in an archive under SMALL_ARCHIVE);
 * 2. a word in at least half of the articles read ("가"): onwards newest-first by substring, stopping at
 *    the window; any other: the GIN posting list ANDed with the range expected to hold margin() times the
 *    matches still needed ("서울", in 18% of articles: the next ~3,600), so only rows in both are visited.
 *    Too few matches to judge (under MIN_MATCHES_TO_JUDGE after the probe): a range GROWTH times as deep;
 *    none in the newest SMALL_ARCHIVE, a range past MAX_DEPTH, or the MAX_STEPS-th statement: the GIN
 *    index alone for the rest;
 * 3. repeated while the window is not full and older articles remain.
 * Depths count visible articles down from the newest, or from `publishedBefore` when the filter has one
 * (so an old slice of the archive is searched like the newest). The ranges partition the publish times,
 * so the matches are exactly the newest SEARCH_WINDOW whatever the estimates; a wrong estimate costs rows
 * or a statement, never a different answer.
 */
export async function searchWindow(
  prisma: PrismaClient,
  options: {
    terms: string[];
    now: Date;
    filter?: ArticleFilterInput | null;
    /** MAX_DEPTH (tests lower it to reach the estimated ranges in a small archive). */
    maxDepth?: number;
  },
): Promise<WindowMatch[]> {
  const { terms, now, filter, maxDepth = MAX_DEPTH } = options;
  // A filter the GIN index cannot meet (a photo, a date): a word it makes rare is looked for in estimated
  // ranges. A section, reporter or tag is met in the index (facet tokens) like another word.
  const filtered = hasFilter(filter) && !hasFacetFilter(filter);
  // Ranges count articles down from the newest, or from `publishedBefore` when the filter has one.
  const first = await step(prisma, terms, now, filter, {
    walk: true,
    upper: filter?.publishedBefore ?? null,
    depth: 'probe',
    limit: SEARCH_WINDOW,
  });
  const matches = [...first.matches];
  let { lower } = first;
  let covered = PROBE_DEPTH;
  let steps = 1;
  // The last range whose depth was looked up: its depth and lower bound, for the archive's pace.
  let known: { covered: number; lower: Date } | null = null;
  while (lower && matches.length < SEARCH_WINDOW) {
    const need = SEARCH_WINDOW - matches.length;
    const share = matches.length / covered;
    // Each range at least a quarter deeper than the last, so a word that thins out with age ends in a few steps.
    let depth: number | null =
      matches.length >= MIN_MATCHES_TO_JUDGE || (covered >= SMALL_ARCHIVE && matches.length > 0)
        ? covered + Math.max(Math.ceil((need * margin(matches.length)) / share), Math.ceil(covered / 4))
        : matches.length === 0 && covered >= SMALL_ARCHIVE
          ? null
          : covered * GROWTH;
    if (depth != null && ++steps >= MAX_STEPS) depth = null;
    // Past the depth bound, a range ends at the publish time the archive's pace so far puts that depth
    // at (articles per millisecond between the last two looked-up bounds): no index walk of the depth,
    // and a word made rare by a filter (a reporter's) is still found in bounded ranges rather than by
    // the GIN index alone, which reads every article with the word (300-350 ms at 1,000,000 articles).
    let lowerAt: Date | undefined;
    // Only with a filter: a word rare by itself is rare in the GIN index too, which then reads its few
    // articles at once, where ranges would scan the index's time column ("MENA", one article in
    // 1,000,000: ~10 ms alone, 270-360 ms in estimated ranges).
    if (depth != null && depth > maxDepth) {
      const pace =
        known && known.covered < covered ? (known.lower.getTime() - lower.getTime()) / (covered - known.covered) : 0;
      if (pace > 0 && filtered) lowerAt = new Date(lower.getTime() - (depth - covered) * pace);
      else depth = null;
    }
    const next = await step(prisma, terms, now, filter, {
      walk: matches.length >= MIN_MATCHES_TO_JUDGE && share >= DENSE_SHARE,
      upper: lower,
      depth: depth == null || lowerAt ? null : depth - covered,
      lowerAt,
      limit: need,
    });
    matches.push(...next.matches);
    if (!lowerAt) known = { covered, lower };
    lower = next.lower;
    covered = depth ?? Number.POSITIVE_INFINITY;
  }
  return rank(matches);
}

function rank(matches: WindowMatch[]): WindowMatch[] {
  return [...matches].sort(
    (x, y) => y.score - x.score || y.publishedAt.getTime() - x.publishedAt.getTime() || y.id - x.id,
  );
}
