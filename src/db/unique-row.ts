// The parent of a reporter's, section's or tag's page, found by its slug or id, as one plain
// statement when the client's selection is only its columns (the page's articles are the next
// statement, src/articles/list-query.ts): past Prisma's client engine on PostgreSQL
// (src/db/raw-rows.ts). Any other selection (the page's articles nested in it, when they are Prisma's)
// stays with Prisma. Photos by id (the body's image blocks) the same way, the request's lookups of one
// turn in one statement (`batchedRowById`).
import { scalarSelection } from '../articles/row-sql.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { rawRows } from './raw-rows.ts';
import { joinTurnBatch } from './turn-batch.ts';

type Model = 'Reporter' | 'Section' | 'Tag' | 'Media';

/** Statements by model, key and selection (a small set: the selections clients ask). */
const statements = new Map<string, string | null>();
const MAX_STATEMENTS = 1000;

function statementOf(model: Model, key: 'id' | 'slug' | 'ids', selection: object): string | null {
  const shape = `${model}:${key}:${JSON.stringify(selection)}`;
  let sql = statements.get(shape);
  if (sql === undefined) {
    const fields = scalarSelection(model, selection);
    // By ids, the id tells the rows apart whether or not it was asked.
    if (fields?.length && key === 'ids' && !fields.includes('id')) fields.push('id');
    sql = !fields?.length
      ? null
      : `SELECT ${fields.map((f) => `"${f}"`).join(', ')} FROM "${model}" WHERE ${key === 'ids' ? '"id" = ANY($1::int[])' : `"${key}" = $1`}`;
    if (statements.size < MAX_STATEMENTS) statements.set(shape, sql);
  }
  return sql;
}

/** The row, null when there is none, undefined when the selection is one only Prisma writes. */
export async function uniqueRow<T>(
  prisma: Pick<PrismaClient, '$queryRawUnsafe'>,
  model: Model,
  selection: object,
  where: { id: number } | { slug: string },
): Promise<T | null | undefined> {
  const sql = statementOf(model, 'id' in where ? 'id' : 'slug', selection);
  if (!sql) return undefined;
  const [row] = await rawRows<T>(prisma, sql, ['id' in where ? where.id : where.slug]);
  return row ?? null;
}

/**
 * The row of `model` with this id, null when there is none, undefined when the selection is one only
 * Prisma writes. The calls of one request (`owner`, its context) in the same turn with the same
 * selection are one statement.
 */
export async function batchedRowById<T>(
  owner: { prisma: Pick<PrismaClient, '$queryRawUnsafe'> },
  model: Model,
  selection: object,
  id: number,
): Promise<T | null | undefined> {
  const sql = statementOf(model, 'ids', selection);
  if (!sql) return undefined;
  // An id no row can have (a body block stored with 1.5) is no row, and does not fail the batch's statement.
  if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647) return null;
  const { batch, result } = joinTurnBatch(
    owner,
    sql,
    () => null,
    async (b) => new Map((await rawRows<{ id: number }>(owner.prisma, sql, [[...b.ids]])).map((r) => [r.id, r])),
  );
  batch.ids.add(id);
  return ((await result).get(id) as T | undefined) ?? null;
}
