// The parent of a reporter's, section's or tag's page, found by its slug or id, as one plain
// statement when the client's selection is only its columns (the page's articles are the next
// statement, src/articles/list-query.ts): past Prisma's client engine on PostgreSQL
// (src/db/raw-rows.ts). Any other selection (the page's articles nested in it, when they are Prisma's)
// stays with Prisma.
import { scalarSelection } from '../articles/row-sql.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { rawRows } from './raw-rows.ts';

type Model = 'Reporter' | 'Section' | 'Tag';

/** Statements by model, key and selection (a small set: the selections clients ask). */
const statements = new Map<string, string | null>();
const MAX_STATEMENTS = 1000;

function statementOf(model: Model, key: 'id' | 'slug', selection: object): string | null {
  const shape = `${model}:${key}:${JSON.stringify(selection)}`;
  let sql = statements.get(shape);
  if (sql === undefined) {
    const fields = scalarSelection(model, selection);
    sql = fields?.length
      ? `SELECT ${fields.map((f) => `"${f}"`).join(', ')} FROM "${model}" WHERE "${key}" = $1`
      : null;
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
