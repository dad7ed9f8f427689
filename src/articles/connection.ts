// The article connection shared by `Query.articles` and the section, reporter and tag pages:
// one connection type with `totalCount`, one filter input, one ordering.
import { getConnectionPageSize } from '@pothos/core';
import { queryFromInfo } from '@pothos/plugin-prisma';
import { type FieldNode, getArgumentValues, getNamedType, type GraphQLResolveInfo, isObjectType, Kind } from 'graphql';
import { uniqueRow } from '../db/unique-row.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { ArticleRef } from './article.ts';
import { type PageArgs, resolveTotalCount } from '../relay/connection-args.ts';
import {
  type ArticleListSpec,
  countArticles,
  EXACT_COUNT_LIMIT,
  EXACT_FILTERED_COUNT_LIMIT,
  firstPageSelection,
  type PageModel,
  type PageParent,
  parentWithFirstPage,
  preloadedPage,
  resolveArticlePage,
  selectionRead,
} from './list-query.ts';
import { articleRowSql } from './row-sql.ts';

export const ArticleConnection = builder.connectionObject({
  type: ArticleRef,
  name: 'ArticleConnection',
  fields: (t) => ({
    totalCount: t.int({
      description:
        `Number of articles in the whole list, not just this page: exact up to ${EXACT_COUNT_LIMIT.toLocaleString('en')} ` +
        `(${EXACT_FILTERED_COUNT_LIMIT.toLocaleString('en')} for a list filtered beyond one index range, e.g. a reporter's ` +
        `articles in one section), above that PostgreSQL's estimate.`,
      // Marks it as the connection's count, as on the connection types the Prisma plugin makes itself:
      // a selection of only the count (and __typename) then runs no page query, only the count.
      extensions: { pothosPrismaTotalCount: true },
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

/** Rows a page without a cursor loads (Pothos' page size + 1), or null for a page after or before a cursor. */
function firstPageTake(args: PageArgs): number | null {
  if (args.after != null || args.before != null || args.last != null) return null;
  return getConnectionPageSize({ args }).limit;
}

/**
 * The first page a section's, reporter's or tag's field asks of its `articles` (page size and the articles'
 * selection), read ahead from the query: when the field's selection is plain fields with exactly one
 * `articles` (no alias beside it, no directive, no fragment) asking a first page. Null otherwise.
 */
function plannedFirstPage(info: GraphQLResolveInfo, ctx: Context): { take: number; node: object } | null {
  const [field, ...more] = info.fieldNodes;
  const selections = field?.selectionSet?.selections ?? [];
  if (more.length > 0 || selections.some((s) => s.kind !== Kind.FIELD)) return null;
  const pages = (selections as FieldNode[]).filter((s) => s.name.value === 'articles');
  const type = getNamedType(info.returnType);
  const definition = isObjectType(type) ? type.getFields().articles : undefined;
  if (pages.length !== 1 || pages[0]!.directives?.length || !definition) return null;
  const take = firstPageTake(getArgumentValues(definition, pages[0]!, info.variableValues) as PageArgs);
  if (take == null) return null;
  const node = queryFromInfo({ context: ctx, info, typeName: 'Article', path: ['articles', 'edges', 'node'] }) as {
    select?: object;
  };
  // The cursor's column, also when no node field is asked (as `articleConnectionField` plans it).
  return node.select ? { take, node: { ...node, select: { ...node.select, id: true } } } : null;
}

/**
 * A section's, reporter's or tag's page parent by id or slug: with its first page of articles in the same
 * statement when the query asks one (`plannedFirstPage`), else its row alone; undefined when the
 * selection is one only Prisma writes (the caller asks Prisma).
 */
export async function pageParentRow<T>(
  ctx: Context,
  info: GraphQLResolveInfo,
  model: PageModel,
  selection: object,
  where: { id: number } | { slug: string },
): Promise<T | null | undefined> {
  const page = plannedFirstPage(info, ctx);
  const row = page ? await parentWithFirstPage<T>(ctx, model, selection, where, page) : undefined;
  return row !== undefined ? row : uniqueRow<T>(ctx.prisma, model, selection, where);
}

/**
 * An `articles` connection on a section, reporter or tag page: the parent's published articles,
 * newest first. A reporter's or tag's first page is selected with the parent (`firstPageSelection`:
 * the parent and its page in one statement); a page after or before a cursor, a section's page, or
 * the page of a parent loaded without it (an alias of the same field with other arguments) runs its
 * own query.
 */
export function articleConnectionField<Parent extends { id: number }>(
  // biome-ignore lint/suspicious/noExplicitAny: Pothos' field builder type is generic over every parent type
  t: { prismaConnection: (...args: any[]) => any },
  parent: PageParent,
  description: string,
) {
  const scope = (row: Parent): ArticleListSpec['scope'] => ({ [`${parent}Id`]: row.id });
  // A first page plain SQL writes comes with the parent's row when the parent's field read it ahead
  // (`pageParentRow`). Else, through Prisma: a section's page stays its own statement (as the section's
  // selection its rows would come as one JSON aggregate instead of plain rows, and PostgreSQL spent more
  // on that, ~2.0 against ~1.45 ms per section front at 100,000 articles, than the statement saved the
  // client); a reporter's or tag's page already comes as JSON per row (the article joined to its link
  // row), so for them it saves a statement.
  const withParent = parent !== 'section' && {
    // Not a first page: the parent's id alone, so the parent still counts as loaded (no refetch).
    select: (args: PageArgs, ctx: Context, nestedSelection: (query: object, path: string[]) => object) => {
      const take = firstPageTake(args);
      if (take == null) return { id: true };
      // The cursor's column, also when no node field is asked (`edges { cursor }`, `pageInfo`).
      const node = nestedSelection({ select: { id: true } }, ['edges', 'node']);
      // Rows plain SQL can write are a statement of their own, planned once (src/articles/row-sql.ts):
      // cheaper for PostgreSQL than the page as JSON inside the parent's statement, planned every time.
      if (articleRowSql(node)) return { id: true };
      return firstPageSelection(ctx.now, take, node);
    },
  };
  return t.prismaConnection(
    {
      type: 'Article',
      cursor: 'id',
      description,
      ...withParent,
      resolve: (query: object, row: Parent, args: PageArgs, ctx: Context) => {
        const page = firstPageTake(args) != null ? preloadedPage(row) : undefined;
        if (!page) return resolveArticlePage(ctx, query, { now: ctx.now, scope: scope(row) });
        // The page's selection was planned into the parent's; this one (the same fields) is not run.
        selectionRead(query);
        return page;
      },
      totalCount: (row: Parent, _args: unknown, ctx: Context) =>
        countArticles(ctx.prisma, { now: ctx.now, scope: scope(row) }),
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
