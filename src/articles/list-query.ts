// The SQL of reader article lists (`articles`, section/reporter/tag pages, related): which ids a
// page holds, and how many there are. Prisma renders a keyset position as
// `publishedAt < $1 OR (publishedAt = $1 AND id < $2)`, which PostgreSQL cannot use as an index range
// (it walks every row after the position); the row comparison `("publishedAt", id) < ($1, $2)` is one.
// So pages after a cursor are chosen here, as ids, by an index range, and the rows with the client's
// selection are then loaded by Prisma by id (`loadArticlesInOrder`): two statements per page whatever
// its length. The first page of the newest articles, overall, in a section, or of a reporter or tag
// (on the link table), needs no position: it is one Prisma statement, itself an index range
// (`firstPageOf`); on a reporter or tag page it is part of the parent's own statement
// (`firstPageSelection`).
//
// Which index a list ranges over:
// - newest first with a reporter or a tag: the link table's (reporterId|tagId, visibleFrom, articleId);
// - newest first otherwise: the visible set's (publishedAt, id), per section or breaking when filtered;
// - most viewed first: the visible set's (viewCount, publishedAt, id), per section when filtered.
// Other filters are checked on the rows met along the range.
import type { Article, PrismaClient } from '../generated/prisma/client.ts';
import type { Context } from '../context.ts';
import { rawRows } from '../db/raw-rows.ts';
import { articleRowSql, type ArticleRowSql, scalarSelection } from './row-sql.ts';
import { clockSql, utcSql, visibleArticleSql, visibleArticleWhere, visibleLinkSql } from './visibility.ts';

export interface ArticleListFilter {
  section?: string | null;
  reporter?: string | null;
  tag?: string | null;
  publishedAfter?: Date | null;
  publishedBefore?: Date | null;
  hasPhoto?: boolean | null;
  breaking?: boolean | null;
}

export interface ArticleListSpec {
  now: Date;
  filter?: ArticleListFilter | null;
  /** The parent of a section, reporter or tag page. */
  scope?: { sectionId?: number; reporterId?: number; tagId?: number };
  order?: 'PUBLISHED_AT' | 'VIEW_COUNT' | null;
}

export interface PageRequest {
  /** Rows wanted (Pothos asks for one more than the page to learn whether another follows). */
  limit: number;
  /** `last`/`before`: the rows just before the cursor, returned in list order. */
  backward: boolean;
  /** Id of the row the page starts after (or, backward, ends before). */
  cursorId?: number;
}

/** `totalCount` is exact up to this many; above, PostgreSQL's estimate (never below this bound). */
export const EXACT_COUNT_LIMIT = 10_000;
/**
 * A list with filters beyond its index range (a reporter's articles in one section) is counted
 * exactly when the range holds at most this many entries: each entry's article is read to check the
 * filters (~5 µs each at 1,000,000 articles), where the range alone is counted in its index.
 */
export const EXACT_FILTERED_COUNT_LIMIT = 2_000;

/** Positional parameters of a raw statement: `add` returns the placeholder of a value. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
  /**
   * The placeholder as an InitPlan (`(SELECT $n::type)`): a value the planner sees in neither custom
   * nor generic plans, so both cost the statement alike and PostgreSQL keeps the generic one
   * (src/articles/row-sql.ts). Only where the plan should not hang on the value (a page's range).
   */
  addUnseen(value: unknown, type: string): string {
    return `(SELECT ${this.add(value)}::${type})`;
  }
}

interface ListSql {
  from: string;
  where: string[];
  /** The part of `where` the list's index range serves (`keys` order over it), on `rangeFrom`. */
  range: string[];
  /** The range's own table: the link table, or the articles. */
  rangeFrom: string;
  /**
   * The rest of `where` as one value per range entry, or null when the range is the whole list (on a
   * link table the article's visibility alone is none: the link row's copy of it bounds the range).
   */
  filtersPerEntry: string | null;
  /** Sort keys, descending: the index range's columns. */
  keys: string[];
  /** The same keys of the cursor row, by its id. */
  cursorKeys: (cursorId: string) => string[];
}

function listSql(spec: ArticleListSpec, params: Params): ListSql {
  const f = spec.filter ?? {};
  const now = params.add(spec.now.toISOString());
  const idOf = (table: string, id: number | undefined, slug: string | null | undefined) =>
    id != null
      ? params.add(id)
      : slug != null
        ? `(SELECT x.id FROM "${table}" x WHERE x.slug = ${params.add(slug)})`
        : null;
  const section = idOf('Section', spec.scope?.sectionId, f.section);
  const reporter = idOf('Reporter', spec.scope?.reporterId, f.reporter);
  const tag = idOf('Tag', spec.scope?.tagId, f.tag);
  const byViews = spec.order === 'VIEW_COUNT';
  const link = byViews
    ? null
    : reporter
      ? { table: 'ArticleReporter', column: 'reporterId', id: reporter }
      : tag
        ? { table: 'ArticleTag', column: 'tagId', id: tag }
        : null;

  const where: string[] = [];
  const range: string[] = [];
  const filters: string[] = [];
  const add = (condition: string, inRange: boolean) => {
    where.push(condition);
    (inRange ? range : filters).push(condition);
  };
  // On a link table's range the article's own visibility is checked per row (the link row carries a
  // trigger-kept copy of it, `visibleLinkSql`, which the range serves).
  add(visibleArticleSql(now), !link);
  let from = '"Article" a';
  let keys: string[];
  let cursorKeys: (cursorId: string) => string[];
  const cursorColumn = (column: string, cursorId: string) =>
    `(SELECT c."${column}" FROM "Article" c WHERE c.id = ${cursorId})`;
  if (link) {
    from = `"${link.table}" l JOIN "Article" a ON a.id = l."articleId"`;
    add(`l."${link.column}" = ${link.id}`, true);
    add(visibleLinkSql(now, 'l'), true);
    keys = ['l."visibleFrom"', 'l."articleId"'];
    cursorKeys = (c) => [cursorColumn('publishedAt', c), c];
  } else if (byViews) {
    keys = ['a."viewCount"', 'a."publishedAt"', 'a.id'];
    cursorKeys = (c) => [cursorColumn('viewCount', c), cursorColumn('publishedAt', c), c];
  } else {
    keys = ['a."publishedAt"', 'a.id'];
    cursorKeys = (c) => [cursorColumn('publishedAt', c), c];
  }
  if (section) add(`a."sectionId" = ${section}`, !link);
  if (reporter && link?.table !== 'ArticleReporter') {
    add(
      `EXISTS (SELECT 1 FROM "ArticleReporter" r WHERE r."articleId" = a.id AND r."reporterId" = ${reporter})`,
      false,
    );
  }
  if (tag && link?.table !== 'ArticleTag') {
    add(`EXISTS (SELECT 1 FROM "ArticleTag" t WHERE t."articleId" = a.id AND t."tagId" = ${tag})`, false);
  }
  // Publish-time bounds: on the link's copy of the publish time (the range) and on the article's.
  const bound = (op: '>' | '<', instant: Date) => {
    const p = params.add(instant.toISOString());
    add(`a."publishedAt" ${op} ${utcSql(p)}`, !link && !byViews);
    if (link) add(`l."visibleFrom" ${op} ${utcSql(p)}`, true);
  };
  if (f.publishedAfter != null) bound('>', f.publishedAfter);
  if (f.publishedBefore != null) bound('<', f.publishedBefore);
  if (f.hasPhoto != null) add(`a."leadImageId" IS ${f.hasPhoto ? 'NOT ' : ''}NULL`, false);
  // A literal, not a parameter: the breaking partial index matches only `a."breaking"` itself. That
  // index is the range of the newest breaking news; with a section or a link it is a filter.
  if (f.breaking != null)
    add(f.breaking ? 'a."breaking"' : 'NOT a."breaking"', f.breaking && !link && !section && !byViews);
  // On a link table the filters read the article by id, a subquery per entry: as a join PostgreSQL
  // may choose a hash join over a sequential scan of the articles instead.
  const all = filters.join(' AND ');
  const filtersPerEntry =
    filters.length === (link ? 1 : 0)
      ? null
      : link
        ? `(SELECT ${all} FROM "Article" a WHERE a.id = l."articleId")`
        : `(${all})`;
  const rangeFrom = link ? `"${link.table}" l` : from;
  return { from, where, range, rangeFrom, filtersPerEntry, keys, cursorKeys };
}

/** Ids of one page of a list, in list order. */
export async function articlePageIds(
  prisma: PrismaClient,
  spec: ArticleListSpec,
  page: PageRequest,
): Promise<number[]> {
  if (page.limit <= 0) return [];
  const params = new Params();
  const q = listSql(spec, params);
  const where = [...q.where];
  if (page.cursorId != null) {
    const cursor = q.cursorKeys(params.add(page.cursorId));
    where.push(`(${q.keys.join(', ')}) ${page.backward ? '>' : '<'} (${cursor.join(', ')})`);
  }
  const direction = page.backward ? 'ASC' : 'DESC';
  const sql = `SELECT a.id FROM ${q.from} WHERE ${where.join(' AND ')}
    ORDER BY ${q.keys.map((k) => `${k} ${direction}`).join(', ')} LIMIT ${params.add(page.limit)}`;
  const rows = await rawRows<{ id: number }>(prisma, sql, params.values);
  const ids = rows.map((r) => r.id);
  return page.backward ? ids.reverse() : ids;
}

/**
 * Number of articles in a list, reading a bounded part of its index range:
 * - a list that is its range alone (the archive, a section, a reporter's or tag's articles on the link
 *   table, breaking news; publish-time bounds included): counted exactly up to EXACT_COUNT_LIMIT
 *   (index-only), above it PostgreSQL's row estimate for the list (at least the limit + 1);
 * - a list with further filters (a reporter's articles in a section, with a photo, …): the filters
 *   are checked on the newest EXACT_FILTERED_COUNT_LIMIT + 1 entries of the range. Exact when the range
 *   holds no more; otherwise PostgreSQL's row estimate for the list, never fewer than the matches
 *   found. Counting matches up to EXACT_COUNT_LIMIT instead walked the range for as long as they were
 *   rare (a reporter's articles in one section at 1,000,000 articles: ~140,000 entries, 100 ms).
 */
export async function countArticles(prisma: PrismaClient, spec: ArticleListSpec): Promise<number> {
  const params = new Params();
  const list = listSql({ ...spec, order: 'PUBLISHED_AT' }, params);
  const filtered = list.filtersPerEntry !== null;
  const bound = filtered ? EXACT_FILTERED_COUNT_LIMIT : EXACT_COUNT_LIMIT;
  const limit = params.add(bound + 1);
  const walk = `FROM ${list.rangeFrom} WHERE ${list.range.join(' AND ')} ORDER BY ${list.keys.map((k) => `${k} DESC`).join(', ')} LIMIT ${limit}`;
  const [counted] = await prisma.$queryRawUnsafe<{ n: number; walked: number }[]>(
    filtered
      ? `SELECT count(*) FILTER (WHERE x.m)::int AS n, count(*)::int AS walked FROM (SELECT ${list.filtersPerEntry} AS m ${walk}) x`
      : `SELECT count(*)::int AS n, count(*)::int AS walked FROM (SELECT 1 ${walk}) x`,
    ...params.values,
  );
  const { n, walked } = counted ?? { n: 0, walked: 0 };
  if (walked <= bound) return n;
  params.values.pop();
  const plan = await prisma.$queryRawUnsafe<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }[]>(
    `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${filtered ? list.from : list.rangeFrom} WHERE ${(filtered ? list.where : list.range).join(' AND ')}`,
    ...params.values,
  );
  return Math.max(n, filtered ? 0 : walked, Math.round(plan[0]?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? 0));
}

/**
 * Marks a field's Prisma selection as read when its rows come another way: Pothos checks that a
 * resolver used its query (an error in tests, none in production).
 */
export function selectionRead(selection: object): void {
  void { ...selection };
}

/** No rows to load (`related(first: 0)`, an article without neighbours). */
function nothingToLoad(selection: object): [] {
  selectionRead(selection);
  return [];
}

/**
 * Loads articles by id with a Prisma selection (the client's, from Pothos), in the order of `ids`,
 * under the visibility rule (an article taken down between the two statements is left out).
 */
export async function loadArticlesInOrder<T extends { id: number } = Article>(
  ctx: Pick<Context, 'prisma' | 'now'>,
  selection: object,
  ids: number[],
): Promise<T[]> {
  if (ids.length === 0) return nothingToLoad(selection);
  const sql = articleRowSql(selection);
  if (sql) {
    const params = new Params();
    const list = params.addUnseen(ids, 'int[]');
    const now = params.add(ctx.now.toISOString());
    return rowsInOrder<T>(
      ctx,
      sql,
      `SELECT ${sql.columns} FROM "Article" a ${sql.joins}
        WHERE a.id = ANY(${list}::int[]) AND ${visibleArticleSql(now, 'a', undefined, clockSql(now))}`,
      params,
      ids,
    );
  }
  const rows = (await ctx.prisma.article.findMany({
    ...selection,
    where: { id: { in: ids }, ...visibleArticleWhere(ctx.now) },
  })) as unknown as T[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Runs a statement of `articleRowSql` rows; in the order of `ids` when given, else as returned. */
async function rowsInOrder<T>(
  ctx: Pick<Context, 'prisma'>,
  sql: ArticleRowSql,
  statement: string,
  params: Params,
  ids?: number[],
): Promise<T[]> {
  const rows = await rawRows(ctx.prisma, statement, params.values);
  if (!ids) return rows.map((r) => sql.shape(r) as T);
  const byId = new Map(rows.map((r) => [r.id as number, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [sql.shape(row) as T] : [];
  });
}

/**
 * How the first page of a list, newest first and without filters, is one statement: a plain range of
 * the article indexes (the whole archive or a section, by id), or a reporter's or tag's range on its
 * link table. Null for any other list (view counts, filters): those are chosen as ids first
 * (`articlePageIds`).
 */
function firstPageOf(
  spec: ArticleListSpec,
): { range: { sectionId?: number } } | { link: { reporterId: number } | { tagId: number } } | null {
  if ((spec.order ?? 'PUBLISHED_AT') !== 'PUBLISHED_AT') return null;
  if (spec.filter && Object.values(spec.filter).some((v) => v != null)) return null;
  const { sectionId, reporterId, tagId, ...rest } = spec.scope ?? {};
  if (Object.keys(rest).length > 0) return null;
  if (reporterId == null && tagId == null) return { range: sectionId != null ? { sectionId } : {} };
  if (sectionId != null) return null;
  if (tagId == null) return { link: { reporterId: reporterId! } };
  if (reporterId == null) return { link: { tagId } };
  return null;
}

/**
 * The Prisma arguments of a first page (`firstPageOf`), newest first. On the articles, an index range
 * ((sectionId,) status, publishedAt DESC, id DESC); on a link table, the range (reporterId|tagId,
 * visibleFrom DESC, articleId DESC), each row's article under `article`.
 */
const firstPageArgs = {
  range: (now: Date) => ({
    where: visibleArticleWhere(now),
    orderBy: [{ publishedAt: 'desc' as const }, { id: 'desc' as const }],
  }),
  link: (now: Date) => ({
    where: { visibleFrom: { lte: now }, article: visibleArticleWhere(now) },
    orderBy: [{ visibleFrom: 'desc' as const }, { articleId: 'desc' as const }],
  }),
};

/**
 * A first page (`firstPageOf`) as one plain statement over the same index range as `firstPageArgs`,
 * with the rows of `sql`: planned once per connection (the clock an InitPlan, the LIMIT a literal).
 */
function firstPageStatement(
  sql: ArticleRowSql,
  first: NonNullable<ReturnType<typeof firstPageOf>>,
  now: Date,
  take: number,
): [string, Params] {
  const params = new Params();
  const nowParam = params.add(now.toISOString());
  const parent: PageParentSql | null =
    'range' in first
      ? first.range.sectionId == null
        ? null
        : { model: 'Section', id: params.addUnseen(first.range.sectionId, 'int') }
      : 'reporterId' in first.link
        ? { model: 'Reporter', id: params.addUnseen(first.link.reporterId, 'int') }
        : { model: 'Tag', id: params.addUnseen(first.link.tagId, 'int') };
  return [pageSql(sql, parent, nowParam, take), params];
}

/** A page's parent in SQL: its model and an expression of its id. */
interface PageParentSql {
  model: PageModel;
  id: string;
}

/**
 * The newest `take` visible articles of `parent` (every visible article when null): the archive's and a
 * section's on the articles' index, a reporter's or tag's on its link table. The LIMIT is a literal.
 */
function pageSql(sql: ArticleRowSql, parent: PageParentSql | null, nowParam: string, take: number): string {
  if (!Number.isSafeInteger(take) || take <= 0) throw new Error(`not a page size: ${take}`);
  const clock = clockSql(nowParam);
  const visible = visibleArticleSql(nowParam, 'a', undefined, clock);
  if (parent == null || parent.model === 'Section') {
    const section = parent ? ` AND a."sectionId" = ${parent.id}` : '';
    return `SELECT ${sql.columns} FROM "Article" a ${sql.joins} WHERE ${visible}${section}
        ORDER BY a."publishedAt" DESC, a.id DESC LIMIT ${take}`;
  }
  const [table, column] = parent.model === 'Reporter' ? ['ArticleReporter', 'reporterId'] : ['ArticleTag', 'tagId'];
  return `SELECT ${sql.columns} FROM "${table}" l JOIN "Article" a ON a.id = l."articleId" ${sql.joins}
      WHERE l."${column}" = ${parent.id} AND ${visibleLinkSql(nowParam, 'l', clock)} AND ${visible}
      ORDER BY l."visibleFrom" DESC, l."articleId" DESC LIMIT ${take}`;
}

/** The models whose rows have a page of articles. */
export type PageModel = 'Section' | 'Reporter' | 'Tag';

/**
 * A section's, reporter's or tag's row (by id or slug) with its first page of articles (`page.take` rows
 * of the selection `page.node`) in one statement: the page a LATERAL subquery, `firstPageStatement`'s
 * (`pageSql`) over the same index range. The row carries the page as `articles` (`preloadedPage`). Null
 * when there is no such row, undefined when either selection is one only Prisma writes.
 */
export async function parentWithFirstPage<T>(
  ctx: Pick<Context, 'prisma' | 'now'>,
  model: PageModel,
  selection: object,
  key: { id: number } | { slug: string },
  page: { take: number; node: object },
): Promise<T | null | undefined> {
  const fields = scalarSelection(model, selection);
  const sql = articleRowSql(page.node);
  if (!fields?.length || !sql) return undefined;
  const params = new Params();
  const nowParam = params.add(ctx.now.toISOString());
  const lookup = 'id' in key ? `p.id = ${params.add(key.id)}` : `p.slug = ${params.add(key.slug)}`;
  // The parent's columns under names no article column has ("parent.name").
  const columns = [...new Set([...fields, 'id'])].map((f) => `p."${f}" AS "parent.${f}"`);
  const rows = await rawRows<Record<string, unknown>>(
    ctx.prisma,
    `SELECT ${columns.join(', ')}, page.* FROM "${model}" p
      LEFT JOIN LATERAL (${pageSql(sql, { model, id: 'p.id' }, nowParam, page.take)}) page ON true
      WHERE ${lookup}`,
    params.values,
  );
  const [first] = rows;
  if (!first) return null;
  const parent: Record<string, unknown> = {};
  for (const f of fields) parent[f] = first[`parent.${f}`];
  // No visible article: one row, its article columns null (the id is always among them).
  parent.articles = rows.filter((r) => r.id != null).map((r) => ({ article: sql.shape(r) }));
  return parent as T;
}

/**
 * The newest visible articles (최신뉴스, 포토뉴스), optionally of a section by slug or only those with a
 * lead photo, as one plain statement planned once (`firstPageStatement`); null when the selection is
 * one only Prisma writes (the caller then asks Prisma).
 */
export async function newestArticles<T>(
  ctx: Pick<Context, 'prisma' | 'now'>,
  selection: object,
  options: { take: number; section?: string | null; photo?: boolean },
): Promise<T[] | null> {
  const sql = articleRowSql(selection);
  if (!sql) return null;
  if (options.take <= 0) return [];
  if (!Number.isSafeInteger(options.take)) throw new Error(`not a page size: ${options.take}`);
  const params = new Params();
  const nowParam = params.add(ctx.now.toISOString());
  const where = [visibleArticleSql(nowParam, 'a', undefined, clockSql(nowParam))];
  if (options.section != null)
    where.push(
      `a."sectionId" = (SELECT s.id FROM "Section" s WHERE s.slug = ${params.addUnseen(options.section, 'text')})`,
    );
  if (options.photo) where.push('a."leadImageId" IS NOT NULL');
  return rowsInOrder<T>(
    ctx,
    sql,
    `SELECT ${sql.columns} FROM "Article" a ${sql.joins} WHERE ${where.join(' AND ')}
      ORDER BY a."publishedAt" DESC, a.id DESC LIMIT ${options.take}`,
    params,
  );
}

/**
 * One visible article by id or slug as one plain statement planned once (the article page); undefined
 * when the selection is one only Prisma writes (the caller then asks Prisma), null when there is none.
 */
export async function visibleArticle<T>(
  ctx: Pick<Context, 'prisma' | 'now'>,
  selection: object,
  key: { id: number } | { slug: string },
): Promise<T | null | undefined> {
  const sql = articleRowSql(selection);
  if (!sql) return undefined;
  const params = new Params();
  const nowParam = params.add(ctx.now.toISOString());
  const lookup =
    'id' in key ? `a.id = ${params.addUnseen(key.id, 'int')}` : `a.slug = ${params.addUnseen(key.slug, 'text')}`;
  const [row] = await rowsInOrder<T>(
    ctx,
    sql,
    `SELECT ${sql.columns} FROM "Article" a ${sql.joins}
      WHERE ${lookup} AND ${visibleArticleSql(nowParam, 'a', undefined, clockSql(nowParam))}`,
    params,
  );
  return row ?? null;
}

/** The parent of a page of articles. */
export type PageParent = 'section' | 'reporter' | 'tag';

/**
 * A reporter's or tag's first page as part of the parent's own Prisma selection (the `select` of its
 * `articles` field): the parent and its page are then one statement, the page a LATERAL subquery
 * (relationJoins) over the same link-table range as `resolveArticlePage`'s. `take` is the rows wanted
 * (Pothos' page size + 1), `node` the articles' selection.
 */
export function firstPageSelection(now: Date, take: number, node: object) {
  return { articles: { ...firstPageArgs.link(now), take, select: { article: node } } };
}

/** The articles of a page that `firstPageSelection` loaded with the parent row, in list order. */
export function preloadedPage(row: object): Article[] | undefined {
  const links = (row as { articles?: { article: Article }[] }).articles;
  return Array.isArray(links) ? links.map((l) => l.article) : undefined;
}

/**
 * A page for Pothos' `prismaConnection`: its `query` carries the page as Prisma cursor arguments
 * (`take` negative when paging backward, `cursor: { id }`, `skip: 1`); the rows come back in list
 * order, as Prisma would return them.
 */
export async function resolveArticlePage(ctx: Pick<Context, 'prisma' | 'now'>, query: object, spec: ArticleListSpec) {
  const { take, skip: _skip, cursor, ...selection } = query as { take: number; skip?: number; cursor?: { id: number } };
  const first = cursor == null && take > 0 ? firstPageOf(spec) : null;
  const sql = first && articleRowSql(selection);
  if (first && sql) return rowsInOrder<Article>(ctx, sql, ...firstPageStatement(sql, first, ctx.now, take));
  if (first && 'range' in first) {
    // The first page of the whole archive or a section: no keyset position, so Prisma's statement is
    // itself an index range, and the page comes in one statement with the client's selection.
    const { where, orderBy } = firstPageArgs.range(ctx.now);
    return ctx.prisma.article.findMany({ ...selection, where: { ...where, ...first.range }, orderBy, take });
  }
  if (first) {
    // A reporter's or tag's first page: the link table's range with each article joined with the
    // client's selection, in one statement.
    const { link } = first;
    const { where, orderBy } = firstPageArgs.link(ctx.now);
    const select = { article: Object.keys(selection).length > 0 ? selection : true };
    const rows =
      'reporterId' in link
        ? await ctx.prisma.articleReporter.findMany({ where: { ...where, ...link }, orderBy, take, select })
        : await ctx.prisma.articleTag.findMany({ where: { ...where, ...link }, orderBy, take, select });
    return rows.map((r) => r.article);
  }
  const ids = await articlePageIds(ctx.prisma, spec, {
    limit: Math.abs(take),
    backward: take < 0,
    cursorId: cursor?.id,
  });
  // The selection decides the columns; Pothos types the rows as whole articles.
  return loadArticlesInOrder(ctx, selection, ids);
}

/**
 * "관련 기사" as SQL: up to `limit` other visible articles sharing a tag with the article `self`, newest
 * first, then the newest of its section (`sectionOf`, the article's section). Per tag an index range on
 * the link table, and the section's range, each at most `limit` long, merged. `self` and `sectionOf`
 * are SQL expressions (the outer query's columns in src/articles/links.ts); `instant` is the clock as
 * `clockSql` writes it.
 */
export function relatedIdsSql(
  nowParam: string,
  self: string,
  sectionOf: string,
  limit: string,
  instant: string,
): string {
  return `WITH tagged AS (
      SELECT DISTINCT l."articleId" AS id FROM "ArticleTag" s
      CROSS JOIN LATERAL (
        SELECT l."articleId" FROM "ArticleTag" l
        WHERE l."tagId" = s."tagId" AND ${visibleLinkSql(nowParam, 'l', instant)} AND l."articleId" <> ${self}
        ORDER BY l."visibleFrom" DESC, l."articleId" DESC LIMIT ${limit}
      ) l
      WHERE s."articleId" = ${self}
    ), candidates AS (
      SELECT c.id, c."publishedAt", 0 AS tier FROM tagged JOIN "Article" c ON c.id = tagged.id WHERE ${visibleArticleSql(nowParam, 'c', undefined, instant)}
      UNION ALL
      (SELECT c.id, c."publishedAt", 1 AS tier FROM "Article" c
        WHERE ${visibleArticleSql(nowParam, 'c', undefined, instant)} AND c.id <> ${self} AND c."sectionId" = ${sectionOf}
        ORDER BY c."publishedAt" DESC, c.id DESC LIMIT ${limit})
    )
    SELECT id FROM candidates GROUP BY id ORDER BY min(tier), max("publishedAt") DESC, id DESC LIMIT ${limit}`;
}
