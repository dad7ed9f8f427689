// Fields of rows written by hand (src/articles/row-sql.ts) resolved without the Prisma plugin's
// per-row bookkeeping. For every field that selects from its parent row (a relation, or `select:`),
// @pothos/plugin-prisma looks up the mapping recorded for the row's response path and records the
// nested one for its children: per row and field a path string and a dozen WeakMap operations, 14% of
// the API's CPU on a reporter page (20 rows, `section { name }`) once the statements were plain SQL.
//
// A row-sql row (and its section and lead image) was read for exactly the selection Pothos planned for
// its field, so a field of it whose data is on the row (the relation loaded, or the selected columns
// present) is answered by the field's own resolver. Only where nothing below needs a mapping: a field
// that reads columns (every exposed column of a model declared with `select`, as all of them are), or
// a relation to a type whose fields read only columns (Section, Media; not Reporter or Tag, whose
// `articles` select more). Anything else, and every row Prisma returned, takes the plugin's
// path as before. Between scope-auth and the Prisma plugin: authorisation still runs first.
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import { type GraphQLFieldResolver, type GraphQLResolveInfo, getNamedType, isObjectType } from 'graphql';

/** Marks a row as written by row-sql: on its prototype, so it is no property of the row's own. */
export const PLAIN_ROW = Symbol('plain row');
const PLAIN = Object.freeze({ [PLAIN_ROW]: true });

/** A new, empty row marked as written by hand (its section and lead image too). */
export function plainRow(): Record<string, unknown> {
  return Object.create(PLAIN) as Record<string, unknown>;
}

const pluginName = 'plainRows';

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      plainRows: PlainRowsPlugin<Types>;
    }
  }
}

/** The parent's columns a field selects when its selection is only columns (`{ col: true }`), else null. */
function columnsOf(select: unknown): string[] | null {
  if (!select || typeof select !== 'object') return null;
  const values = Object.values(select);
  return values.length > 0 && values.every((v) => v === true) ? Object.keys(select) : null;
}

/** Whether a field of the field's return type selects more than columns from its row (it needs mappings). */
function childrenNeedMappings(info: GraphQLResolveInfo): boolean {
  const type = getNamedType(info.returnType);
  if (!isObjectType(type)) return false;
  return Object.values(type.getFields()).some((f) => {
    const select = f.extensions?.pothosPrismaSelect;
    return select != null && select !== false && !columnsOf(select);
  });
}

export class PlainRowsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const own = fieldConfig.resolve as GraphQLFieldResolver<unknown, Types['Context'], object> | undefined;
    const extensions = fieldConfig.extensions ?? {};
    if (fieldConfig.kind !== 'PrismaObject' || !extensions.pothosPrismaSelect || !own) return resolver;
    const relation = (extensions.pothosPrismaRelationField as { name: string } | undefined)?.name;
    // The parent's columns the field reads: the relation's, or its columns (an exposed column, a
    // `select:` of columns).
    const keys = relation ? [relation] : columnsOf(extensions.pothosPrismaSelect);
    if (!keys) return resolver;
    // Decided at the first plain row (the return type's fields exist by then).
    let plain: boolean | undefined;
    return (parent, args, context, info) => {
      const row = parent as Record<string | symbol, unknown>;
      if (row[PLAIN_ROW] === true && keys.every((k) => row[k] !== undefined)) {
        plain ??= !(relation && childrenNeedMappings(info));
        if (plain) return own(parent, args, context, info);
      }
      return resolver(parent, args, context, info);
    };
  }
}

SchemaBuilder.registerPlugin(pluginName, PlainRowsPlugin);

export default pluginName;
