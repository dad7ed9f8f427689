import { queryFromInfo } from '@pothos/plugin-prisma';
import { ArticleRef } from '../articles/article.ts';
import { ArticleFilter } from '../articles/connection.ts';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';
import { DEFAULT_PAGE_SIZE, offsetCursor, parseOffsetCursor, resolveTotalCount } from '../relay/connection-args.ts';
import { MAX_QUERY_LENGTH, type SearchHit, searchTerms, searchWindow } from './query.ts';
import { highlight, snippet } from './snippet.ts';

interface SearchEdgeShape {
  hit: SearchHit;
  terms: string[];
}

builder.queryField('search', (t) =>
  t.connection(
    {
      type: ArticleRef,
      description:
        'Full-text search of published articles (headline, deck, body; Korean and mixed scripts). ' +
        'Every word (the first 10 distinct words) must occur; ranked by where the words occur (headline, deck, body), then newest. Pages forward with first/after.',
      extensions: { pagination: { cursor: 'offset' } },
      args: {
        query: t.arg.string({ required: true, description: `Words to find, at most ${MAX_QUERY_LENGTH} characters.` }),
        filter: t.arg({ type: ArticleFilter }),
      },
      resolve: async (_root, args, ctx, info) => {
        if (args.query.length > MAX_QUERY_LENGTH)
          throw badInput('query', `must be at most ${MAX_QUERY_LENGTH} characters`);
        if (args.last != null || args.before != null)
          throw badInput(args.last != null ? 'last' : 'before', 'search results page forward only (first/after)');
        const terms = searchTerms(args.query);
        const offset = args.after ? parseOffsetCursor('after', args.after) + 1 : 0;
        const size = args.first ?? DEFAULT_PAGE_SIZE;
        // The ranked window (at most SEARCH_WINDOW matches) gives the page, whether another follows, and the count.
        const window = terms.length ? await searchWindow(ctx.prisma, { terms, now: ctx.now, filter: args.filter }) : [];
        const page = size > 0 ? window.slice(offset, offset + size) : [];
        // One query for every article on the page, with the client's own selection beneath `node`, and
        // the texts highlights and snippets are cut from.
        const query = queryFromInfo({ context: ctx, info, typeName: 'Article', path: ['edges', 'node'] }) as {
          select?: object;
        };
        const selection = query.select
          ? { ...query, select: { ...query.select, id: true, headline: true, deck: true, bodyText: true } }
          : query;
        const rows = page.length
          ? await ctx.prisma.article.findMany({ ...selection, where: { id: { in: page.map((h) => h.id) } } })
          : [];
        const byId = new Map(rows.map((r) => [r.id, r]));
        const edges = page.flatMap((match, i) => {
          const node = byId.get(match.id);
          const hit: SearchHit | undefined = node && {
            id: node.id,
            score: match.score,
            headline: node.headline,
            deck: node.deck,
            bodyText: node.bodyText,
          };
          return node ? [{ cursor: offsetCursor(offset + i), node, hit, terms }] : [];
        });
        return {
          totalCount: window.length,
          edges,
          pageInfo: {
            hasNextPage: window.length > offset + size,
            hasPreviousPage: offset > 0,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    },
    {
      name: 'SearchConnection',
      fields: (c) => ({
        totalCount: c.int({
          resolve: resolveTotalCount,
        }),
      }),
    },
    {
      name: 'SearchEdge',
      fields: (e) => ({
        score: e.float({
          description: 'Relevance: higher is better.',
          resolve: (edge) => (edge as unknown as SearchEdgeShape).hit.score,
        }),
        headlineHighlight: e.string({
          description: 'The headline as HTML, matched words in <mark>.',
          resolve: (edge) => {
            const { hit, terms } = edge as unknown as SearchEdgeShape;
            return highlight(hit.headline, terms);
          },
        }),
        snippet: e.string({
          description: 'About 160 characters around the first match, as HTML, matched words in <mark>.',
          resolve: (edge) => {
            const { hit, terms } = edge as unknown as SearchEdgeShape;
            return snippet([hit.bodyText, hit.deck.join(' '), hit.headline], terms);
          },
        }),
      }),
    },
  ),
);
