// The links of an article page (previous/next, overall and in the section, and related articles),
// found in the same round trip as the article itself. Looked up one level below the article, they
// would wait for it: the page would be three sequential round trips (article; previous, next and
// related ids; related rows) instead of two (article and its links; the linked rows, one statement).
//
// `article(slug:|id:)` looks at the fields asked of the article; when previous, next or related are
// among them it sends one more statement beside the article's own: the same lookup and visibility
// rule, each link as a correlated subquery (an index range by the row comparison
// `("publishedAt", id) < (a."publishedAt", a.id)`). The fields then load their rows by id, in one
// statement per selection (`loadArticlesBatched`). A field whose link was not looked up here (another
// argument, an article reached another way) runs its own query, as before.
import {
  type FieldNode,
  getArgumentValues,
  type GraphQLResolveInfo,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import type { Context } from '../context.ts';
import { Params, relatedIdsSql } from './list-query.ts';
import { clockSql, visibleArticleSql } from './visibility.ts';

/** The link fields asked of an article, with their arguments. */
export interface WantedLinks {
  /** Values of `sameSection` asked of `previous`. */
  previous: Set<boolean>;
  next: Set<boolean>;
  /** `related(first:)`: the first valid value asked (1 to 20); others run their own query. */
  related?: number;
}

export interface ArticleLinks {
  /** The article these links belong to (checked against the article row). */
  id: number;
  previous: Map<boolean, number | null>;
  next: Map<boolean, number | null>;
  related?: { first: number; ids: number[] };
}

/** The links looked up beside an article row (the row object the children get as parent). */
const linksOf = new WeakMap<object, Promise<ArticleLinks | null>>();

/** Link fields in the article field's selection (fragments and deferred fragments included). */
export function wantedLinks(info: GraphQLResolveInfo): WantedLinks | null {
  const type = info.schema.getType('Article');
  if (!isObjectType(type)) return null;
  const fields = type.getFields();
  const wanted: WantedLinks = { previous: new Set(), next: new Set() };
  let any = false;
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined) => {
    for (const node of set?.selections ?? []) {
      if (node.kind === Kind.INLINE_FRAGMENT) visit(node.selectionSet);
      else if (node.kind === Kind.FRAGMENT_SPREAD) {
        if (seen.has(node.name.value)) continue;
        seen.add(node.name.value);
        visit(info.fragments[node.name.value]?.selectionSet);
      } else if (['previous', 'next', 'related'].includes(node.name.value)) {
        const name = node.name.value as 'previous' | 'next' | 'related';
        const args = argumentsOf(fields[name]!, node, info);
        if (!args) continue;
        if (name === 'related') {
          const first = args.first;
          if (wanted.related === undefined && typeof first === 'number' && first > 0 && first <= 20) {
            wanted.related = first;
            any = true;
          }
        } else {
          wanted[name].add(args.sameSection === true);
          any = true;
        }
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet);
  return any ? wanted : null;
}

function argumentsOf(
  field: Parameters<typeof getArgumentValues>[0],
  node: FieldNode,
  info: GraphQLResolveInfo,
): Record<string, unknown> | null {
  try {
    return getArgumentValues(field, node, info.variableValues);
  } catch {
    return null;
  }
}

/** The statement's text per shape (which links, lookup by id or slug, related's limit): at most 64 × 21 texts. */
const statements = new Map<string, string>();

/**
 * Parameters: $1 the request's instant, $2 the article's id or slug; `related`'s limit is a literal. The
 * instant and the lookup are InitPlans (src/articles/row-sql.ts): PostgreSQL plans the statement once
 * per connection instead of at every run (0.84 ms a page when one article was asked again and again).
 */
function linksSql(wanted: WantedLinks, by: 'id' | 'slug'): string {
  const params = new Params();
  const now = params.add('now');
  const clock = clockSql(now);
  const columns = ['a.id'];
  const neighbour = (direction: 'previous' | 'next', sameSection: boolean) => {
    const [op, dir] = direction === 'previous' ? ['<', 'DESC'] : ['>', 'ASC'];
    return `(SELECT p.id FROM "Article" p WHERE ${visibleArticleSql(now, 'p', undefined, clock)}${sameSection ? ' AND p."sectionId" = a."sectionId"' : ''}
      AND (p."publishedAt", p.id) ${op} (a."publishedAt", a.id) ORDER BY p."publishedAt" ${dir}, p.id ${dir} LIMIT 1)`;
  };
  for (const direction of ['previous', 'next'] as const) {
    for (const sameSection of [false, true]) {
      if (wanted[direction].has(sameSection))
        columns.push(`${neighbour(direction, sameSection)} AS "${direction}${sameSection ? 'InSection' : ''}"`);
    }
  }
  if (wanted.related !== undefined) {
    const limit = String(wanted.related);
    columns.push(`ARRAY(${relatedIdsSql(now, 'a.id', 'a."sectionId"', limit, clock)}) AS "related"`);
  }
  const lookup = `a.${by} = ${params.addUnseen(by, by === 'id' ? 'int' : 'text')}`;
  return `SELECT ${columns.join(',\n  ')}\nFROM "Article" a WHERE ${lookup} AND ${visibleArticleSql(now, 'a', undefined, clock)}`;
}

/**
 * Sends the statement for an article's links, by the same lookup as the article (its id or slug) under
 * the visibility rule; `attach` ties the answer to the article's row once that has arrived.
 */
export function lookUpLinks(
  ctx: Pick<Context, 'prisma' | 'now'>,
  article: { id: number } | { slug: string },
  wanted: WantedLinks,
): Promise<ArticleLinks | null> {
  const by = 'id' in article ? 'id' : 'slug';
  const has = (set: Set<boolean>) => `${set.has(false) ? 'a' : ''}${set.has(true) ? 's' : ''}`;
  const shape = `${by}:${has(wanted.previous)}:${has(wanted.next)}:${wanted.related ?? ''}`;
  let sql = statements.get(shape);
  if (sql === undefined) statements.set(shape, (sql = linksSql(wanted, by)));
  const values: unknown[] = [ctx.now.toISOString(), 'id' in article ? article.id : article.slug];
  type Row = Record<string, number | null> & { id: number; related?: number[] };
  const links = ctx.prisma.$queryRawUnsafe<Row[]>(sql, ...values).then(([row]) => {
    if (!row) return null;
    const links: ArticleLinks = { id: row.id, previous: new Map(), next: new Map() };
    for (const direction of ['previous', 'next'] as const) {
      for (const sameSection of wanted[direction])
        links[direction].set(sameSection, row[`${direction}${sameSection ? 'InSection' : ''}`] ?? null);
    }
    if (wanted.related !== undefined) links.related = { first: wanted.related, ids: row.related ?? [] };
    return links;
  });
  // Nobody may ask for them (no article): a failure is then nobody's error.
  links.catch(() => {});
  return links;
}

/** Ties looked-up links to the article row the link fields get as their parent. */
export function attachLinks(row: object, links: Promise<ArticleLinks | null>): void {
  linksOf.set(row, links);
}

/**
 * The link looked up beside this article row, or undefined when it was not (the field then runs its
 * own query). `pick` chooses the link from the looked-up ones; undefined means not looked up.
 */
export async function attachedLink<T>(
  row: { id: number },
  pick: (links: ArticleLinks) => T | undefined,
): Promise<T | undefined> {
  const links = await linksOf.get(row);
  // Another article than the row (changed between the two statements): not these links.
  if (!links || links.id !== row.id) return undefined;
  return pick(links);
}
