// "많이 본 뉴스": Query.mostViewed. The ranking (ids, views, ranks) comes cached from the rankings
// service; the articles are loaded in one statement with the reader's selection and visibility rule.
import { queryFromInfo } from '@pothos/plugin-prisma';
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context.ts';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { ArticleRef } from '../articles/article.ts';
import { visibleArticleWhere } from '../articles/visibility.ts';
import type { Ranking } from './rankings.ts';
import type { RankingWindow } from './windows.ts';

/**
 * The articles of a cached ranking, per selection: loaded once per ranking (so at most once per
 * ranking refresh, `VIEWS_RANKING_CACHE_MS`) rather than once per request.
 */
const rowsByRanking = new WeakMap<Ranking, Map<string, Promise<Map<number, unknown>>>>();

export const RankingWindowRef = builder.enumType('RankingWindow', {
  description: 'A sliding window ending now (not a calendar period).',
  values: {
    HOUR: { description: 'The last 60 minutes, in 5-minute steps.' },
    DAY: { description: 'The last 24 hours, in hourly steps.' },
    WEEK: { description: 'The last 7 days (168 hours), in hourly steps.' },
    MONTH: { description: 'The last 30 days (720 hours), in hourly steps.' },
  } as const,
});

interface EntryShape {
  rank: number;
  views: number;
  previousRank: number | null;
  article: unknown;
}

const MostViewedEntryRef = builder.objectRef<EntryShape>('MostViewedEntry').implement({
  description: 'One line of a "most viewed" list.',
  fields: (t) => ({
    rank: t.exposeInt('rank', { description: '1 for the most viewed.' }),
    views: t.exposeInt('views', {
      description: 'Counted views in the window (each visitor at most once per 30 minutes; bots excluded).',
    }),
    previousRank: t.exposeInt('previousRank', {
      nullable: true,
      description:
        'Rank in the previous window of the same length (for up/down arrows); null when it was not in that top 100.',
    }),
    article: t.field({ type: ArticleRef, resolve: (e) => e.article as never }),
  }),
});

function checkFirst(first: number | null | undefined, ctx: Context): number {
  const n = first ?? 10;
  const { depth } = ctx.views.rankings;
  if (n < 0 || n > depth) throw badInput('first', `must be between 0 and ${depth}`);
  return n;
}

/** The section id for a slug argument: null for none given, undefined for an unknown slug. */
async function sectionArg(slug: string | null | undefined, ctx: Context): Promise<number | null | undefined> {
  if (slug == null) return null;
  return (await ctx.views.sectionId(slug)) ?? undefined;
}

/** A ranking's first entries with their articles, loaded with the reader's selection (once per ranking and selection). */
async function entriesWithArticles(
  ranking: Ranking,
  first: number,
  ctx: Context,
  info: GraphQLResolveInfo,
): Promise<EntryShape[]> {
  const entries = ranking.entries.slice(0, first);
  if (entries.length === 0) return [];
  const query = queryFromInfo({
    context: ctx,
    info,
    path: ['article'],
    typeName: 'Article',
  }) as Prisma.ArticleFindManyArgs;
  let perSelection = rowsByRanking.get(ranking);
  if (!perSelection) rowsByRanking.set(ranking, (perSelection = new Map()));
  const key = `${first}:${JSON.stringify(query)}`;
  let rows = perSelection.get(key);
  if (!rows) {
    rows = ctx.prisma.article
      .findMany({ ...query, where: { id: { in: entries.map((e) => e.articleId) }, ...visibleArticleWhere(ctx.now) } })
      .then((found) => new Map(found.map((r) => [(r as { id: number }).id, r as unknown])));
    rows.catch(() => perSelection.delete(key));
    perSelection.set(key, rows);
  }
  const byId = await rows;
  // An article taken down since the ranking was computed is left out (ranks stay as computed).
  return entries.flatMap((e) => {
    const article = byId.get(e.articleId);
    return article ? [{ rank: e.rank, views: e.views, previousRank: e.previousRank, article }] : [];
  });
}

builder.queryField('mostViewed', (t) =>
  t.field({
    type: [MostViewedEntryRef],
    description: '많이 본 뉴스: the most viewed published articles in a sliding window, overall or in one section.',
    args: {
      window: t.arg({ type: RankingWindowRef, defaultValue: 'DAY' }),
      section: t.arg.string({ description: 'Section slug; all sections when omitted.' }),
      first: t.arg.int({ defaultValue: 10, description: 'Entries, 0 to 100.' }),
    },
    resolve: async (_root, args, ctx, info) => {
      const first = checkFirst(args.first, ctx);
      const sectionId = await sectionArg(args.section, ctx);
      if (sectionId === undefined) return [];
      const ranking = await ctx.views.rankings.mostViewed((args.window ?? 'DAY') as RankingWindow, sectionId);
      return entriesWithArticles(ranking, first, ctx, info);
    },
  }),
);

builder.subscriptionField('mostViewedChanged', (t) =>
  t.field({
    type: [MostViewedEntryRef],
    description:
      'The "most viewed" list each time its order or membership changes (looked at once a second, coalesced). The first event comes with the first change.',
    args: {
      window: t.arg({ type: RankingWindowRef, defaultValue: 'DAY' }),
      section: t.arg.string({ description: 'Section slug; all sections when omitted.' }),
      first: t.arg.int({ defaultValue: 10, description: 'Entries, 0 to 100.' }),
    },
    subscribe: async (_root, args, ctx) => {
      checkFirst(args.first, ctx);
      const sectionId = await sectionArg(args.section, ctx);
      if (sectionId === undefined) throw badInput('section', `no section "${String(args.section).slice(0, 100)}"`);
      return ctx.views.rankingWatcher.mostViewed((args.window ?? 'DAY') as RankingWindow, sectionId);
    },
    resolve: (ranking: Ranking, args, ctx, info) => {
      ctx.now = ranking.at;
      return entriesWithArticles(ranking, checkFirst(args.first, ctx), ctx, info);
    },
  }),
);
