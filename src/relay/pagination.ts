// An envelop plugin that checks every connection field's first/last/after/before in the operation
// before anything executes. Nested connections are planned into their parent's query by the Prisma
// plugin, so a per-field check would come too late; this one sees them all and names the argument.
import {
  BREAK,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  getArgumentValues,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { checkPageSize, checkRowConnectionArgs, type PageArgs, parseOffsetCursor } from './connection-args.ts';

const CONNECTION_ARGS = ['first', 'last', 'after', 'before'];

/** Set on a connection field's `extensions` when its cursors are not row cursors. */
export interface PaginationExtension {
  pagination?: { cursor: 'row' | 'offset' };
}

export function checkPagination(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  maxSize: number,
): GraphQLError | null {
  const typeInfo = new TypeInfo(schema);
  let error: GraphQLError | null = null;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const def = typeInfo.getFieldDef();
        if (!def || !def.args.some((a) => CONNECTION_ARGS.includes(a.name)) || !node.arguments?.length) return;
        let args: PageArgs;
        try {
          args = getArgumentValues(def, node, variables) as PageArgs;
        } catch {
          return; // execution reports invalid values itself
        }
        const kind = (def.extensions as PaginationExtension).pagination?.cursor ?? 'row';
        try {
          if (kind === 'offset') {
            checkPageSize(args, maxSize);
            if (args.after != null) parseOffsetCursor('after', args.after);
            if (args.before != null) parseOffsetCursor('before', args.before);
          } else {
            checkRowConnectionArgs(args, maxSize);
          }
        } catch (e) {
          error = e as GraphQLError;
          return BREAK;
        }
      },
    }),
  );
  return error;
}

export function usePaginationGuard(maxSize: number): Plugin {
  const guard = ({ args, setResultAndStopExecution }: {
    args: { schema: GraphQLSchema; document: DocumentNode; variableValues?: Record<string, unknown> | null };
    setResultAndStopExecution: (result: { errors: GraphQLError[] }) => void;
  }) => {
    const error = checkPagination(args.schema, args.document, args.variableValues ?? {}, maxSize);
    if (error) setResultAndStopExecution({ errors: [error] });
  };
  return { onExecute: guard, onSubscribe: guard };
}
