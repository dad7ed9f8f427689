import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { badInput } from '../errors.ts';
import type { Article, Prisma } from '../generated/prisma/client.ts';
import { decodeIdFor } from '../relay/global-id.ts';
import { BodyBlockRef } from './body-blocks.ts';
import { parseBody } from './body.ts';
import { linkedArticles } from './links.ts';
import { newestArticles, selectionRead, visibleArticle } from './list-query.ts';
import { articleUrl } from './slug.ts';
import { bodyTextColumns, cutExcerpt, EXCERPT_MAX_LENGTH } from './text.ts';
import { visibleArticleWhere } from './visibility.ts';

/**
 * An article's derived text columns; for a row written without them (readingMinutes 0, until the
 * start-up backfill reaches it) derived from its body, so the answer never depends on the writer.
 */
async function bodyTextColumnsOf(a: { id: number; excerptText: string; readingMinutes: number }, ctx: Context) {
  if (a.readingMinutes > 0) return a;
  const row = await ctx.prisma.article.findUnique({ where: { id: a.id }, select: { bodyText: true } });
  return bodyTextColumns(row?.bodyText ?? '');
}

export const ArticleRef = builder.prismaNode('Article', {
  id: { field: 'id' },
  nullable: true,
  // Node lookups and refetches apply the same visibility rule as every list.
  findUnique: (id, ctx) => ({ ...visibleArticleWhere(ctx.now), id: Number(id) }) as Prisma.ArticleWhereUniqueInput,
  // Always loaded: previous/next need publish time and section without another query.
  select: { id: true, publishedAt: true, sectionId: true },
  description: 'A news article as printed on its page.',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    url: t.string({
      description: 'Canonical address of the article page.',
      select: { slug: true },
      resolve: (a, _args, ctx) => articleUrl(ctx.config.siteUrl, a.slug),
    }),
    headline: t.exposeString('headline'),
    deck: t.exposeStringList('deck', { description: 'The sub-headline lines under the headline, in order.' }),
    body: t.field({
      type: [BodyBlockRef],
      description: 'The body as ordered blocks: paragraphs, photos with captions, quotes.',
      select: { body: true },
      resolve: (a) => parseBody(a.body),
    }),
    bodyText: t.exposeString('bodyText', { description: 'The body as plain text (for print and e-mail).' }),
    excerpt: t.string({
      description: 'A plain-text snippet of the body, as in the "most viewed" list.',
      args: { length: t.arg.int({ defaultValue: 160, description: 'Maximum characters, 10 to 1000.' }) },
      // The stored prefix (src/articles/text.ts), not the whole body: the same answer for every length.
      select: { excerptText: true, readingMinutes: true },
      resolve: async (a, args, ctx) => {
        const length = args.length ?? 160;
        if (length < 10 || length > EXCERPT_MAX_LENGTH)
          throw badInput('length', `must be between 10 and ${EXCERPT_MAX_LENGTH}`);
        return cutExcerpt((await bodyTextColumnsOf(a, ctx)).excerptText, length);
      },
    }),
    readingTimeMinutes: t.int({
      select: { excerptText: true, readingMinutes: true },
      resolve: async (a, _args, ctx) => (await bodyTextColumnsOf(a, ctx)).readingMinutes,
    }),
    publishedAt: t.expose('publishedAt', {
      type: 'DateTime',
      nullable: true,
      description: '등록: when it was published.',
    }),
    editedAt: t.expose('editedAt', {
      type: 'DateTime',
      nullable: true,
      description: '기사수정: last correction after publication.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    breaking: t.exposeBoolean('breaking'),
    likeCount: t.exposeInt('likeCount'),
    section: t.relation('section'),
    byline: t.string({
      description: 'The byline as printed: "한선미 기자", several reporters joined by "·".',
      select: {
        reporters: { orderBy: { position: 'asc' }, select: { reporter: { select: { name: true, title: true } } } },
      },
      resolve: (a) => a.reporters.map(({ reporter }) => `${reporter.name} ${reporter.title}`.trim()).join(' · '),
    }),
    leadImage: t.relation('leadImage', {
      nullable: true,
      description: 'The photo shown at the top and in photo news.',
    }),
    hasPhoto: t.boolean({ select: { leadImageId: true }, resolve: (a) => a.leadImageId != null }),
    related: t.prismaField({
      type: ['Article'],
      description: 'Other published articles sharing tags with this one, then from its section; newest first.',
      args: { first: t.arg.int({ defaultValue: 5 }) },
      resolve: (query, parent, args, ctx) => {
        const first = args.first ?? 5;
        if (first < 0 || first > 20) throw badInput('first', 'must be between 0 and 20');
        if (first === 0) {
          selectionRead(query);
          return [];
        }
        return linkedArticles<Article>(ctx, parent, { kind: 'related', first }, query);
      },
    }),
  }),
});

/** "이전 기사 / 다음 기사": the article published just before or after, overall or in the same section. */
builder.prismaObjectFields('Article', (t) => {
  const neighbour = (direction: 'previous' | 'next') =>
    t.prismaField({
      type: 'Article',
      nullable: true,
      description:
        direction === 'previous'
          ? '이전 기사: published just before this one.'
          : '다음 기사: published just after this one.',
      args: { sameSection: t.arg.boolean({ defaultValue: false, description: "Stay within this article's section." }) },
      resolve: async (query, parent, args, ctx) => {
        if (!parent.publishedAt) return null;
        const ask = { kind: direction, sameSection: args.sameSection === true };
        const [row] = await linkedArticles<Article>(ctx, parent, ask, query);
        return row ?? null;
      },
    });
  return { previous: neighbour('previous'), next: neighbour('next') };
});

builder.queryFields((t) => ({
  article: t.prismaField({
    type: 'Article',
    nullable: true,
    description:
      'One published article by global `id` or by `slug` (exactly one); null when there is none. ' +
      'With `preview: true` (EDITOR, ADMIN, or the REPORTER of a draft) also drafts and scheduled articles.',
    args: {
      id: t.arg.id(),
      slug: t.arg.string(),
      preview: t.arg.boolean({
        defaultValue: false,
        description: 'Include unpublished articles (newsroom tokens only).',
      }),
    },
    authScopes: (_root, args) => (args.preview ? { $any: { editor: true, ownsDraft: args.id ?? '' } } : true),
    resolve: async (query, _root, args, ctx) => {
      if ((args.id == null) === (args.slug == null)) throw badInput('id', 'pass exactly one of "id" or "slug"');
      const id = args.id != null ? decodeIdFor('Article', args.id, 'id') : undefined;
      const key = id != null ? { id } : { slug: args.slug! };
      // An id of another type names no article: null, like an unknown id.
      if (id === null) {
        selectionRead(query);
        return null;
      }
      if (!args.preview) {
        const row = await visibleArticle<Article>(ctx, query, key);
        if (row !== undefined) return row;
      }
      const scope = args.preview ? { deletedAt: null } : visibleArticleWhere(ctx.now);
      return ctx.prisma.article.findFirst({ ...query, where: { ...key, ...scope } });
    },
  }),
  latestArticles: t.prismaField({
    type: ['Article'],
    description: '최신뉴스: the newest published articles, optionally in one section.',
    args: { first: t.arg.int({ defaultValue: 10 }), section: t.arg.string({ description: 'Section slug.' }) },
    resolve: async (query, _root, args, ctx) =>
      // `first` is checked (0 to MAX_PAGE_SIZE) before execution by src/relay/operation-limits.ts.
      (await newestArticles<Article>(ctx, query, { take: args.first ?? 10, section: args.section })) ??
      ctx.prisma.article.findMany({
        ...query,
        where: {
          ...visibleArticleWhere(ctx.now),
          ...(args.section != null ? { section: { slug: args.section } } : {}),
        },
        orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
        take: args.first ?? 10,
      }),
  }),
  photoNews: t.prismaField({
    type: ['Article'],
    description: '포토뉴스: the newest published articles that have a lead photo.',
    args: { first: t.arg.int({ defaultValue: 6 }), section: t.arg.string({ description: 'Section slug.' }) },
    resolve: async (query, _root, args, ctx) =>
      (await newestArticles<Article>(ctx, query, { take: args.first ?? 6, section: args.section, photo: true })) ??
      ctx.prisma.article.findMany({
        ...query,
        where: {
          ...visibleArticleWhere(ctx.now),
          leadImageId: { not: null },
          ...(args.section != null ? { section: { slug: args.section } } : {}),
        },
        orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
        take: args.first ?? 6,
      }),
  }),
}));
