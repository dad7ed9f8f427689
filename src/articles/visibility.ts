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
 * The instant parameter as an InitPlan (`(SELECT …)`): a value the planner cannot see, in custom plans
 * as in the generic one. So both estimate the time condition alike, and a named statement keeps its
 * generic plan instead of being planned again on every run because the clock changed
 * (src/articles/row-sql.ts). Only for statements whose plan does not hang on how many rows are past.
 */
export function clockSql(nowParam: string): string {
  return `(SELECT ${utcSql(nowParam)})`;
}

/**
 * SQL twin of `visibleArticleWhere` for raw queries on `alias` (partial indexes match its literals).
 * `publishedAt` replaces the column in the time condition (an expression no index range serves);
 * `instant` is the clock as SQL (`clockSql` for a statement planned once).
 */
export function visibleArticleSql(
  nowParam: string,
  alias = 'a',
  publishedAt = `${alias}."publishedAt"`,
  instant = utcSql(nowParam),
): string {
  return `${alias}."status" = 'PUBLISHED' AND ${publishedAt} <= ${instant} AND ${alias}."deletedAt" IS NULL`;
}

/**
 * The index bound of the same rule on an ArticleReporter/ArticleTag row: its `visibleFrom` is the
 * article's publish time while it is published and not deleted (kept by a trigger). It only bounds and
 * orders a link-table range: queries join the article and apply `visibleArticleSql` as well.
 */
export function visibleLinkSql(nowParam: string, alias: string, instant = utcSql(nowParam)): string {
  return `${alias}."visibleFrom" <= ${instant}`;
}
