// The one rule for what readers may see: published, with a publish time in the past, not deleted.
// Every list, count, search, node lookup and relation to articles goes through it, in one of its
// forms here: a Prisma `where`, a row predicate, SQL for raw queries. Do not restate it elsewhere.
import type { ArticleStatus, Prisma } from '../generated/prisma/client.ts';

export function visibleArticleWhere(now: Date): Prisma.ArticleWhereInput {
  return { status: 'PUBLISHED', publishedAt: { lte: now }, deletedAt: null };
}

/**
 * The part of the rule that does not depend on the clock: published (at any time) and not deleted.
 * For caches that keep the publish time and judge it against the clock when they are read.
 */
export function publishedArticleWhere(): Prisma.ArticleWhereInput {
  return { status: 'PUBLISHED', deletedAt: null, publishedAt: { not: null } };
}

/** The rule on a loaded row: `visibleArticleWhere(now)` would match it. */
export function isVisibleArticle(
  a: { status: ArticleStatus; publishedAt: Date | null; deletedAt: Date | null },
  now: Date,
): boolean {
  return a.status === 'PUBLISHED' && a.publishedAt != null && a.publishedAt <= now && a.deletedAt == null;
}

/** The instant parameter as the `timestamp(3)` columns store it (UTC); `nowParam` is an ISO string parameter. */
export function utcSql(param: string): string {
  return `(${param}::timestamptz AT TIME ZONE 'UTC')`;
}

/**
 * SQL twin of `visibleArticleWhere` for raw queries on `alias` (partial indexes match its literals).
 * `publishedAt` replaces the column in the time condition (an expression no index range serves).
 */
export function visibleArticleSql(nowParam: string, alias = 'a', publishedAt = `${alias}."publishedAt"`): string {
  return `${alias}."status" = 'PUBLISHED' AND ${publishedAt} <= ${utcSql(nowParam)} AND ${alias}."deletedAt" IS NULL`;
}

/**
 * The index bound of the same rule on an ArticleReporter/ArticleTag row: its `visibleFrom` is the
 * article's publish time while it is published and not deleted (kept by a trigger). It only bounds and
 * orders a link-table range: queries join the article and apply `visibleArticleSql` as well.
 */
export function visibleLinkSql(nowParam: string, alias: string): string {
  return `${alias}."visibleFrom" <= ${utcSql(nowParam)}`;
}
