// Bulk loading on PostgreSQL: the rows articleRows builds, streamed with COPY (text format) in one
// transaction, with the tables' secondary indexes dropped for the load and rebuilt once at the end
// (building a GIN or B-tree index over a loaded table is many times cheaper than maintaining it row by
// row). Being one transaction, a failed or interrupted load leaves the database as it was, indexes
// included; while it runs, the seeded tables are locked against other writers and readers.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { type Column, type NewArticle, SEED_COLUMNS, SEED_TABLES, type SeedRows, type SeedTable, articleRows } from './insert.ts';


const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const escapeText = (s: string) => (/[\\\n\r\t]/.test(s) ? s.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]!) : s);
const arrayElement = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;

/** One value in COPY's text format (before the field escaping). */
function field(value: unknown, type: Column): string {
  if (value === null || value === undefined) return '\\N';
  switch (type) {
    case 'jsonb':
      return escapeText(JSON.stringify(value));
    case 'text[]':
      return escapeText(`{${(value as string[]).map(arrayElement).join(',')}}`);
    case 'timestamp':
      // timestamp(3) without time zone holds UTC; the zone in the ISO string is ignored on input.
      return (value as Date).toISOString();
    case 'bool':
      return value ? 't' : 'f';
    default:
      return escapeText(String(value));
  }
}

function copyText(rows: Record<string, unknown>[], columns: Record<string, Column>): string {
  const names = Object.keys(columns);
  let out = '';
  for (const row of rows) out += `${names.map((n) => field(row[n], columns[n]!)).join('\t')}\n`;
  return out;
}

async function copyRows(client: pg.Client, table: SeedTable, rows: SeedRows[SeedTable]): Promise<void> {
  if (rows.length === 0) return;
  const columns = SEED_COLUMNS[table];
  const sql = `COPY "${table}" (${Object.keys(columns).map((n) => `"${n}"`).join(', ')}) FROM STDIN`;
  await pipeline(Readable.from([copyText(rows, columns)]), client.query(copyFrom(sql)));
}

/** Secondary indexes of the seeded tables: not unique, not backing a constraint. Returns their definitions. */
async function dropSecondaryIndexes(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string; def: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = current_schema() AND t.relname = ANY($1)
        AND NOT x.indisunique AND NOT x.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
    [SEED_TABLES],
  );
  for (const { name } of rows) await client.query(`DROP INDEX "${name.replace(/"/g, '""')}"`);
  return rows.map((r) => r.def);
}

export interface CopyOptions {
  /** Articles per COPY round (default 5000): bounded memory, large enough that per-statement costs vanish. */
  chunk?: number;
  /** Drop and rebuild secondary indexes around the load (worth it from a few ten thousand rows). */
  deferIndexes?: boolean;
  onProgress?: (done: number) => void;
  /** Called once loading is done and index building starts. */
  onIndexing?: () => void;
}

/** Loads `articles` into the PostgreSQL database at `url` with COPY; returns how many were loaded. */
export async function copyArticles(url: string, articles: Iterable<NewArticle>, options: CopyOptions = {}): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    const ids = await client.query<{ article: number; media: number }>(
      `SELECT coalesce((SELECT max(id) FROM "Article"), 0) + 1 AS article, coalesce((SELECT max(id) FROM "Media"), 0) + 1 AS media`,
    );
    let { article: nextArticleId, media: nextMediaId } = ids.rows[0]!;
    const indexes = options.deferIndexes ? await dropSecondaryIndexes(client) : [];
    let done = 0;
    let chunk: NewArticle[] = [];
    const flush = async () => {
      const built = articleRows(chunk, nextArticleId, nextMediaId);
      ({ nextArticleId, nextMediaId } = built);
      for (const table of SEED_TABLES) await copyRows(client, table, built.rows[table]);
      done += chunk.length;
      chunk = [];
      options.onProgress?.(done);
    };
    for (const article of articles) {
      chunk.push(article);
      if (chunk.length === (options.chunk ?? 5000)) await flush();
    }
    if (chunk.length) await flush();
    options.onIndexing?.();
    for (const def of indexes) await client.query(def);
    for (const table of SEED_TABLES) await client.query(`ANALYZE "${table}"`);
    await client.query('COMMIT');
    return done;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
