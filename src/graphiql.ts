// GraphiQL served offline (the bundle is inlined by @graphql-yoga/render-graphiql), opening on a
// query that shows the demo article page.
import { readFileSync } from 'node:fs';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

const ARTICLE_PAGE = readFileSync(new URL('../examples/article-page.graphql', import.meta.url), 'utf8');

export const graphiqlOptions = {
  title: '일간환경연합 News API',
  defaultQuery: ARTICLE_PAGE,
};

export { renderGraphiQL };
