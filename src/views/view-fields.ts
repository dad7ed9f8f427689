// GraphQL for view counting: the recordView mutation, Article.viewCount (flushed total + pending)
// and Article.uniqueViewers. The HTTP beacon is src/views/beacon.ts.
import { builder } from '../builder.ts';
import { badInput, userError } from '../errors.ts';
import { RankingWindowRef } from '../rankings/most-viewed.ts';
import type { RankingWindow } from '../rankings/windows.ts';
import { decodeIdFor, encodeGlobalId } from '../relay/global-id.ts';
import type { YogaInitialContext } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { type Reader, ReaderError, readerOf } from './reader.ts';
import { VISITOR_ID, VISITOR_ID_RULE } from '../inputs/visitor.ts';
import type { ViewOutcome } from './counter.ts';
import type { ViewCountEvent } from './watch.ts';

const ViewStatusRef = builder.enumType('ViewStatus', {
  values: {
    COUNTED: { description: 'A new view: counted.' },
    DUPLICATE: { description: 'This visitor viewed this article less than 30 minutes ago: counted once already.' },
    BOT: {
      description:
        'The user agent is a known bot, crawler, previewer or monitor, or missing: not counted. App HTTP clients (OkHttp, CFNetwork, Dart, Ktor, axios, node-fetch, undici) are readers.',
    },
    RATE_LIMITED: {
      description:
        "The reader's address recorded more views this minute than allowed (VIEWS_LIMIT_PER_ADDRESS): not counted.",
    },
    QUEUED: { description: 'Accepted while the counter store is unreachable; counted (once) when it returns.' },
  } as const,
});

const RecordViewPayloadRef = builder
  .objectRef<{ articleId: number; status: Exclude<ViewOutcome, 'NOT_FOUND' | 'DROPPED'> }>('RecordViewPayload')
  .implement({
    fields: (t) => ({
      articleId: t.id({
        description: 'Global id of the article.',
        resolve: (p) => encodeGlobalId('Article', p.articleId),
      }),
      status: t.field({ type: ViewStatusRef, resolve: (p) => p.status }),
      counted: t.boolean({ description: 'True when this call added a view.', resolve: (p) => p.status === 'COUNTED' }),
    }),
  });

builder.mutationField('recordView', (t) =>
  t.field({
    type: RecordViewPayloadRef,
    description:
      'Counts a view of a published article (public). The same visitor within 30 minutes counts once; known bots are not counted. For fire-and-forget pages, `POST /views/:id` does the same. A server rendering pages (SSR) with a VIEW_RELAY token may name the reader in the headers `X-Reader-User-Agent` and `X-Reader-Address`; without such a token they are ignored.',
    args: {
      articleId: t.arg.id({ required: true }),
      visitorId: t.arg.string({
        required: true,
        description: 'A random id the page keeps per browser: 8 to 128 letters, digits, "-" or "_".',
      }),
    },
    resolve: async (_root, args, ctx) => {
      if (!VISITOR_ID.test(args.visitorId)) throw badInput('visitorId', VISITOR_ID_RULE);
      const id = decodeIdFor('Article', String(args.articleId), 'articleId');
      const reader = viewReader(ctx);
      const outcome = id == null ? 'NOT_FOUND' : await ctx.views.counter.record(id, args.visitorId, reader);
      if (outcome === 'NOT_FOUND')
        throw userError('NOT_FOUND', 'No published article with this id; nothing was counted', {
          argumentName: 'articleId',
        });
      if (outcome === 'DROPPED') throw userError('RATE_LIMITED', 'View counting is over capacity; retry shortly');
      return { articleId: id!, status: outcome };
    },
  }),
);

/** The reader of this request's views: its own client, or the one a view relay names (src/views/reader.ts). */
function viewReader(ctx: Context & Partial<YogaInitialContext>): Reader {
  try {
    return readerOf(
      (h) => ctx.request?.headers.get(h),
      { userAgent: ctx.userAgent, address: ctx.clientIp },
      ctx.viewer,
    );
  } catch (error) {
    if (error instanceof ReaderError)
      throw userError('BAD_USER_INPUT', `${error.message}; nothing was counted`, { header: error.header });
    throw error;
  }
}

builder.prismaObjectFields('Article', (t) => ({
  viewCount: t.int({
    description: 'Counted views since publication: the total in PostgreSQL plus views recorded since the last flush.',
    select: { viewCount: true },
    resolve: async (a, _args, ctx) => a.viewCount + (await ctx.views.counter.pending(a.id)),
  }),
  uniqueViewers: t.int({
    nullable: true,
    description:
      'Approximate distinct visitors in a sliding window (HyperLogLog, within about 2%). HOUR and DAY slide in 5-minute and hourly steps, WEEK and MONTH by whole UTC days. Null while the counter store is unreachable.',
    args: { window: t.arg({ type: RankingWindowRef, defaultValue: 'DAY' }) },
    resolve: (a, args, ctx) => ctx.views.counter.uniques(a.id, (args.window ?? 'DAY') as RankingWindow),
  }),
}));

const ViewCountChangedRef = builder.objectRef<ViewCountEvent>('ViewCountChangedEvent').implement({
  description: "An article's view count after it changed.",
  fields: (t) => ({
    articleId: t.id({
      description: 'Global id of the article.',
      resolve: (e) => encodeGlobalId('Article', e.articleId),
    }),
    viewCount: t.exposeInt('viewCount'),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

builder.subscriptionField('viewCountChanged', (t) =>
  t.field({
    type: ViewCountChangedRef,
    description: "A published article's view count, whenever it changed (at most once a second).",
    args: { id: t.arg.id({ required: true, description: 'Global id of the article.' }) },
    subscribe: async (_root, args, ctx) => {
      const id = decodeIdFor('Article', String(args.id), 'id');
      const article = id == null ? null : await ctx.views.directory.countable(id, ctx.clock());
      if (!article) throw userError('NOT_FOUND', 'No published article with this id', { argumentName: 'id' });
      return ctx.views.countWatcher.viewCount(article.articleId);
    },
    resolve: (event) => event,
  }),
);
