import { queryFromInfo } from '@pothos/plugin-prisma';
import { ArticleRef } from '../articles/article.ts';
import { ArticleFilter } from '../articles/connection.ts';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';
import { DEFAULT_PAGE_SIZE, offsetCursor, parseOffsetCursor, resolveTotalCount } from '../relay/connection-args.ts';
import { countSearch, MAX_QUERY_LENGTH, type SearchHit, searchArticles, searchTerms } from './query.ts';
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
        if (args.query.length > MAX_QUERY_LENGTH) throw badInput('query', `must be at most ${MAX_QUERY_LENGTH} characters`);
        if (args.last != null || args.before != null) throw badInput(args.last != null ? 'last' : 'before', 'search results page forward only (first/after)');
        const terms = searchTerms(args.query);
        const offset = args.after ? parseOffsetCursor('after', args.after) + 1 : 0;
        const size = args.first ?? DEFAULT_PAGE_SIZE;
        const totalCount = () => (terms.length ? countSearch(ctx.prisma, { terms, now: ctx.now, filter: args.filter }) : 0);
        const hits = terms.length && size > 0
          ? await searchArticles(ctx.prisma, { terms, now: ctx.now, filter: args.filter, offset, limit: size + 1 })
          : [];
        const page = hits.slice(0, size);
        // One query for every article on the page, with the client's own selection beneath `node`.
        const query = queryFromInfo({ context: ctx, info, typeName: 'Article', path: ['edges', 'node'] });
        const rows = page.length ? await ctx.prisma.article.findMany({ ...query, where: { id: { in: page.map((h) => h.id) } } }) : [];
        const byId = new Map(rows.map((r) => [r.id, r]));
        const edges = page.flatMap((hit, i) => {
          const node = byId.get(hit.id);
          return node ? [{ cursor: offsetCursor(offset + i), node, hit, terms }] : [];
        });
        return {
          totalCount,
          edges,
          pageInfo: {
            hasNextPage: hits.length > size,
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
        score: e.float({ description: 'Relevance: higher is better.', resolve: (edge) => (edge as unknown as SearchEdgeShape).hit.score }),
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
