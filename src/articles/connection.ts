// The article connection shared by `Query.articles` and the section, reporter and tag pages:
// one connection type with `totalCount`, one filter input, one ordering.
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { ArticleRef } from './article.ts';
import { resolveTotalCount } from '../relay/connection-args.ts';
import { type ArticleListSpec, countArticles, EXACT_COUNT_LIMIT, resolveArticlePage } from './list-query.ts';

export const ArticleConnection = builder.connectionObject({
  type: ArticleRef,
  name: 'ArticleConnection',
  fields: (t) => ({
    totalCount: t.int({
      description: `Number of articles in the whole list, not just this page: exact up to ${EXACT_COUNT_LIMIT.toLocaleString('en')}, above that PostgreSQL's estimate.`,
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

/**
 * An `articles` connection on a section, reporter or tag page: the parent's published articles,
 * newest first. `scope` names the parent.
 */
export function articleConnectionField<Parent extends { id: number }>(
  // biome-ignore lint/suspicious/noExplicitAny: Pothos' field builder type is generic over every parent type
  t: { prismaConnection: (...args: any[]) => any },
  scope: (parent: Parent) => ArticleListSpec['scope'],
  description: string,
) {
  return t.prismaConnection(
    {
      type: 'Article',
      cursor: 'id',
      description,
      resolve: (query: object, parent: Parent, _args: unknown, ctx: Context) =>
        resolveArticlePage(ctx, query, { now: ctx.now, scope: scope(parent) }),
      totalCount: (parent: Parent, _args: unknown, ctx: Context) =>
        countArticles(ctx.prisma, { now: ctx.now, scope: scope(parent) }),
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
        resolveArticlePage(ctx, query, { now: ctx.now, filter: args.filter, order: args.orderBy }),
      totalCount: (_connection, args, ctx) => countArticles(ctx.prisma, { now: ctx.now, filter: args.filter }),
    },
    ArticleConnection,
  ),
);
