// Search over headline, deck and body for Korean and mixed-script text. PostgreSQL has no Korean
// parser: words are found through app-computed tokens under a GIN index (src/search/tokens.ts),
// confirmed by substring where a word is longer than one token. Ranking is by where the words occur
// (headline > deck > body), then recency, over the newest SEARCH_WINDOW matches: a bounded amount of
// work however common the word ("가" occurs in most articles).
import type { ArticleFilterInput } from '../articles/connection.ts';
import { visibleArticleSql } from '../articles/visibility.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { normalizeText, termTokens } from './tokens.ts';

export const MAX_QUERY_LENGTH = 1000;
const MAX_TERMS = 10;
/** Search ranks (and pages through, and counts) the newest this many matches. */
export const SEARCH_WINDOW = 500;

/** Korean particles that follow a noun ("서울시는", "베이징시장과"), longest first. */
const PARTICLES = ['에서는', '에게서', '으로는', '으로서', '으로써', '에서', '에게', '께서', '으로', '부터', '까지', '처럼', '보다', '와', '과', '은', '는', '이', '가', '을', '를', '의', '에', '도', '만', '로'];
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
  const words = normalizeText(query).split(/[\s\u00a0\u3000]+/).filter(Boolean);
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

/** Builds WHERE and parameters shared by the page query and the count. */
function whereClause(terms: string[], now: Date, filter: ArticleFilterInput | null | undefined) {
  const params: unknown[] = [now.toISOString()];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions = [visibleArticleSql('$1')];
  const tokens = new Set<string>();
  for (const term of terms) {
    const t = termTokens(term);
    for (const token of t.tokens) tokens.add(token);
    if (!t.exact) conditions.push(`a."searchText" ILIKE ${p(likePattern(term))} ESCAPE '\\'`);
  }
  conditions.push(`a."searchTokens" @> ${p([...tokens])}::text[]`);
  if (filter?.section != null) conditions.push(`a."sectionId" = (SELECT s.id FROM "Section" s WHERE s.slug = ${p(filter.section)})`);
  if (filter?.reporter != null) {
    conditions.push(`EXISTS (SELECT 1 FROM "ArticleReporter" ar JOIN "Reporter" r ON r.id = ar."reporterId"
      WHERE ar."articleId" = a.id AND r.slug = ${p(filter.reporter)})`);
  }
  if (filter?.tag != null) {
    conditions.push(`EXISTS (SELECT 1 FROM "ArticleTag" at JOIN "Tag" t ON t.id = at."tagId"
      WHERE at."articleId" = a.id AND t.slug = ${p(filter.tag)})`);
  }
  if (filter?.publishedAfter != null) conditions.push(`a."publishedAt" > (${p(filter.publishedAfter.toISOString())}::timestamptz AT TIME ZONE 'UTC')`);
  if (filter?.publishedBefore != null) conditions.push(`a."publishedAt" < (${p(filter.publishedBefore.toISOString())}::timestamptz AT TIME ZONE 'UTC')`);
  if (filter?.hasPhoto != null) conditions.push(`a."leadImageId" IS ${filter.hasPhoto ? 'NOT ' : ''}NULL`);
  if (filter?.breaking != null) conditions.push(`a."breaking" = ${p(filter.breaking)}`);
  return { sql: conditions.join(' AND '), params, p };
}

export async function searchArticles(
  prisma: PrismaClient,
  options: { terms: string[]; now: Date; filter?: ArticleFilterInput | null; offset: number; limit: number },
): Promise<SearchHit[]> {
  const { terms, now, filter, offset, limit } = options;
  const where = whereClause(terms, now, filter);
  // A term in the headline weighs 3, in the deck 2, in the body 1; ties go to the newest.
  const score = terms
    .map((term) => where.p(likePattern(term)))
    .map(
      (param) => `(CASE WHEN a."headline" ILIKE ${param} ESCAPE '\\' THEN 3
        WHEN array_to_string(a."deck", ' ') ILIKE ${param} ESCAPE '\\' THEN 2 ELSE 1 END)`,
    )
    .join(' + ');
  const params = [...where.params, limit, offset];
  // The newest SEARCH_WINDOW matches (an index range or a GIN bitmap, whichever the planner finds
  // cheaper), ranked; the page's bodies are read for snippets only.
  const sql = `WITH matches AS (
      SELECT a.id, a."publishedAt", (${score})::float8 AS score FROM "Article" a WHERE ${where.sql}
      ORDER BY a."publishedAt" DESC, a.id DESC LIMIT ${SEARCH_WINDOW}
    ), page AS (
      SELECT * FROM matches ORDER BY score DESC, "publishedAt" DESC, id DESC LIMIT $${params.length - 1} OFFSET $${params.length}
    )
    SELECT a.id, page.score, a."headline", a."deck", a."bodyText" FROM page JOIN "Article" a ON a.id = page.id
    ORDER BY page.score DESC, page."publishedAt" DESC, page.id DESC`;
  return prisma.$queryRawUnsafe<SearchHit[]>(sql, ...params);
}

/** Number of matches, at most SEARCH_WINDOW: the results search ranks and pages through. */
export async function countSearch(
  prisma: PrismaClient,
  options: { terms: string[]; now: Date; filter?: ArticleFilterInput | null },
): Promise<number> {
  const where = whereClause(options.terms, options.now, options.filter);
  const rows = await prisma.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM "Article" a WHERE ${where.sql} ORDER BY a."publishedAt" DESC, a.id DESC LIMIT ${SEARCH_WINDOW}) x`,
    ...where.params,
  );
  return rows[0]?.n ?? 0;
}
