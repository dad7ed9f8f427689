// Bulk loading on PostgreSQL: articles encoded by copy-encode.ts, streamed with COPY (text format) in
// one transaction. A generated corpus (CorpusSpec) is generated and encoded in a worker thread
// (copy-worker.ts) while this thread streams the chunks before it, so the generator and the
// PostgreSQL backend each keep a core busy; other articles are encoded here, a chunk at a time.
// The tables' B-tree secondary indexes are dropped for the load and rebuilt once at the end (building
// a B-tree over a loaded table is many times cheaper than maintaining it row by row, and PostgreSQL
// builds them with parallel workers); their foreign keys likewise (re-adding one checks the whole
// table in one join instead of a lookup per row). GIN indexes (search tokens) stay and are maintained
// during the load through their pending list, merged at the end: PostgreSQL builds a GIN index on one
// core only, so rebuilt after the load it ran alone for ~4 minutes at 1,000,000 articles, while
// maintaining it costs the backend about the same CPU during the load, alongside the generator's core.
// The price: an index so grown is larger than a fresh build (86 MB instead of 57 MB at 100,000
// articles; `REINDEX` compacts it, at the cost of that build).
// The link tables' per-row trigger, which looks up each link's article for `visibleFrom`, is off
// during the load; one set-based UPDATE fills the column afterwards with the same SQL function.
// Values are compressed with LZ4 where the server has it (several times faster than pglz to write
// and read). Being one transaction, a failed or interrupted load leaves the database as it was,
// indexes, keys and triggers included; while it runs, the seeded tables are locked against other
// writers and readers.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { CorpusSpec } from './corpus.ts';
import { type EncodedChunk, encodedChunks } from './copy-encode.ts';
import type { WorkerInput } from './copy-worker.ts';
import { type NewArticle, SEED_COLUMNS, SEED_TABLES, type SeedTable } from './insert.ts';

async function copyRows(client: pg.Client, table: SeedTable, data: Uint8Array): Promise<void> {
  if (data.length === 0) return;
  const sql = `COPY "${table}" (${Object.keys(SEED_COLUMNS[table])
    .map((n) => `"${n}"`)
    .join(', ')}) FROM STDIN`;
  await pipeline(Readable.from([data]), client.query(copyFrom(sql)));
}

/**
 * B-tree (and other non-GIN) secondary indexes of the seeded tables: not unique, not backing a
 * constraint. Returns their definitions.
 */
async function dropSecondaryIndexes(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string; def: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = current_schema() AND t.relname = ANY($1)
        AND NOT x.indisunique AND NOT x.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        AND i.relam <> (SELECT oid FROM pg_am WHERE amname = 'gin')`,
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

/** Chunks a worker thread generates and encodes; it runs at most one chunk ahead of the one granted. */
async function* workerChunks(input: WorkerInput): AsyncGenerator<EncodedChunk> {
  // From TypeScript sources (tsx, vitest) through an entry that registers tsx in the worker thread.
  const source = import.meta.url.endsWith('.ts') ? './copy-worker-entry.mjs' : './copy-worker.js';
  const worker = new Worker(new URL(source, import.meta.url), { workerData: input });
  const queue: (EncodedChunk | null)[] = [];
  let failure: unknown;
  let wake: (() => void) | undefined;
  worker.on('message', (chunk: EncodedChunk | null) => {
    queue.push(chunk);
    wake?.();
  });
  worker.on('error', (error) => {
    failure ??= error;
    wake?.();
  });
  worker.on('exit', (code) => {
    failure ??= code === 0 ? undefined : new Error(`seed worker exited with code ${code}`);
    if (!queue.includes(null)) failure ??= new Error('seed worker exited early');
    wake?.();
  });
  worker.postMessage(1);
  try {
    for (;;) {
      while (queue.length === 0 && failure === undefined) await new Promise<void>((resolve) => (wake = resolve));
      const chunk = queue.shift();
      if (chunk === null) return;
      if (chunk === undefined) throw failure;
      worker.postMessage(1);
      yield chunk;
    }
  } finally {
    await worker.terminate();
  }
}

/**
 * Loads articles into the PostgreSQL database at `url` with COPY; returns how many were loaded.
 * A CorpusSpec is generated in a worker thread, alongside the load; an iterable is encoded here.
 */
export async function copyArticles(
  url: string,
  articles: Iterable<NewArticle> | CorpusSpec,
  options: CopyOptions = {},
): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    // GIN indexes take new rows into their pending list and merge it into the index whenever it
    // reaches this size (PostgreSQL's default; at 100,000 articles 32 MB cost as much CPU and left
    // the index 20% larger, 256 MB left most of it unmerged); the rest is merged at the end.
    await client.query(`SET LOCAL gin_pending_list_limit = '4MB'`);
    await client.query(`SET LOCAL work_mem = '256MB'`);
    const lz4 = await client.query(
      `SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)`,
    );
    if (lz4.rowCount) await client.query(`SET LOCAL default_toast_compression = 'lz4'`);
    const ids = await client.query<{ article: number; media: number }>(
      `SELECT coalesce((SELECT max(id) FROM "Article"), 0) + 1 AS article, coalesce((SELECT max(id) FROM "Media"), 0) + 1 AS media`,
    );
    const { article: firstArticleId, media: firstMediaId } = ids.rows[0]!;
    const indexes = options.deferIndexes ? await dropSecondaryIndexes(client) : [];
    const foreignKeys = options.deferIndexes ? await dropForeignKeys(client) : [];
    for (const [table, trigger] of LINK_TRIGGERS)
      await client.query(`ALTER TABLE "${table}" DISABLE TRIGGER "${trigger}"`);
    const chunk = options.chunk ?? 5000;
    const chunks =
      Symbol.iterator in articles
        ? encodedChunks(articles, chunk, firstArticleId, firstMediaId)
        : workerChunks({ corpus: articles, chunk, firstArticleId, firstMediaId });
    let done = 0;
    for await (const encoded of chunks) {
      for (const [table, data] of encoded.tables) await copyRows(client, table, data);
      done += encoded.count;
      options.onProgress?.(done);
    }
    for (const [table, trigger] of LINK_TRIGGERS) {
      await client.query(
        `UPDATE "${table}" l SET "visibleFrom" = "article_visible_from"(a."status", a."publishedAt", a."deletedAt")
           FROM "Article" a WHERE a.id = l."articleId" AND l."articleId" >= $1`,
        [firstArticleId],
      );
      await client.query(`ALTER TABLE "${table}" ENABLE TRIGGER "${trigger}"`);
    }
    options.onIndexing?.();
    // What is left in the GIN pending lists, merged now: a search would otherwise read it all.
    await client.query(
      `SELECT gin_clean_pending_list(x.indexrelid)
         FROM pg_index x
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         JOIN pg_class i ON i.oid = x.indexrelid
        WHERE n.nspname = current_schema() AND t.relname = ANY($1)
          AND i.relam = (SELECT oid FROM pg_am WHERE amname = 'gin')`,
      [SEED_TABLES],
    );
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
