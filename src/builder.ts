// The Pothos SchemaBuilder: plugins, scalars and builder options. Defines no types.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import type { Context } from './context.ts';
import type PrismaTypes from './generated/pothos-types.ts';
import { getDatamodel } from './generated/pothos-types.ts';
import { decodeGlobalId } from './relay/global-id.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string | number };
  };
  Connection: { totalCount?: number | (() => number | Promise<number>) };
}>({
  plugins: [PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  prisma: {
    // The client comes from the context; this one only supplies types and the datamodel.
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'test' ? 'error' : null,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // node/nodes are defined in src/relay/node.ts so malformed ids name their argument.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    decodeGlobalID: (globalID) => decodeGlobalId(globalID, 'id'),
  },
});

