// The links of an article (previous/next, overall and in the section, and related articles) and the
// linked articles' rows, in one statement.
//
// The link fields of a request that ask with the same selection are one batch, whatever article they
// belong to (an article page's previous, next and related; or every row of a list asking previous):
// the statement takes the articles by id, finds each link as a correlated subquery (an index range by
// the row comparison `("publishedAt", id) < (a."publishedAt", a.id)`, and `relatedIdsSql`), and reads
// the linked rows beside them (src/articles/row-sql.ts). A selection only Prisma writes gets the ids
// from this statement and the rows from Prisma. The article itself is not checked for visibility (its
// resolver decided whether the caller may see it; a preview's neighbours are the published ones
// around it); the linked articles are.
//
// An article page is two statements in two round trips: the article, then its links with their rows.
import type { Context } from '../context.ts';
import { rawRows } from '../db/raw-rows.ts';
import { joinTurnBatch, type TurnBatch } from '../db/turn-batch.ts';
import { loadArticlesInOrder, Params, relatedIdsSql } from './list-query.ts';
import { articleRowSql } from './row-sql.ts';
import { clockSql, visibleArticleSql } from './visibility.ts';

/** One link field as asked: `previous`/`next` (overall or in the section), or `related(first:)`. */
export type LinkAsk = { kind: 'previous' | 'next'; sameSection: boolean } | { kind: 'related'; first: number };

/** The link's column in the statement: `"link:previous"`, `"link:nextInSection"`, `"link:related5"`. */
function columnOf(ask: LinkAsk): string {
  return ask.kind === 'related' ? `link:related${ask.first}` : `link:${ask.kind}${ask.sameSection ? 'InSection' : ''}`;
}

/** The SQL of one link of the article `a` (an id, or for related an array of ids). */
function linkSql(ask: LinkAsk, now: string, clock: string): string {
  if (ask.kind === 'related') return `ARRAY(${relatedIdsSql(now, 'a.id', 'a."sectionId"', String(ask.first), clock)})`;
  const [op, dir] = ask.kind === 'previous' ? ['<', 'DESC'] : ['>', 'ASC'];
  return `(SELECT p.id FROM "Article" p WHERE ${visibleArticleSql(now, 'p', undefined, clock)}${ask.sameSection ? ' AND p."sectionId" = a."sectionId"' : ''}
      AND (p."publishedAt", p.id) ${op} (a."publishedAt", a.id) ORDER BY p."publishedAt" ${dir}, p.id ${dir} LIMIT 1)`;
}

/**
 * The statement for these links (sorted by column) of the articles `$2` with rows of `selection` when
 * row-sql writes it. Parameters: $1 the request's instant, $2 the articles' ids; both InitPlans, and the
 * limits literals, so PostgreSQL plans it once per connection.
 */
function linksSql(asks: LinkAsk[], selection: object): { sql: string; rows: ReturnType<typeof articleRowSql> } {
  const params = new Params();
  const now = params.add('now');
  const clock = clockSql(now);
  const ids = params.addUnseen('ids', 'int[]');
  const links = asks.map((ask) => `${linkSql(ask, now, clock)} AS "${columnOf(ask)}"`);
  const of = `SELECT a.id AS "link:of", ${links.join(',\n    ')}\n  FROM "Article" a WHERE a.id = ANY(${ids}::int[])`;
  const rows = articleRowSql(selection);
  if (!rows) return { sql: of, rows };
  const linked = asks.map((ask) => (ask.kind === 'related' ? `l."${columnOf(ask)}"` : `ARRAY[l."${columnOf(ask)}"]`));
  return {
    rows,
    // Materialized: pulled up into the join, each link would be found again per linked row.
    sql: `WITH l AS MATERIALIZED (${of})
SELECT l.*, c.* FROM l LEFT JOIN LATERAL (SELECT ${rows.columns} FROM "Article" a ${rows.joins}
    WHERE a.id = ANY(${linked.join(' || ')})) c ON true`,
  };
}

/** Statements by links and selection (a small set: the link fields and selections clients ask). */
const statements = new Map<string, ReturnType<typeof linksSql>>();
const MAX_STATEMENTS = 1000;

/**
 * The articles `ask` links `article` to, as rows of `selection` (Pothos's query of the field), under
 * the visibility rule; none when the article no longer exists. Calls of one request in the same turn
 * with the same selection are one statement.
 */
export async function linkedArticles<T>(
  ctx: Pick<Context, 'prisma' | 'now'>,
  article: { id: number },
  ask: LinkAsk,
  selection: object,
): Promise<T[]> {
  const key = JSON.stringify(selection);
  const { batch, result } = joinTurnBatch(
    ctx,
    `links:${key}`,
    () => new Map<string, LinkAsk>(),
    (b) => loadLinks(ctx, b, selection, key),
  );
  batch.ids.add(article.id);
  batch.extra.set(columnOf(ask), ask);
  const links = await result;
  return (links.get(article.id)?.get(columnOf(ask)) ?? []) as T[];
}

async function loadLinks(
  ctx: Pick<Context, 'prisma' | 'now'>,
  /** The articles asked and, by column, the links asked of them. */
  batch: TurnBatch<Map<string, LinkAsk>>,
  selection: object,
  /** The selection as JSON (the batch's key). */
  selectionKey: string,
): Promise<Map<number, Map<string, unknown[]>>> {
  const asks = [...batch.extra.keys()].sort().map((column) => batch.extra.get(column)!);
  const shape = `${asks.map(columnOf).join(',')}|${selectionKey}`;
  let statement = statements.get(shape);
  if (!statement) {
    statement = linksSql(asks, selection);
    if (statements.size < MAX_STATEMENTS) statements.set(shape, statement);
  }
  const rows = await rawRows(ctx.prisma, statement.sql, [ctx.now.toISOString(), [...batch.ids]]);
  const idsOf = (row: Record<string, unknown>, ask: LinkAsk): number[] => {
    const value = row[columnOf(ask)];
    return ask.kind === 'related' ? (value as number[]) : value == null ? [] : [value as number];
  };
  const linked = new Map<number, unknown>();
  const byArticle = new Map<number, Record<string, unknown>>();
  for (const row of rows) {
    byArticle.set(row['link:of'] as number, row);
    if (statement.rows && row.id != null) linked.set(row.id as number, statement.rows.shape(row));
  }
  if (!statement.rows) {
    const ids = [...new Set([...byArticle.values()].flatMap((row) => asks.flatMap((ask) => idsOf(row, ask))))];
    for (const row of await loadArticlesInOrder(ctx, selection, ids)) linked.set(row.id, row);
  }
  const result = new Map<number, Map<string, unknown[]>>();
  for (const [id, row] of byArticle) {
    const links = new Map<string, unknown[]>();
    for (const ask of asks)
      links.set(
        columnOf(ask),
        idsOf(row, ask).flatMap((id) => linked.get(id) ?? []),
      );
    result.set(id, links);
  }
  return result;
}
