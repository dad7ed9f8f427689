// Bulk loading on PostgreSQL: the rows articleRows builds, streamed with COPY (text format) in one
// transaction, with the tables' secondary indexes dropped for the load and rebuilt once at the end
// (building a GIN or B-tree index over a loaded table is many times cheaper than maintaining it row by
// row), and likewise their foreign keys (re-adding one checks the whole table in one join instead of a
// lookup per row). The link tables' per-row trigger, which looks up each link's article for
// `visibleFrom`, is off during the load; one set-based UPDATE fills the column afterwards with the
// same SQL function. Values are compressed with LZ4 where the server has it (several times faster
// than pglz to write and read). Being one transaction, a failed or interrupted load leaves the
// database as it was, indexes, keys and triggers included; while it runs, the seeded tables are
// locked against other writers and readers.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { type Column, type NewArticle, SEED_COLUMNS, SEED_TABLES, type SeedTable, articleRows } from './insert.ts';

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

async function copyRows(client: pg.Client, table: SeedTable, text: string): Promise<void> {
  if (text.length === 0) return;
  const sql = `COPY "${table}" (${Object.keys(SEED_COLUMNS[table])
    .map((n) => `"${n}"`)
    .join(', ')}) FROM STDIN`;
  await pipeline(Readable.from([text]), client.query(copyFrom(sql)));
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

/** Foreign keys of the seeded tables. Returns what re-adds them. */
async function dropForeignKeys(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string; table: string; def: string }>(
    `SELECT c.conname AS name, t.relname AS table, pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = current_schema() AND c.contype = 'f' AND t.relname = ANY($1)`,
    [SEED_TABLES],
  );
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  for (const { name, table } of rows) await client.query(`ALTER TABLE ${quote(table)} DROP CONSTRAINT ${quote(name)}`);
  return rows.map(({ name, table, def }) => `ALTER TABLE ${quote(table)} ADD CONSTRAINT ${quote(name)} ${def}`);
}

/** The link tables whose BEFORE INSERT trigger sets `visibleFrom` (migration 20261125141500_scale_reads). */
const LINK_TRIGGERS = [
  ['ArticleReporter', 'ArticleReporter_visible_from'],
  ['ArticleTag', 'ArticleTag_visible_from'],
] as const;

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
export async function copyArticles(
  url: string,
  articles: Iterable<NewArticle>,
  options: CopyOptions = {},
): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    const lz4 = await client.query(
      `SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)`,
    );
    if (lz4.rowCount) await client.query(`SET LOCAL default_toast_compression = 'lz4'`);
    const ids = await client.query<{ article: number; media: number }>(
      `SELECT coalesce((SELECT max(id) FROM "Article"), 0) + 1 AS article, coalesce((SELECT max(id) FROM "Media"), 0) + 1 AS media`,
    );
    let { article: nextArticleId, media: nextMediaId } = ids.rows[0]!;
    const indexes = options.deferIndexes ? await dropSecondaryIndexes(client) : [];
    const foreignKeys = options.deferIndexes ? await dropForeignKeys(client) : [];
    for (const [table, trigger] of LINK_TRIGGERS)
      await client.query(`ALTER TABLE "${table}" DISABLE TRIGGER "${trigger}"`);
    const firstArticleId = nextArticleId;
    let done = 0;
    let chunk: NewArticle[] = [];
    // PostgreSQL stores one chunk while this process generates and encodes the next: the COPY of a
    // chunk is awaited only once the following one is ready to send.
    let sending: Promise<void> = Promise.resolve();
    const flush = async () => {
      const built = articleRows(chunk, nextArticleId, nextMediaId);
      ({ nextArticleId, nextMediaId } = built);
      const texts = SEED_TABLES.map((table) => [table, copyText(built.rows[table], SEED_COLUMNS[table])] as const);
      const count = chunk.length;
      chunk = [];
      await sending;
      sending = (async () => {
        for (const [table, text] of texts) await copyRows(client, table, text);
        done += count;
        options.onProgress?.(done);
      })();
      sending.catch(() => {}); // awaited below; an early failure must not be an unhandled rejection
    };
    for (const article of articles) {
      chunk.push(article);
      if (chunk.length === (options.chunk ?? 5000)) await flush();
    }
    if (chunk.length) await flush();
    await sending;
    for (const [table, trigger] of LINK_TRIGGERS) {
      await client.query(
        `UPDATE "${table}" l SET "visibleFrom" = "article_visible_from"(a."status", a."publishedAt", a."deletedAt")
           FROM "Article" a WHERE a.id = l."articleId" AND l."articleId" >= $1`,
        [firstArticleId],
      );
      await client.query(`ALTER TABLE "${table}" ENABLE TRIGGER "${trigger}"`);
    }
    options.onIndexing?.();
    for (const def of indexes) await client.query(def);
    for (const def of foreignKeys) await client.query(def);
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
