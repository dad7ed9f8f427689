// Search over headline, deck and body for Korean and mixed-script text. PostgreSQL has no Korean
// parser, so matching is by substring (ILIKE, accelerated by the pg_trgm GIN index on searchText,
// which PGlite and PostgreSQL both ship) and ranking is by where the terms occur, then recency.
import type { ArticleFilterInput } from '../articles/connection.ts';
import { visibleArticleSql } from '../articles/visibility.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';

export const MAX_QUERY_LENGTH = 1000;
const MAX_TERMS = 10;

/** Normalised, de-duplicated search terms ("서울  베이징" → ["서울", "베이징"]). */
export function searchTerms(query: string): string[] {
  const terms = query.normalize('NFC').toLowerCase().split(/[\s\u00a0\u3000]+/).filter(Boolean);
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
  const termParams = terms.map((term) => p(likePattern(term)));
  for (const param of termParams) conditions.push(`a."searchText" ILIKE ${param} ESCAPE '\\'`);
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
  return { sql: conditions.join(' AND '), params, termParams };
}

export async function searchArticles(
  prisma: PrismaClient,
  options: { terms: string[]; now: Date; filter?: ArticleFilterInput | null; offset: number; limit: number },
): Promise<SearchHit[]> {
  const { terms, now, filter, offset, limit } = options;
  const where = whereClause(terms, now, filter);
  // A term in the headline weighs 3, in the deck 2, in the body 1; ties go to the newest.
  const score = where.termParams
    .map(
      (param) => `(CASE WHEN a."headline" ILIKE ${param} ESCAPE '\\' THEN 3
        WHEN array_to_string(a."deck", ' ') ILIKE ${param} ESCAPE '\\' THEN 2 ELSE 1 END)`,
    )
    .join(' + ');
  const params = [...where.params, limit, offset];
  const sql = `SELECT a.id, (${score})::float8 AS score, a."headline", a."deck", a."bodyText"
    FROM "Article" a WHERE ${where.sql}
    ORDER BY score DESC, a."publishedAt" DESC, a.id DESC
    LIMIT $${params.length - 1} OFFSET $${params.length}`;
  return prisma.$queryRawUnsafe<SearchHit[]>(sql, ...params);
}

export async function countSearch(
  prisma: PrismaClient,
  options: { terms: string[]; now: Date; filter?: ArticleFilterInput | null },
): Promise<number> {
  const where = whereClause(options.terms, options.now, options.filter);
  const rows = await prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "Article" a WHERE ${where.sql}`, ...where.params);
  return rows[0]?.n ?? 0;
}
