// Plans of the SQL the app sends: a generated archive-sized corpus and EXPLAIN of logged statements.
import pg from 'pg';
import { generateArticles } from '../../src/seed/corpus.ts';
import { copyArticles } from '../../src/seed/copy.ts';
import { seedReferenceData } from '../../src/seed/demo.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';

/** Tables a reader query must never read whole. */
export const GUARDED_TABLES = ['Article', 'ArticleReporter', 'ArticleTag'];

/**
 * Adds `total` generated articles: `total / copies` made by the seed generator (COPY), then that
 * many again `copies - 1` times by one INSERT … SELECT per table, each copy moved two years further
 * back (new ids and slugs, view counts varied): an archive of the right size in seconds.
 */
export async function seedArchive(prisma: PrismaClient, url: string, total: number, copies = 10): Promise<void> {
  const base = Math.ceil(total / copies);
  const refs = await seedReferenceData(prisma);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const first = Number((await client.query('SELECT coalesce(max(id), 0) + 1 AS id FROM "Article"')).rows[0].id);
    await copyArticles(
      url,
      (function* () {
        for (const a of generateArticles(base, refs, 7)) yield { ...a, slug: `plan-${a.slug}` };
      })(),
    );
    const columns = async (table: string) =>
      (
        await client.query<{ name: string }>(
          `SELECT column_name AS name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
          [table],
        )
      ).rows.map((r) => r.name);
    const shifted: Record<string, string> = {
      id: 'id + k * $2',
      slug: `slug || '-' || k`,
      publishedAt: `"publishedAt" - k * interval '730 days'`,
      createdAt: `"createdAt" - k * interval '730 days'`,
      updatedAt: `"updatedAt" - k * interval '730 days'`,
      editedAt: `"editedAt" - k * interval '730 days'`,
      viewCount: `("viewCount" * 7 + k * 131) % 4000`,
    };
    const article = await columns('Article');
    await client.query(
      `INSERT INTO "Article" (${article.map((c) => `"${c}"`).join(', ')})
       SELECT ${article.map((c) => shifted[c] ?? `"${c}"`).join(', ')} FROM "Article", generate_series(1, ${copies - 1}) k WHERE id >= $1 AND id < $1 + $2`,
      [first, base],
    );
    for (const table of ['ArticleReporter', 'ArticleTag']) {
      const cols = (await columns(table)).filter((c) => c !== 'visibleFrom');
      await client.query(
        `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')})
         SELECT ${cols.map((c) => (c === 'articleId' ? '"articleId" + k * $2' : `"${c}"`)).join(', ')}
         FROM "${table}", generate_series(1, ${copies - 1}) k WHERE "articleId" >= $1 AND "articleId" < $1 + $2`,
        [first, base],
      );
    }
    await client.query(`SELECT setval(pg_get_serial_sequence('"Article"', 'id'), (SELECT max(id) FROM "Article"))`);
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

export interface Statement {
  sql: string;
  params: unknown[];
}

export interface PlanReport {
  sql: string;
  /** "Seq Scan on X" for each guarded table read whole. */
  seqScans: string[];
  /** Shared buffers the statement touched (hit + read), planning excluded. */
  buffers: number;
  /**
   * "<index>: <condition>" for each GIN index scan with a condition open towards the oldest articles
   * (`publishedAt <` or `<=`): in a GIN index each condition is a scan of its own, over that whole range.
   */
  openGinRanges: string[];
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

function seqScans(node: PlanNode, out: string[] = []): string[] {
  if (node['Node Type'] === 'Seq Scan' && GUARDED_TABLES.includes(node['Relation Name'] ?? ''))
    out.push(`Seq Scan on ${node['Relation Name']}`);
  for (const child of node.Plans ?? []) seqScans(child, out);
  return out;
}

function indexScans(node: PlanNode, out: PlanNode[] = []): PlanNode[] {
  if (node['Index Name']) out.push(node);
  for (const child of node.Plans ?? []) indexScans(child, out);
  return out;
}

const OPEN_TIME_RANGE = /"publishedAt" <=? /;

async function openGinRanges(client: pg.Client, plan: PlanNode): Promise<string[]> {
  const out: string[] = [];
  for (const scan of indexScans(plan)) {
    const cond = scan['Index Cond'] ?? '';
    if (!OPEN_TIME_RANGE.test(cond)) continue;
    const { rows } = await client.query<{ amname: string }>(
      `SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam WHERE c.relname = $1`,
      [scan['Index Name']],
    );
    if (rows[0]?.amname === 'gin') out.push(`${scan['Index Name']}: ${cond}`);
  }
  return out;
}

async function report(client: pg.Client, sql: string, rows: { 'QUERY PLAN': unknown }[]): Promise<PlanReport> {
  const plan = (rows[0]!['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan;
  return {
    sql,
    seqScans: seqScans(plan),
    buffers: (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0),
    openGinRanges: await openGinRanges(client, plan),
  };
}

const EXPLAIN = 'EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON)';

/**
 * Runs EXPLAIN (ANALYZE, BUFFERS, TIMING OFF): no timings, only the plan and the buffers it touched.
 * The plan is the one PostgreSQL makes for these parameter values (a custom plan).
 */
export async function explain(client: pg.Client, statement: Statement): Promise<PlanReport> {
  const { rows } = await client.query(`${EXPLAIN} ${statement.sql}`, statement.params);
  return report(client, statement.sql, rows);
}

/** A parameter as an SQL literal of unknown type (PostgreSQL casts it to the parameter's type). */
function literal(client: pg.Client, value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) {
    const items = value.map((v) => (v === null ? 'NULL' : `"${String(v).replace(/[\\"]/g, '\\$&')}"`));
    return client.escapeLiteral(`{${items.join(',')}}`);
  }
  return client.escapeLiteral(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/**
 * The same for the generic plan, planned without seeing the parameters: the plan PostgreSQL may keep
 * for a named statement (src/db/prepared-statements.ts) after its first five runs, when it estimates
 * it no worse than the custom ones (plan_cache_mode=auto). PostgreSQL 15 shows it through PREPARE
 * and EXPLAIN EXECUTE under force_generic_plan.
 */
export async function explainGeneric(client: pg.Client, statement: Statement): Promise<PlanReport> {
  await client.query('SET plan_cache_mode = force_generic_plan');
  await client.query(`PREPARE plan_guard_generic AS ${statement.sql}`);
  try {
    const args = statement.params.map((v) => literal(client, v)).join(', ');
    const { rows } = await client.query(`${EXPLAIN} EXECUTE plan_guard_generic${args ? `(${args})` : ''}`);
    return report(client, statement.sql, rows);
  } finally {
    await client.query('DEALLOCATE plan_guard_generic');
    await client.query('RESET plan_cache_mode');
  }
}
