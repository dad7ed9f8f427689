// Cache hints: how long a response may be cached (per-field classes, the response gets the minimum)
// and which lists it was built from (list keys, added by the list fields as they resolve).
import {
  type DocumentNode,
  type GraphQLSchema,
  Kind,
  type ValueNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  defaultFieldResolver,
  isObjectType,
  type GraphQLFieldResolver,
} from 'graphql';
import type { CacheConfig } from '../config.ts';
import { articleSlugKey, LATEST, ownerListKey, PHOTO, rankingKey, slugListKey, type ListOwner } from './keys.ts';

export type CacheClass = 'article' | 'list' | 'counter' | 'none';

/** Fields that make a response short-lived; every other field is `article` (long). */
const FIELD_CLASS: Record<string, CacheClass> = {
  'Article.viewCount': 'counter',
  'Article.likeCount': 'counter',
  'Article.uniqueViewers': 'counter',
  'Query.mostViewed': 'counter',
  'Query.latestArticles': 'list',
  'Query.photoNews': 'list',
  'Query.articles': 'list',
  'Query.search': 'list',
  'Query.sections': 'list',
  'Section.articles': 'list',
  'Reporter.articles': 'list',
  'Tag.articles': 'list',
  'Article.previous': 'list',
  'Article.next': 'list',
  'Article.related': 'list',
  // Introspection is never cached.
  'Query.__schema': 'none',
  'Query.__type': 'none',
};

function argumentValue(value: ValueNode | undefined, variables: Record<string, unknown> | undefined): unknown {
  if (!value) return undefined;
  if (value.kind === Kind.VARIABLE) return variables?.[value.name.value];
  if (value.kind === Kind.BOOLEAN || value.kind === Kind.ENUM || value.kind === Kind.STRING) return value.value;
  return undefined;
}

/** Max ages of documents whose answer does not depend on their variables (Yoga reuses parsed documents). */
const constantMaxAges = new WeakMap<CacheConfig['maxAge'], WeakMap<DocumentNode, number>>();

/**
 * Seconds the response to `document` may be cached: the minimum over the fields it selects (0 =
 * not at all). A `preview: true` argument makes it uncacheable; ordering by views makes it a counter.
 * Computed once per document unless one of those arguments is a variable.
 */
export function documentMaxAge(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  maxAge: CacheConfig['maxAge'],
): number {
  let known = constantMaxAges.get(maxAge);
  if (!known) constantMaxAges.set(maxAge, (known = new WeakMap()));
  const cached = known.get(document);
  if (cached !== undefined) return cached;
  const seconds: Record<CacheClass, number> = { ...maxAge, none: 0 };
  let result = maxAge.article;
  let readsVariables = false;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        if (node.operation !== 'query') result = 0;
      },
      Field(node) {
        const parent = typeInfo.getParentType();
        let cls: CacheClass = (parent && FIELD_CLASS[`${parent.name}.${node.name.value}`]) || 'article';
        for (const arg of node.arguments ?? []) {
          if (arg.name.value !== 'preview' && arg.name.value !== 'orderBy') continue;
          if (arg.value.kind === Kind.VARIABLE) readsVariables = true;
          const value = argumentValue(arg.value, variables);
          if (arg.name.value === 'preview' && value === true) cls = 'none';
          if (arg.name.value === 'orderBy' && value === 'VIEW_COUNT' && cls !== 'none') cls = 'counter';
        }
        result = Math.min(result, seconds[cls]);
      },
    }),
  );
  if (!readsVariables) known.set(document, result);
  return result;
}

/** The list keys one execution collected, by context. */
const collected = new WeakMap<object, Set<string>>();

export function listKeysOf(context: object): Set<string> {
  let set = collected.get(context);
  if (!set) collected.set(context, (set = new Set()));
  return set;
}

// biome-ignore lint/suspicious/noExplicitAny: GraphQL field arguments arrive untyped
type Args = Record<string, any>;
type Row = { id: number; sectionId?: number; slug?: string };

const filterKeys = (filter: Args | null | undefined): string[] => {
  const keys: string[] = [];
  if (filter?.section != null) keys.push(slugListKey('section', filter.section));
  if (filter?.reporter != null) keys.push(slugListKey('reporter', filter.reporter));
  if (filter?.tag != null) keys.push(slugListKey('tag', filter.tag));
  return keys.length ? keys : [LATEST];
};
const sectionArg = (args: Args, otherwise: string) =>
  args.section != null ? slugListKey('section', args.section) : otherwise;
const ownerList = (owner: ListOwner) => (parent: Row) => [ownerListKey(owner, parent.id)];

/**
 * The lists each list field reads, from its parent, arguments and result. A new article that would
 * join such a list purges its key (src/cache/purge.ts names the same keys).
 */
const LIST_FIELDS: Record<string, (parent: Row, args: Args, result: unknown) => string[]> = {
  'Query.latestArticles': (_p, args) => [sectionArg(args, LATEST)],
  'Query.photoNews': (_p, args) => [sectionArg(args, PHOTO)],
  'Query.articles': (_p, args) => filterKeys(args.filter),
  'Query.search': (_p, args) => filterKeys(args.filter),
  'Query.mostViewed': (_p, args) => [
    rankingKey(String(args.window ?? 'DAY')),
    ...(args.section != null ? [slugListKey('section', args.section)] : []),
  ],
  'Query.sections': () => ['sections'],
  // A lookup that finds nothing is cached too: publishing the article purges it by id and slug.
  'Query.article': (_p, args) =>
    args.id != null
      ? [encodeURIComponent(String(args.id))]
      : args.slug != null
        ? [articleSlugKey(String(args.slug))]
        : [],
  'Section.articles': ownerList('section'),
  'Reporter.articles': ownerList('reporter'),
  'Tag.articles': ownerList('tag'),
  // Only a new article changes a "next" that is null (publication is always at the end of the order).
  'Article.next': (p, args, result) =>
    result != null ? [] : args.sameSection && p.sectionId != null ? [ownerListKey('section', p.sectionId)] : [LATEST],
  // Related: by tag, then from the section; the section's list stands for both (the list TTL bounds the rest).
  'Article.related': (p) => (p.sectionId != null ? [ownerListKey('section', p.sectionId)] : [LATEST]),
};

const wrapped = new WeakSet<GraphQLSchema>();

/**
 * Wraps the list fields' resolvers so each records its list keys in the execution's context. The
 * schema's field objects are changed in place, once per schema.
 */
export function recordListKeys(schema: GraphQLSchema): void {
  if (wrapped.has(schema)) return;
  wrapped.add(schema);
  for (const [coordinate, keysOf] of Object.entries(LIST_FIELDS)) {
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    const field = type.getFields()[fieldName];
    if (!field) continue;
    // biome-ignore lint/suspicious/noExplicitAny: wraps resolvers of every type
    const resolve: GraphQLFieldResolver<any, any> = field.resolve ?? defaultFieldResolver;
    field.resolve = async (parent, args, context, info) => {
      const result = await resolve(parent, args, context, info);
      for (const key of keysOf(parent ?? {}, args, result)) listKeysOf(context).add(key);
      return result;
    };
  }
}
