// Relay `node(id)` / `nodes(ids)`, defined here (instead of by the plugin) so that a malformed
// global id is a BAD_USER_INPUT error naming its argument, and an unknown type or id reads as null.
import { resolveNodes } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';
import { type DecodedId, decodeGlobalId } from './global-id.ts';

// Media is not looked up by id: photos of drafts and embargoed stories must not be enumerable.
// Readers reach photos through visible articles only.
const NODE_TYPES = new Set(['Article', 'Reporter', 'Section', 'Tag']);
const MAX_NODES = 100;

/**
 * How a node type other than Article is identified and loaded, spread into `builder.prismaNode`: by
 * its int `id` (always selected), null when there is no such row. Article adds its visibility rule.
 */
export const nodeById = { id: { field: 'id' }, nullable: true, select: { id: true } } as const;

function decodeNodeId(value: string, argumentName: string): DecodedId | null {
  const decoded = decodeGlobalId(value, argumentName);
  return NODE_TYPES.has(decoded.typename) ? decoded : null;
}

builder.queryFields((t) => ({
  node: t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description: 'Any object by its global id; null when it does not exist or is not visible.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx, info) => {
      const id = decodeNodeId(String(args.id), 'id');
      return id ? ((await resolveNodes(builder, ctx, info, [id]))[0] ?? null) : null;
    },
  }),
  nodes: t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: `Objects by global id, in order (at most ${MAX_NODES}); null for each that does not exist.`,
    args: { ids: t.arg.idList({ required: true }) },
    resolve: (_root, args, ctx, info) => {
      if (args.ids.length > MAX_NODES) throw badInput('ids', `at most ${MAX_NODES} ids per request`);
      const ids = args.ids.map((id) => decodeNodeId(String(id), 'ids'));
      return resolveNodes(builder, ctx, info, ids as DecodedId[]) as never;
    },
  }),
}));
