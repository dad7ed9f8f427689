// The page loads `npm run bench:read` puts under load, as each contender is asked for them: this
// API's GraphQL, PostGraphile v5's GraphQL (tables + bench/peers/functions.sql) and the floor's one
// SQL statement (read-floor.ts). `canonical` maps every contender's answer to this API's shape so
// the bench can check they are equal before timing anything.

export type Contender = 'api' | 'postgraphile' | 'floor';
export type ScenarioName = 'article' | 'articleNav' | 'section' | 'reporter';

export interface Scenario {
  name: ScenarioName;
  title: string;
  /** The page's key: an article slug, a section slug or a reporter slug. */
  key: 'article' | 'section' | 'reporter';
  api: string;
  postgraphile: string;
}

const ARTICLE_FIELDS = `headline deck publishedAt editedAt section { name slug } reporters { name title }
  leadImage { url caption credit }
  body { __typename ... on ParagraphBlock { text } ... on QuoteBlock { text attribution } ... on ImageBlock { caption credit } }
  tags { name slug }`;
const PGL_ARTICLE_FIELDS = `headline deck publishedAt editedAt sectionBySectionId { name slug } articleReporters { nodes { name title } }
  mediaByLeadImageId { url caption credit } body
  articleTagsByArticleId { nodes { tagByTagId { name slug } } }`;

export const SCENARIOS: Scenario[] = [
  {
    name: 'article',
    title: 'article page (without previous/next)',
    key: 'article',
    api: `query ($slug: String!) { article(slug: $slug) { ${ARTICLE_FIELDS} } }`,
    postgraphile: `query ($slug: String!) { benchPeerVisibleArticle(slug: $slug) { ${PGL_ARTICLE_FIELDS} } }`,
  },
  {
    name: 'articleNav',
    title: 'article page with previous/next',
    key: 'article',
    api: `query ($slug: String!) { article(slug: $slug) { ${ARTICLE_FIELDS} previous { headline slug } next { headline slug } } }`,
    postgraphile: `query ($slug: String!) { benchPeerVisibleArticle(slug: $slug) { ${PGL_ARTICLE_FIELDS} articlePrevious { headline slug } articleNext { headline slug } } }`,
  },
  {
    name: 'section',
    title: 'section front (20 latest with reporter, photo, excerpt)',
    key: 'section',
    api: `query ($slug: String!) { section(slug: $slug) { name articles(first: 20) { edges { node {
      headline slug publishedAt excerpt reporters { name } leadImage { url caption } } } } } }`,
    postgraphile: `query ($slug: String!) { allSections(condition: { slug: $slug }) { nodes { name sectionLatestArticles(first: 20) { nodes {
      headline slug publishedAt articleExcerpt articleReporters { nodes { name } } mediaByLeadImageId { url caption } } } } } }`,
  },
  {
    name: 'reporter',
    title: 'reporter page (reporter + 20 latest)',
    key: 'reporter',
    api: `query ($slug: String!) { reporter(slug: $slug) { name title bio articles(first: 20) { edges { node {
      headline slug publishedAt section { name } } } } } }`,
    postgraphile: `query ($slug: String!) { allReporters(condition: { slug: $slug }) { nodes { name title bio reporterLatestArticles(first: 20) { nodes {
      headline slug publishedAt sectionBySectionId { name } } } } } }`,
  },
];

type Json = any;

/** PostGraphile's timestamp (without time zone, UTC by convention) as this API's ISO string. */
const iso = (t: string | null) =>
  t == null ? null : new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t : `${t}Z`).toISOString();
const byTagSlug = (tags: { slug: string }[]) =>
  [...tags].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));

function blocks(body: Json[]): Json[] {
  return body.map((b) =>
    b.type === 'paragraph'
      ? { __typename: 'ParagraphBlock', text: b.text }
      : b.type === 'quote'
        ? { __typename: 'QuoteBlock', text: b.text, attribution: b.attribution ?? null }
        : { __typename: 'ImageBlock', caption: b.caption ?? null, credit: b.credit ?? null },
  );
}

function pglArticle(a: Json): Json {
  if (!a) return null;
  const out: Json = {
    headline: a.headline,
    deck: a.deck,
    publishedAt: iso(a.publishedAt),
    editedAt: iso(a.editedAt),
    section: a.sectionBySectionId,
    reporters: a.articleReporters.nodes,
    leadImage: a.mediaByLeadImageId,
    body: blocks(a.body),
    tags: a.articleTagsByArticleId.nodes.map((n: Json) => n.tagByTagId),
  };
  if ('articlePrevious' in a) Object.assign(out, { previous: a.articlePrevious, next: a.articleNext });
  return out;
}

/** A contender's `data` in this API's shape, tags sorted (no contender promises their order). */
export function canonical(scenario: ScenarioName, contender: Contender, data: Json): Json {
  if (contender === 'postgraphile') {
    if (scenario === 'article' || scenario === 'articleNav')
      data = { article: pglArticle(data.benchPeerVisibleArticle) };
    else if (scenario === 'section') {
      const s = data.allSections.nodes[0];
      data = {
        section: s && {
          name: s.name,
          articles: {
            edges: s.sectionLatestArticles.nodes.map((a: Json) => ({
              node: {
                headline: a.headline,
                slug: a.slug,
                publishedAt: iso(a.publishedAt),
                excerpt: a.articleExcerpt,
                reporters: a.articleReporters.nodes,
                leadImage: a.mediaByLeadImageId,
              },
            })),
          },
        },
      };
    } else {
      const r = data.allReporters.nodes[0];
      data = {
        reporter: r && {
          name: r.name,
          title: r.title,
          bio: r.bio,
          articles: {
            edges: r.reporterLatestArticles.nodes.map((a: Json) => ({
              node: {
                headline: a.headline,
                slug: a.slug,
                publishedAt: iso(a.publishedAt),
                section: a.sectionBySectionId,
              },
            })),
          },
        },
      };
    }
  }
  if (data.article?.tags) data = { article: { ...data.article, tags: byTagSlug(data.article.tags) } };
  return data;
}

// ---- the floor: one SQL statement per page, building this API's JSON in PostgreSQL ----------------
const VISIBLE = (a: string) =>
  `${a}."status" = 'PUBLISHED' AND ${a}."deletedAt" IS NULL AND ${a}."publishedAt" <= (now() AT TIME ZONE 'UTC')`;
const ISO = (col: string) => `to_char(${col}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const NEIGHBOUR = (
  op: '<' | '>',
  dir: 'DESC' | 'ASC',
) => `(SELECT json_build_object('headline', p."headline", 'slug', p."slug") FROM "Article" p
   WHERE ${VISIBLE('p')} AND (p."publishedAt", p."id") ${op} (a."publishedAt", a."id") ORDER BY p."publishedAt" ${dir}, p."id" ${dir} LIMIT 1)`;
const ARTICLE_SQL = (nav: boolean) => `SELECT json_build_object('data', json_build_object('article', (
  SELECT json_build_object(
    'headline', a."headline", 'deck', a."deck", 'publishedAt', ${ISO('a."publishedAt"')}, 'editedAt', ${ISO('a."editedAt"')},
    'section', json_build_object('name', s."name", 'slug', s."slug"),
    'reporters', (SELECT coalesce(json_agg(json_build_object('name', r."name", 'title', r."title") ORDER BY l."position"), '[]')
                    FROM "ArticleReporter" l JOIN "Reporter" r ON r."id" = l."reporterId" WHERE l."articleId" = a."id"),
    'leadImage', (SELECT json_build_object('url', m."url", 'caption', m."caption", 'credit', m."credit") FROM "Media" m WHERE m."id" = a."leadImageId"),
    'body', (SELECT coalesce(json_agg(CASE b->>'type'
               WHEN 'paragraph' THEN json_build_object('__typename', 'ParagraphBlock', 'text', b->>'text')
               WHEN 'quote' THEN json_build_object('__typename', 'QuoteBlock', 'text', b->>'text', 'attribution', b->>'attribution')
               ELSE json_build_object('__typename', 'ImageBlock', 'caption', b->>'caption', 'credit', b->>'credit') END ORDER BY i), '[]')
             FROM jsonb_array_elements(a."body") WITH ORDINALITY AS x(b, i)),
    'tags', (SELECT coalesce(json_agg(json_build_object('name', t."name", 'slug', t."slug") ORDER BY t."slug"), '[]')
               FROM "ArticleTag" at JOIN "Tag" t ON t."id" = at."tagId" WHERE at."articleId" = a."id")
    ${nav ? `, 'previous', ${NEIGHBOUR('<', 'DESC')}, 'next', ${NEIGHBOUR('>', 'ASC')}` : ''})
  FROM "Article" a JOIN "Section" s ON s."id" = a."sectionId" WHERE a."slug" = $1 AND ${VISIBLE('a')})))::text AS body`;

export const FLOOR_SQL: Record<ScenarioName, string> = {
  article: ARTICLE_SQL(false),
  articleNav: ARTICLE_SQL(true),
  section: `SELECT json_build_object('data', json_build_object('section', (
    SELECT json_build_object('name', s."name", 'articles', json_build_object('edges', (
      SELECT coalesce(json_agg(json_build_object('node', json_build_object(
        'headline', a."headline", 'slug', a."slug", 'publishedAt', ${ISO('a."publishedAt"')},
        'excerpt', bench_peer.excerpt(a."bodyText", 160),
        'reporters', (SELECT coalesce(json_agg(json_build_object('name', r."name") ORDER BY l."position"), '[]')
                        FROM "ArticleReporter" l JOIN "Reporter" r ON r."id" = l."reporterId" WHERE l."articleId" = a."id"),
        'leadImage', (SELECT json_build_object('url', m."url", 'caption', m."caption") FROM "Media" m WHERE m."id" = a."leadImageId")
      )) ORDER BY a."publishedAt" DESC, a."id" DESC), '[]')
      FROM (SELECT * FROM "Article" a WHERE a."sectionId" = s."id" AND ${VISIBLE('a')} ORDER BY a."publishedAt" DESC, a."id" DESC LIMIT 20) a)))
    FROM "Section" s WHERE s."slug" = $1)))::text AS body`,
  reporter: `SELECT json_build_object('data', json_build_object('reporter', (
    SELECT json_build_object('name', r."name", 'title', r."title", 'bio', r."bio", 'articles', json_build_object('edges', (
      SELECT coalesce(json_agg(json_build_object('node', json_build_object(
        'headline', a."headline", 'slug', a."slug", 'publishedAt', ${ISO('a."publishedAt"')}, 'section', json_build_object('name', s."name")
      )) ORDER BY a."publishedAt" DESC, a."id" DESC), '[]')
      FROM (SELECT a.* FROM "ArticleReporter" l JOIN "Article" a ON a."id" = l."articleId"
             WHERE l."reporterId" = r."id" AND l."visibleFrom" IS NOT NULL AND ${VISIBLE('a')}
             ORDER BY l."visibleFrom" DESC, l."articleId" DESC LIMIT 20) a
      JOIN "Section" s ON s."id" = a."sectionId")))
    FROM "Reporter" r WHERE r."slug" = $1)))::text AS body`,
};
