// The article connection shared by `Query.articles` and the section, reporter and tag pages:
// one connection type with `totalCount`, one filter input, one ordering.
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { ArticleRef } from './article.ts';
import { resolveTotalCount } from '../relay/connection-args.ts';
import { visibleArticleWhere } from './visibility.ts';

export const ArticleConnection = builder.connectionObject({
  type: ArticleRef,
  name: 'ArticleConnection',
  fields: (t) => ({
    totalCount: t.int({
      description: 'Number of articles in the whole list, not just this page.',
      resolve: resolveTotalCount,
    }),
  }),
});

export const ArticleOrder = builder.enumType('ArticleOrder', {
  values: {
    PUBLISHED_AT: { description: 'Newest first.' },
    VIEW_COUNT: { description: 'Most viewed first, then newest.' },
  } as const,
});

export const ArticleFilter = builder.inputType('ArticleFilter', {
  fields: (t) => ({
    section: t.string({ description: 'Section slug.' }),
    reporter: t.string({ description: 'Reporter slug.' }),
    tag: t.string({ description: 'Tag slug.' }),
    publishedAfter: t.field({ type: 'DateTime', description: 'Published strictly after this instant.' }),
    publishedBefore: t.field({ type: 'DateTime', description: 'Published strictly before this instant.' }),
    hasPhoto: t.boolean({ description: 'Only articles with (true) or without (false) a lead photo.' }),
    breaking: t.boolean({ description: 'Only breaking (true) or non-breaking (false) news.' }),
  }),
});

export type ArticleFilterInput = typeof ArticleFilter.$inferInput;

/** Reader-visible articles matching a filter. */
export function articleWhere(now: Date, filter?: ArticleFilterInput | null, scope?: Prisma.ArticleWhereInput): Prisma.ArticleWhereInput {
  const and: Prisma.ArticleWhereInput[] = [visibleArticleWhere(now)];
  if (scope) and.push(scope);
  if (filter?.section != null) and.push({ section: { slug: filter.section } });
  if (filter?.reporter != null) and.push({ reporters: { some: { reporter: { slug: filter.reporter } } } });
  if (filter?.tag != null) and.push({ tags: { some: { tag: { slug: filter.tag } } } });
  if (filter?.publishedAfter != null) and.push({ publishedAt: { gt: filter.publishedAfter } });
  if (filter?.publishedBefore != null) and.push({ publishedAt: { lt: filter.publishedBefore } });
  if (filter?.hasPhoto != null) and.push({ leadImageId: filter.hasPhoto ? { not: null } : null });
  if (filter?.breaking != null) and.push({ breaking: filter.breaking });
  return { AND: and };
}

export const NEWEST_FIRST: Prisma.ArticleOrderByWithRelationInput[] = [{ publishedAt: 'desc' }, { id: 'desc' }];
const MOST_VIEWED_FIRST: Prisma.ArticleOrderByWithRelationInput[] = [{ viewCount: 'desc' }, { publishedAt: 'desc' }, { id: 'desc' }];

export function articleOrder(order: 'PUBLISHED_AT' | 'VIEW_COUNT' | null | undefined) {
  return order === 'VIEW_COUNT' ? MOST_VIEWED_FIRST : NEWEST_FIRST;
}

/**
 * An `articles` connection on a section, reporter or tag page: the parent's published articles,
 * newest first. `scope` narrows the list to the parent.
 */
export function articleConnectionField<Parent extends { id: number }>(
  t: { prismaConnection: (...args: any[]) => any },
  scope: (parent: Parent) => Prisma.ArticleWhereInput,
  description: string,
) {
  return t.prismaConnection(
    {
      type: 'Article',
      cursor: 'id',
      description,
      resolve: (query: object, parent: Parent, _args: unknown, ctx: Context) =>
        ctx.prisma.article.findMany({ ...query, where: articleWhere(ctx.now, null, scope(parent)), orderBy: NEWEST_FIRST }),
      totalCount: (parent: Parent, _args: unknown, ctx: Context) =>
        ctx.prisma.article.count({ where: articleWhere(ctx.now, null, scope(parent)) }),
    },
    ArticleConnection,
  );
}

builder.queryField('articles', (t) =>
  t.prismaConnection(
    {
      type: 'Article',
      cursor: 'id',
      description: 'Published articles, filtered and ordered; a Relay connection.',
      args: {
        filter: t.arg({ type: ArticleFilter }),
        orderBy: t.arg({ type: ArticleOrder, defaultValue: 'PUBLISHED_AT' }),
      },
      resolve: (query, _root, args, ctx) =>
        ctx.prisma.article.findMany({ ...query, where: articleWhere(ctx.now, args.filter), orderBy: articleOrder(args.orderBy) }),
      totalCount: (_connection, args, ctx) => ctx.prisma.article.count({ where: articleWhere(ctx.now, args.filter) }),
    },
    ArticleConnection,
  ),
);
