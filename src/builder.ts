// The Pothos SchemaBuilder: plugins, scalars and builder options. Defines no types.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import PlainRowsPlugin from './plain-rows-plugin.ts';
import { ownsDraft } from './auth/ownership.ts';
import { hasRole } from './auth/tokens.ts';
import type { Context } from './context.ts';
import type PrismaTypes from './generated/pothos-types.ts';
import { getDatamodel } from './generated/pothos-types.ts';
import { userError } from './errors.ts';
import { decodeGlobalId } from './relay/global-id.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    File: { Input: File; Output: never };
    ID: { Input: string; Output: string | number };
  };
  Connection: { totalCount?: number | (() => number | Promise<number>) };
  AuthScopes: {
    reporter: boolean;
    editor: boolean;
    admin: boolean;
    /** A REPORTER's own draft, by the article's global id. */
    ownsDraft: string;
  };
}>({
  // PlainRows between scope-auth and Prisma: authorisation first, then rows written by hand skip the
  // Prisma plugin's per-row mappings (src/plain-rows-plugin.ts).
  plugins: [ScopeAuthPlugin, PlainRowsPlugin, PrismaPlugin, RelayPlugin],
  // Authorisation lives here and in each field's `authScopes`, not in resolvers.
  scopeAuth: {
    authScopes: (ctx) => ({
      reporter: hasRole(ctx.viewer, 'REPORTER'),
      editor: hasRole(ctx.viewer, 'EDITOR'),
      admin: hasRole(ctx.viewer, 'ADMIN'),
      ownsDraft: (id) => ownsDraft(ctx, id),
    }),
    unauthorizedError: (_parent, ctx) =>
      ctx.viewer
        ? userError('FORBIDDEN', `A ${ctx.viewer.role} token may not do this`)
        : userError('UNAUTHENTICATED', 'Sign in: send an API token as "Authorization: Bearer …"'),
  },
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
