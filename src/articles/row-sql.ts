// Article rows of the hottest reads (list pages, article pages, loads by id) as plain SQL instead of
// a Prisma query. Prisma renders a selection with relations as nested JSON built in PostgreSQL
// (LATERAL subqueries with JSONB_BUILD_OBJECT), which it then parses and copies again in the client;
// and it binds the clock and the LIMIT as parameters, so PostgreSQL re-plans the statement on every
// run (below). For the selections pages ask most, the article's columns, its section, its lead image,
// its byline and its tags, this writes the same rows as flat columns (the byline and the tags one JSON
// array each), and shapes them as Prisma would return them, so Pothos reads them as the field's own
// query. Any other selection (counts, a relation with arguments, a column type JSON would change) gets
// null here and stays with Prisma.
//
// Why the statements are planned once: a named statement gets a generic plan only when its cost is no
// worse than the custom plans' (plan_cache_mode=auto). The clock as a parameter (`publishedAt <= $2`)
// is estimated from the histogram in a custom plan (every row is past) and at a default third in the
// generic one, so the generic plan looked 3-9 times dearer and the statement was planned again on every
// run: 0.6 ms of PostgreSQL CPU for the reporter page's statement, whose execution takes 0.1. Here the
// clock is an InitPlan (`clockSql`), which both plans estimate alike, and the LIMIT a literal: the
// same page statement cost 0.11 ms per run (bench/README.md).
import { getDatamodel } from '../generated/pothos-types.ts';
import { plainRow } from '../plain-rows-plugin.ts';

interface ModelField {
  name: string;
  kind: string;
  type: string;
  isList: boolean;
  isRequired: boolean;
}

const models = getDatamodel().datamodel.models as unknown as Record<string, { fields: ModelField[] }>;
const fieldsOf = (model: string) => new Map(models[model]!.fields.map((f) => [f.name, f]));
const ARTICLE = fieldsOf('Article');
const column = (f: ModelField | undefined) => f != null && (f.kind === 'scalar' || f.kind === 'enum');
/** Column types that come back from a JSON value as Prisma returns them (no Date, BigInt or Decimal). */
const JSON_EXACT = new Set(['String', 'Int', 'Boolean']);

/** The to-one relations written as joins: their table and alias, the article's key column. */
const TO_ONE: Record<string, { model: string; alias: string; key: string; required: boolean }> = {
  section: { model: 'Section', alias: 's', key: 'sectionId', required: true },
  leadImage: { model: 'Media', alias: 'm', key: 'leadImageId', required: false },
};

export interface ArticleRowSql {
  /** The select list over the article `a` and the joins. */
  columns: string;
  /** LEFT JOINs of the to-one relations selected (after `FROM … "Article" a`). */
  joins: string;
  /** Turns a result row into the row Prisma would have returned for the selection. */
  shape(row: Record<string, unknown>): Record<string, unknown>;
}

const quote = (name: string) => `"${name}"`;

/** The selected scalar columns of `model` (`true`: all of them), or null if something else is asked. */
export function scalarSelection(model: string, selection: unknown): string[] | null {
  const fields = fieldsOf(model);
  if (selection === true) return [...fields.values()].filter(column).map((f) => f.name);
  const select = plainSelect(selection);
  if (!select) return null;
  const names: string[] = [];
  for (const [name, value] of Object.entries(select)) {
    if (value === false || value === undefined) continue;
    if (value !== true || !column(fields.get(name))) return null;
    names.push(name);
  }
  return names;
}

/** `{ select: {…} }` with nothing else (no where, orderBy, take, include), or null. */
function plainSelect(selection: unknown): Record<string, unknown> | null {
  if (typeof selection !== 'object' || selection === null) return null;
  const { select, ...rest } = selection as { select?: unknown };
  if (Object.keys(rest).length > 0 || typeof select !== 'object' || select === null) return null;
  return select as Record<string, unknown>;
}

/**
 * The to-many relations written as one JSON array each: the link table's rows in the order Prisma is
 * asked for (`orderBy`, as JSON), each with its linked row (the byline's reporters, the tags).
 */
const TO_MANY: Record<string, { table: string; field: string; model: string; orderBy: string; order: string }> = {
  reporters: {
    table: 'ArticleReporter',
    field: 'reporter',
    model: 'Reporter',
    orderBy: '{"position":"asc"}',
    order: 'l."position"',
  },
  tags: { table: 'ArticleTag', field: 'tag', model: 'Tag', orderBy: '{"tag":{"name":"asc"}}', order: 'r."name"' },
};

/** A to-many relation of `TO_MANY` as one JSON array, or null for another selection of it. */
function linkListSql(name: string, selection: unknown): string | null {
  const many = TO_MANY[name];
  if (!many || typeof selection !== 'object' || selection === null) return null;
  const { orderBy, select, ...rest } = selection as { orderBy?: unknown; select?: Record<string, unknown> };
  if (Object.keys(rest).length > 0 || JSON.stringify(orderBy) !== many.orderBy) return null;
  if (!select || Object.keys(select).some((k) => k !== many.field)) return null;
  const fields = scalarSelection(many.model, select[many.field]);
  const model = fieldsOf(many.model);
  if (!fields || fields.some((f) => !JSON_EXACT.has(model.get(f)!.type))) return null;
  const object = fields.map((f) => `'${f}', r.${quote(f)}`).join(', ');
  return `(SELECT coalesce(json_agg(json_build_object(${object}) ORDER BY ${many.order}), '[]')
      FROM ${quote(many.table)} l JOIN ${quote(many.model)} r ON r.id = l.${quote(`${many.field}Id`)} WHERE l."articleId" = a.id)`;
}

function compile(selection: unknown): ArticleRowSql | null {
  const select = plainSelect(selection);
  if (!select) return null;
  const columns: string[] = [];
  const joins: string[] = [];
  const steps: ((row: Record<string, unknown>, out: Record<string, unknown>) => void)[] = [];
  for (const [name, value] of Object.entries(select)) {
    if (value === false || value === undefined) continue;
    const field = ARTICLE.get(name);
    if (column(field)) {
      if (value !== true) return null;
      columns.push(`a.${quote(name)}`);
      steps.push((row, out) => {
        out[name] = row[name];
      });
      continue;
    }
    const one = TO_ONE[name];
    if (one) {
      const fields = scalarSelection(one.model, value);
      if (!fields) return null;
      joins.push(`LEFT JOIN ${quote(one.model)} ${one.alias} ON ${one.alias}.id = a.${quote(one.key)}`);
      // The relation's id tells a missing lead image (null) from one with every selected field null.
      const present = `${name}.${fields.includes('id') ? 'id' : '$id'}`;
      if (!fields.includes('id')) columns.push(`${one.alias}.id AS ${quote(present)}`);
      for (const f of fields) columns.push(`${one.alias}.${quote(f)} AS ${quote(`${name}.${f}`)}`);
      steps.push((row, out) => {
        if (row[present] == null) {
          out[name] = null;
          return;
        }
        const related = plainRow();
        for (const f of fields) related[f] = row[`${name}.${f}`];
        out[name] = related;
      });
      continue;
    }
    const list = linkListSql(name, value);
    if (list) {
      const { field } = TO_MANY[name]!;
      columns.push(`${list} AS ${quote(name)}`);
      steps.push((row, out) => {
        out[name] = (row[name] as Record<string, unknown>[]).map((linked) => ({ [field]: linked }));
      });
      continue;
    }
    return null;
  }
  // Rows are keyed by id in list order: always read it, even when the selection does not.
  if (!('id' in select) || select.id !== true) columns.push('a.id');
  return {
    columns: columns.join(', '),
    joins: joins.join(' '),
    shape(row) {
      const out = plainRow();
      for (const step of steps) step(row, out);
      return out;
    },
  };
}

/** Compiled selections by their JSON (one per field and set of requested subfields: a small set). */
const compiled = new Map<string, ArticleRowSql | null>();
const MAX_COMPILED = 1000;

/**
 * The SQL of an article selection from Pothos (`{ select: … }`), or null when it asks for something
 * only Prisma writes. Reads every property of the selection (Pothos checks its query was used).
 */
export function articleRowSql(selection: object): ArticleRowSql | null {
  const key = JSON.stringify(selection);
  let entry = compiled.get(key);
  if (entry === undefined) {
    entry = compile(selection);
    if (compiled.size < MAX_COMPILED) compiled.set(key, entry);
  }
  return entry;
}
