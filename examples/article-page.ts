// The article page as a typed query: the operation in article-page.graphql, its result and variable
// types generated into examples/generated/ by `npm run codegen`.
//
//   npx tsx examples/article-page.ts [slug]               # against `npm start` on localhost:4000
import { print } from 'graphql';
import { ArticlePageDocument, type ArticlePageQuery, type ArticlePageQueryVariables } from './generated/graphql.ts';

const url = process.env.NEWS_API ?? 'http://localhost:4000/graphql';
const variables: ArticlePageQueryVariables = process.argv[2] ? { slug: process.argv[2] } : {};

const res = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
  body: JSON.stringify({ query: print(ArticlePageDocument), variables }),
});
const { data, errors } = (await res.json()) as { data?: ArticlePageQuery; errors?: { message: string }[] };
if (errors?.length || !data)
  throw new Error(`HTTP ${res.status}: ${errors?.map((e) => e.message).join('; ') ?? 'no data'}`);

const a = data.article;
if (!a) {
  console.log('No such article.');
} else {
  console.log(a.headline);
  for (const line of a.deck) console.log(`  • ${line}`);
  console.log(
    `${a.byline} · 등록 ${a.publishedAt}${a.editedAt ? ` · 기사수정 ${a.editedAt}` : ''} · 조회 ${a.viewCount}`,
  );
  if (a.leadImage) console.log(`[사진] ${a.leadImage.url} ${a.leadImage.caption ?? ''}`);
}
console.log('\n최신뉴스');
for (const l of data.latestArticles) console.log(`  ${l.headline}`);
console.log('\n많이 본 뉴스');
for (const e of data.mostViewed) {
  const move =
    e.previousRank == null
      ? 'new'
      : e.previousRank > e.rank
        ? `▲${e.previousRank - e.rank}`
        : e.previousRank < e.rank
          ? `▼${e.rank - e.previousRank}`
          : '-';
  console.log(`  ${e.rank}. ${e.article.headline} (${e.views}, ${move})`);
}
