// Search over headline, deck and body for Korean and mixed-script text. PostgreSQL has no Korean
// parser: words are found through app-computed tokens under a GIN index (src/search/tokens.ts),
// confirmed by substring where a word is longer than one token. Ranking is by where the words occur
// (headline > deck > body), then recency, over the newest SEARCH_WINDOW matches: a bounded amount of
// work however common the word ("가" occurs in most articles).
import type { ArticleFilterInput } from '../articles/connection.ts';
import { Params } from '../articles/list-query.ts';
import { utcSql, visibleArticleSql } from '../articles/visibility.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { normalizeText, termTokens } from './tokens.ts';

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

/** The newest visible articles the first, substring-only stage reads. */
const RECENT_WINDOW = 1000;
/**
 * Below this many matches in stage 1 (under 0.5% of articles) the share is too small to judge a range
 * from, and the word's posting list is short: the GIN index alone.
 */
const MIN_RECENT_FOR_RANGE = 5;

/** The filter conditions (everything but the words), shared by every stage. */
function filterConditions(filter: ArticleFilterInput | null | undefined, p: Params): string[] {
  const conditions: string[] = [];
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
    conditions.push(`a."publishedAt" > ${utcSql(p.add(filter.publishedAfter.toISOString()))}`);
  if (filter?.publishedBefore != null)
    conditions.push(`a."publishedAt" < ${utcSql(p.add(filter.publishedBefore.toISOString()))}`);
  if (filter?.hasPhoto != null) conditions.push(`a."leadImageId" IS ${filter.hasPhoto ? 'NOT ' : ''}NULL`);
  if (filter?.breaking != null) conditions.push(`a."breaking" = ${p.add(filter.breaking)}`);
  return conditions;
}

/**
 * The substring check confirming a word on `searchText` (stored NFC and in the row). An all-CJK word has
 * no letter case and no word boundaries: the substring is the word. Others need ILIKE, and as a substring
 * can be part of a longer Latin word ("mena" in "phenomena"), their tokens as well when `withTokens`.
 */
function substringCondition(term: string, p: Params, withTokens: boolean): string {
  if (CJK_ONLY.test(term)) return `strpos(a."searchText", ${p.add(term)}) > 0`;
  const like = `a."searchText" ILIKE ${p.add(likePattern(term))} ESCAPE '\\'`;
  return withTokens ? `${like} AND a."searchTokens" @> ${p.add(termTokens(term).tokens)}::text[]` : like;
}

/** A term in the headline weighs 3, in the deck 2, in the body 1 (headline and deck are in the row, never TOASTed). */
function scoreSql(terms: string[], p: Params): string {
  return terms
    .map((term) => p.add(likePattern(term)))
    .map(
      (param) =>
        `(CASE WHEN a."headline" ILIKE ${param} ESCAPE '\\' THEN 3 WHEN array_to_string(a."deck", ' ') ILIKE ${param} ESCAPE '\\' THEN 2 ELSE 1 END)`,
    )
    .join(' + ');
}

interface Stage {
  matches: WindowMatch[];
  /** Stage 1 only: the publish times bounding the newest RECENT_WINDOW articles it read. */
  newest?: Date | null;
  oldest?: Date | null;
}

/**
 * Stage 1: the newest RECENT_WINDOW visible articles (an index range), each checked by substring on
 * `searchText`, which is kept compressed in the row (migration 20261125171000_search_text_inline).
 * The token array is TOASTed: reading it per row costs a TOAST fetch and decompression (~3.6 buffers),
 * so it is read only for words the substring check cannot prove (Latin ones).
 */
async function recentStage(
  prisma: PrismaClient,
  terms: string[],
  now: Date,
  filter: ArticleFilterInput | null | undefined,
): Promise<Stage> {
  const p = new Params();
  const nowParam = p.add(now.toISOString());
  const recent = (edge: string) =>
    `(SELECT b."publishedAt" FROM "Article" b WHERE ${visibleArticleSql(nowParam, 'b')} ORDER BY b."publishedAt" DESC, b.id DESC OFFSET ${edge} LIMIT 1)`;
  // Fewer visible articles than the window: the whole set (coalesce), and no `oldest` (stage 1 was complete).
  const conditions = [
    visibleArticleSql(nowParam),
    `a."publishedAt" >= coalesce(${recent(String(RECENT_WINDOW - 1))}, '-infinity')`,
    ...terms.map((t) => substringCondition(t, p, true)),
    ...filterConditions(filter, p),
  ];
  const sql = `SELECT a.id, a."publishedAt", (${scoreSql(terms, p)})::float8 AS score, ${recent('0')} AS newest, ${recent(String(RECENT_WINDOW - 1))} AS oldest
    FROM "Article" a WHERE ${conditions.join(' AND ')}
    ORDER BY a."publishedAt" DESC, a.id DESC LIMIT ${SEARCH_WINDOW}`;
  const rows = await prisma.$queryRawUnsafe<(WindowMatch & { newest: Date | null; oldest: Date | null })[]>(
    sql,
    ...p.values,
  );
  return { matches: rows, newest: rows[0]?.newest, oldest: rows[0]?.oldest };
}

/**
 * The index stage: every word's tokens under the GIN index (`@>`: a two-syllable word is one token,
 * a longer one all its pairs, intersected in the index), confirmed by substring where tokens do not
 * prove the word, optionally from `from` on (then PostgreSQL ANDs the GIN bitmap with the publish-time
 * range, and visits only the rows in both).
 */
async function indexStage(
  prisma: PrismaClient,
  terms: string[],
  now: Date,
  filter: ArticleFilterInput | null | undefined,
  from?: Date,
): Promise<Stage> {
  const p = new Params();
  const conditions = [visibleArticleSql(p.add(now.toISOString()))];
  const tokens = new Set<string>();
  for (const term of terms) {
    const t = termTokens(term);
    for (const token of t.tokens) tokens.add(token);
    if (!t.exact) conditions.push(substringCondition(term, p, false));
  }
  conditions.push(`a."searchTokens" @> ${p.add([...tokens])}::text[]`);
  if (from) conditions.push(`a."publishedAt" >= ${utcSql(p.add(from.toISOString()))}`);
  conditions.push(...filterConditions(filter, p));
  // Ordered by an expression no index provides: otherwise PostgreSQL may walk the newest-first index
  // and check each row's TOASTed token array until it has SEARCH_WINDOW matches (it does not count the
  // TOAST reads), ~1 s for a word in 4% of 100,000 articles. Sorting the matches is cheap.
  const sql = `SELECT a.id, a."publishedAt", (${scoreSql(terms, p)})::float8 AS score FROM "Article" a
    WHERE ${conditions.join(' AND ')} ORDER BY (a."publishedAt" + interval '0 s') DESC, a.id DESC LIMIT ${SEARCH_WINDOW}`;
  return { matches: await prisma.$queryRawUnsafe<WindowMatch[]>(sql, ...p.values) };
}

/**
 * The newest SEARCH_WINDOW matches, ranked (score, then newest). Bounded work however common the words:
 * 1. the newest RECENT_WINDOW articles, by substring: enough for a word in half of them ("가");
 * 2. else the GIN index, within the publish-time range that should hold the window, judged from the
 *    share of matches stage 1 found ("서울", in 18% of articles: the newest ~4,000). PostgreSQL ANDs the
 *    word's posting list with that range and visits only the rows in both;
 * 3. else (a rare word, or the range held too few) the GIN index alone.
 */
export async function searchWindow(
  prisma: PrismaClient,
  options: { terms: string[]; now: Date; filter?: ArticleFilterInput | null },
): Promise<WindowMatch[]> {
  const { terms, now, filter } = options;
  const recent = await recentStage(prisma, terms, now, filter);
  const { newest, oldest } = recent;
  if (recent.matches.length >= SEARCH_WINDOW || (recent.matches.length > 0 && oldest == null))
    return rank(recent.matches);
  if (recent.matches.length >= MIN_RECENT_FOR_RANGE && newest && oldest) {
    // The range expected to hold 1.5 × SEARCH_WINDOW matches, at stage 1's rate of articles per unit of time.
    const wanted = (RECENT_WINDOW * SEARCH_WINDOW * 1.5) / recent.matches.length;
    const from = new Date(newest.getTime() - ((newest.getTime() - oldest.getTime()) * wanted) / RECENT_WINDOW);
    const ranged = await indexStage(prisma, terms, now, filter, from);
    if (ranged.matches.length >= SEARCH_WINDOW) return rank(ranged.matches);
  }
  return rank((await indexStage(prisma, terms, now, filter)).matches);
}

function rank(matches: WindowMatch[]): WindowMatch[] {
  return [...matches].sort(
    (x, y) => y.score - x.score || y.publishedAt.getTime() - x.publishedAt.getTime() || y.id - x.id,
  );
}
