// Subscription fields. Events carry ids; each event's `article` loads the row through Prisma with the
// reader visibility rule, with the subscriber's own selection. Subscribers in one process that
// select the same fields share one load per event (see `rows` in hub.ts).
import { contextCacheSymbol } from '@pothos/core';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { encodeGlobalId, requireIdFor } from '../relay/global-id.ts';
import { visibleArticleWhere } from '../articles/visibility.ts';
import type { PublishedEvent, UpdatedEvent } from './hub.ts';

/**
 * A subscription keeps one context for its life: before each event, judge visibility at the event's
 * instant and start fresh Pothos/Prisma loader caches, so no row from an earlier event is served.
 */
function beginEvent<E extends { now: Date }>(event: E, ctx: Context): E {
  ctx.now = event.now;
  (ctx as unknown as Record<symbol, unknown>)[contextCacheSymbol] = {};
  return event;
}

/** The event's article for this selection, loaded once per event and selection in this process. */
function loadArticle(event: PublishedEvent | UpdatedEvent, query: object, ctx: Context) {
  const key = JSON.stringify(query);
  let row = event.rows.get(key);
  if (!row) {
    row = ctx.prisma.article.findFirst({
      ...(query as Prisma.ArticleFindFirstArgs),
      where: { id: event.articleId, ...visibleArticleWhere(event.now) },
    });
    // A failed load is not cached: the next subscriber tries again.
    row.catch(() => event.rows.delete(key));
    event.rows.set(key, row);
  }
  return row as Promise<never>;
}

/** An event's `article` field: the row as it is at the event, with the subscriber's selection. */
function eventArticleField<E extends PublishedEvent | UpdatedEvent>(
  t: PothosSchemaTypes.ObjectFieldBuilder<typeof builder.$inferSchemaTypes, E>,
  description: string,
) {
  return t.prismaField({
    type: 'Article',
    nullable: true,
    description,
    resolve: (query, event, _args, ctx) => loadArticle(event, query, ctx),
  });
}

const ArticlePublishedEventRef = builder.objectRef<PublishedEvent>('ArticlePublishedEvent').implement({
  description: 'An article that became visible to readers.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', {
      description: 'Its position in publication order: pass the last one you received as `after` to resume.',
    }),
    articleId: t.id({
      description: 'Global id of the article.',
      resolve: (e) => encodeGlobalId('Article', e.articleId),
    }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime' }),
    replayed: t.exposeBoolean('replayed', { description: 'Delivered from the resume cursor, not live.' }),
    gap: t.exposeBoolean('gap', {
      description:
        'True on the first replayed event when more articles were published since the cursor than one resume replays: older ones were skipped, refetch the list.',
    }),
    article: eventArticleField(
      t,
      'The article, with your selection. Null only if it was taken down in the instant before loading.',
    ),
  }),
});

const ArticleChangeKindRef = builder.enumType('ArticleChangeKind', {
  values: {
    EDITED: { description: 'Edited or corrected after publication (editedAt changed).' },
    UNPUBLISHED: { description: 'Taken off the site, back to the newsroom.' },
    ARCHIVED: { description: 'Archived: no longer on the site.' },
    DELETED: { description: 'Deleted.' },
  } as const,
});

const ArticleUpdatedEventRef = builder.objectRef<UpdatedEvent>('ArticleUpdatedEvent').implement({
  description: 'A change to a published article.',
  fields: (t) => ({
    kind: t.field({ type: ArticleChangeKindRef, resolve: (e) => e.kind }),
    articleId: t.id({
      description: 'Global id of the article.',
      resolve: (e) => encodeGlobalId('Article', e.articleId),
    }),
    at: t.expose('at', { type: 'DateTime', description: 'When the change was made.' }),
    article: eventArticleField(t, 'The article as it is now, with your selection; null once it is no longer visible.'),
  }),
});

const LiveArticleFilter = builder.inputType('LiveArticleFilter', {
  fields: (t) => ({
    section: t.string({ description: 'Section slug.' }),
    breakingOnly: t.boolean({ description: 'Only breaking news.' }),
  }),
});

builder.subscriptionFields((t) => ({
  articlePublished: t.field({
    type: ArticlePublishedEventRef,
    description:
      'Fires when an article becomes visible (published now, or its scheduled time arrives). With `after`, first replays what was published since that cursor (oldest first, bounded), then goes live.',
    args: {
      filter: t.arg({ type: LiveArticleFilter }),
      after: t.arg.string({ description: '`cursor` of the last event received before a disconnect.' }),
    },
    subscribe: (_root, args, ctx) => ctx.live.articlePublished(args.filter ?? {}, args.after),
    resolve: (event, _args, ctx) => beginEvent(event, ctx),
  }),
  breakingNews: t.field({
    type: ArticlePublishedEventRef,
    description: '속보: breaking news as it is published; `articlePublished` with `breakingOnly`.',
    args: {
      section: t.arg.string({ description: 'Section slug.' }),
      after: t.arg.string({ description: '`cursor` of the last event received before a disconnect.' }),
    },
    subscribe: (_root, args, ctx) =>
      ctx.live.articlePublished({ section: args.section, breakingOnly: true }, args.after),
    resolve: (event, _args, ctx) => beginEvent(event, ctx),
  }),
  articleUpdated: t.field({
    type: ArticleUpdatedEventRef,
    description: 'Edits and corrections of one published article, and its unpublishing or archiving.',
    args: { id: t.arg.id({ required: true, description: 'Global id of the article.' }) },
    subscribe: (_root, args, ctx) => {
      const id = requireIdFor('Article', String(args.id), 'id');
      return ctx.live.articleUpdated(id);
    },
    resolve: (event, _args, ctx) => beginEvent(event, ctx),
  }),
}));
