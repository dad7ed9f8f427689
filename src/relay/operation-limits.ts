// An envelop plugin that checks the shape of every operation before anything executes:
// - every connection field's first/last/after/before (nested connections are planned into their
//   parent's query by the Prisma plugin, so a per-field check would come too late), naming the argument;
// - depth, aliases, and how many list items the operation could load in all (`first` multiplied down
//   each path: articles(first: 100) { related(first: 20) { related(first: 20) … } } is refused).
// Fragments are followed where they are spread, so they cannot hide nesting; introspection's own fields
// (`__schema`, `__type`, `__typename`) are walked and counted like any other.
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
  type GraphQLField,
  getArgumentValues,
  getVariableValues,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type ValueNode,
} from 'graphql';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { userError } from '../errors.ts';
import {
  checkPageSize,
  checkRowConnectionArgs,
  DEFAULT_PAGE_SIZE,
  type PageArgs,
  parseOffsetCursor,
} from './connection-args.ts';

const CONNECTION_ARGS = ['first', 'last', 'after', 'before'];

/** Set on a connection field's `extensions` when its cursors are not row cursors. */
export interface PaginationExtension {
  pagination?: { cursor: 'row' | 'offset' };
}

export interface OperationLimits {
  maxPageSize: number;
  /** Deepest field nesting. */
  maxDepth: number;
  /** Aliased fields per operation (each alias can repeat a costly field). */
  maxAliases: number;
  /** Items all lists together could return: the product of `first` down each path, summed. */
  maxListItems: number;
}

export const DEFAULT_LIMITS: Omit<OperationLimits, 'maxPageSize'> = {
  maxDepth: 15,
  maxAliases: 30,
  maxListItems: 10_000,
};

function tooComplex(message: string): GraphQLError {
  return userError('BAD_USER_INPUT', message, { reason: 'QUERY_TOO_COMPLEX' });
}

/** A field's definition, introspection's own included (`__schema`, `__type`, `__typename`): they count like any other. */
function fieldDef(
  schema: GraphQLSchema,
  type: GraphQLCompositeType,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (type === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

function checkConnectionArgs(args: PageArgs, kind: 'row' | 'offset', maxSize: number) {
  if (kind === 'offset') {
    checkPageSize(args, maxSize);
    if (args.after != null) parseOffsetCursor('after', args.after);
    if (args.before != null) parseOffsetCursor('before', args.before);
  } else {
    checkRowConnectionArgs(args, maxSize);
  }
}

/** Whether a value reads a variable anywhere inside it (lists and input objects included). */
function readsVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(readsVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((f) => readsVariable(f.value));
  return false;
}

export interface OperationCheck {
  error: GraphQLError | null;
  /** A page argument was a variable: the same document may pass or fail with other variables. */
  variablePages: boolean;
}

export function checkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  limits: OperationLimits,
): OperationCheck {
  let variablePages = false;
  /** The variables of the operation being walked, coerced. */
  let coerced: Record<string, unknown> = {};
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let aliases = 0;
  let items = 0;

  const walk = (
    set: SelectionSetNode,
    type: GraphQLCompositeType,
    depth: number,
    multiplier: number,
    spread: Set<string>,
  ): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const narrowed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        if (narrowed && isCompositeType(narrowed)) walk(selection.selectionSet, narrowed, depth, multiplier, spread);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        const narrowed = fragment && schema.getType(fragment.typeCondition.name.value);
        // A cycle is a validation error Yoga reports; here it only must not loop.
        if (fragment && narrowed && isCompositeType(narrowed) && !spread.has(name)) {
          walk(fragment.selectionSet, narrowed, depth, multiplier, new Set(spread).add(name));
        }
        continue;
      }
      if (selection.alias && ++aliases > limits.maxAliases)
        throw tooComplex(`At most ${limits.maxAliases} aliases per operation`);
      if (depth + 1 > limits.maxDepth) throw tooComplex(`Fields may nest at most ${limits.maxDepth} deep`);
      const def = fieldDef(schema, type, selection.name.value);
      if (!def) continue; // an unknown field: validation reports it
      let size = 1;
      if (def.args.some((a) => CONNECTION_ARGS.includes(a.name))) {
        if (selection.arguments?.some((a) => readsVariable(a.value))) variablePages = true;
        let args: PageArgs;
        try {
          args = getArgumentValues(def, selection, coerced) as PageArgs;
        } catch {
          continue; // execution reports invalid values itself
        }
        if (selection.arguments?.length)
          checkConnectionArgs(
            args,
            (def.extensions as PaginationExtension).pagination?.cursor ?? 'row',
            limits.maxPageSize,
          );
        size = args.first ?? args.last ?? DEFAULT_PAGE_SIZE;
        items += multiplier * size;
        if (items > limits.maxListItems) {
          throw tooComplex(
            `This operation could load ${items.toLocaleString('en')}+ list items (the limit is ${limits.maxListItems.toLocaleString('en')}): ask for smaller pages ("first") in nested lists`,
          );
        }
      }
      const inner = getNamedType(def.type);
      if (selection.selectionSet && isCompositeType(inner))
        walk(selection.selectionSet, inner, depth + 1, multiplier * size, spread);
    }
  };

  try {
    for (const d of document.definitions) {
      if (d.kind !== Kind.OPERATION_DEFINITION) continue;
      // Page arguments are read as execution will read them: the request's values, else each
      // variable's declared default. Variables that do not coerce make execution refuse the operation.
      const values = getVariableValues(schema, d.variableDefinitions ?? [], variables);
      if (values.errors) continue;
      coerced = values.coerced;
      const root =
        d.operation === 'query'
          ? schema.getQueryType()
          : d.operation === 'mutation'
            ? schema.getMutationType()
            : schema.getSubscriptionType();
      if (root) walk(d.selectionSet, root, 0, 1, new Set());
    }
  } catch (error) {
    return { error: error as GraphQLError, variablePages };
  }
  return { error: null, variablePages };
}

export function useOperationLimits(limits: OperationLimits): Plugin {
  // A document that passed with literal page arguments passes every time: Yoga's parse cache hands the
  // same document object for the same source, so its walk runs once. A document whose page sizes or
  // cursors are variables is checked on every request, with that request's variables.
  const passed = new WeakMap<DocumentNode, GraphQLSchema>();
  const guard = ({
    args,
    setResultAndStopExecution,
  }: {
    args: { schema: GraphQLSchema; document: DocumentNode; variableValues?: Record<string, unknown> | null };
    setResultAndStopExecution: (result: { errors: GraphQLError[] }) => void;
  }) => {
    if (passed.get(args.document) === args.schema) return;
    const { error, variablePages } = checkOperation(args.schema, args.document, args.variableValues ?? {}, limits);
    if (!error) {
      if (!variablePages) passed.set(args.document, args.schema);
      return;
    }
    // Refused before execution: HTTP 400 also for clients that accept only application/json.
    (error.extensions as Record<string, unknown>).http = { status: 400 };
    setResultAndStopExecution({ errors: [error] });
  };
  return { onExecute: guard, onSubscribe: guard };
}
