// Rows of seeded articles in COPY's text format, a chunk at a time (copy.ts, copy-worker.ts).
import { type Column, type NewArticle, SEED_COLUMNS, SEED_TABLES, type SeedTable, articleRows } from './insert.ts';

/** A value in COPY's text format: backslash, line breaks and tabs escaped. */
const NEEDS_ESCAPE = /[\\\n\r\t]/;
function escapeText(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

/** An array literal, every element quoted (`"` and `\` in it escaped), before the field escaping. */
const ARRAY_SPECIAL = /["\\]/;
function arrayLiteral(items: string[]): string {
  if (items.length === 0) return '{}';
  if (!ARRAY_SPECIAL.test(items.join(''))) return `{"${items.join('","')}"}`;
  return `{${items.map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** One value in COPY's text format, by the type it is written as (null is `\N`, written by copyText). */
const ENCODERS: Record<Column, (value: unknown) => string> = {
  int: (value) => String(value),
  text: (value) => escapeText(String(value)),
  status: (value) => escapeText(String(value)),
  jsonb: (value) => escapeText(JSON.stringify(value)),
  'text[]': (value) => escapeText(arrayLiteral(value as string[])),
  // timestamp(3) without time zone holds UTC; the zone in the ISO string is ignored on input.
  timestamp: (value) => (value as Date).toISOString(),
  bool: (value) => (value ? 't' : 'f'),
};

export function copyText(rows: Record<string, unknown>[], columns: Record<string, Column>): string {
  const names = Object.keys(columns);
  const encoders = names.map((n) => ENCODERS[columns[n]!]);
  let out = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < names.length; i++) {
      const value = row[names[i]!];
      if (i > 0) line += '\t';
      line += value === null || value === undefined ? '\\N' : encoders[i]!(value);
    }
    out += `${line}\n`;
  }
  return out;
}

/** A chunk of articles encoded for COPY: per table (in SEED_TABLES order), its rows as UTF-8. */
export interface EncodedChunk {
  count: number;
  tables: [SeedTable, Uint8Array][];
  nextArticleId: number;
  nextMediaId: number;
}

function encodeChunk(articles: NewArticle[], firstArticleId: number, firstMediaId: number): EncodedChunk {
  const built = articleRows(articles, firstArticleId, firstMediaId);
  return {
    count: articles.length,
    tables: SEED_TABLES.map((table) => {
      const text = copyText(built.rows[table], SEED_COLUMNS[table]);
      // Its own ArrayBuffer (not the shared pool), so a worker can transfer it.
      const bytes = new Uint8Array(Buffer.byteLength(text));
      Buffer.from(bytes.buffer).write(text);
      return [table, bytes];
    }),
    nextArticleId: built.nextArticleId,
    nextMediaId: built.nextMediaId,
  };
}

/** `articles` encoded `size` at a time, ids counted on from the first ones (copy.ts, and its worker thread). */
export function* encodedChunks(
  articles: Iterable<NewArticle>,
  size: number,
  firstArticleId: number,
  firstMediaId: number,
): Generator<EncodedChunk> {
  let ids = { nextArticleId: firstArticleId, nextMediaId: firstMediaId };
  let chunk: NewArticle[] = [];
  for (const article of articles) {
    chunk.push(article);
    if (chunk.length === size) {
      yield (ids = encodeChunk(chunk, ids.nextArticleId, ids.nextMediaId));
      chunk = [];
    }
  }
  if (chunk.length) yield encodeChunk(chunk, ids.nextArticleId, ids.nextMediaId);
}
