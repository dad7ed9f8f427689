// The one rule for what readers may see: published, with a publish time in the past, not deleted.
// Every list, count, search, node lookup and relation to articles goes through it.
import type { Prisma } from '../generated/prisma/client.ts';

export function visibleArticleWhere(now: Date): Prisma.ArticleWhereInput {
  return { status: 'PUBLISHED', publishedAt: { lte: now }, deletedAt: null };
}

/** SQL twin of `visibleArticleWhere` for raw queries on alias `a`; `nowParam` is an ISO string parameter. */
export function visibleArticleSql(nowParam: string): string {
  return `a."status" = 'PUBLISHED' AND a."publishedAt" <= (${nowParam}::timestamptz AT TIME ZONE 'UTC') AND a."deletedAt" IS NULL`;
}
