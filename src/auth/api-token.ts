// API token administration over GraphQL (ADMIN). The secret appears once, in createApiToken's payload.
import { fieldError, userError } from '../errors.ts';
import { builder } from '../builder.ts';
import { decodeIdFor, encodeGlobalId, requireIdFor } from '../relay/global-id.ts';
import { createApiToken, revokeApiToken } from './tokens.ts';

const RoleEnum = builder.enumType('Role', {
  values: {
    REPORTER: { description: 'Writes and edits their own drafts.' },
    EDITOR: { description: 'Edits any article, publishes, schedules, unpublishes, archives.' },
    ADMIN: { description: 'Everything, plus sections, reporters and API tokens.' },
    VIEW_RELAY: {
      description:
        "A server rendering pages for readers: may pass the reader's user agent and address with recordView and the view beacon. No newsroom rights.",
    },
  } as const,
});

const ApiTokenRef = builder.prismaObject('ApiToken', {
  authScopes: { admin: true },
  fields: (t) => ({
    id: t.id({ resolve: (row) => encodeGlobalId('ApiToken', row.id) }),
    name: t.exposeString('name'),
    role: t.expose('role', { type: RoleEnum }),
    prefix: t.exposeString('prefix', { description: 'The first characters of the secret, to recognise it.' }),
    reporter: t.relation('reporter', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Who or what uses it, e.g. "Night desk".' }),
    role: t.field({ type: RoleEnum, required: true }),
    reporterId: t.id({ description: 'Required for REPORTER tokens: the reporter it writes as.' }),
  }),
});

const CreateApiTokenPayload = builder.objectRef<{ id: number; token: string }>('CreateApiTokenPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The secret. Shown only here, only once: store it now.' }),
    apiToken: t.prismaField({
      type: ApiTokenRef,
      resolve: (query, p, _args, ctx) => ctx.prisma.apiToken.findUniqueOrThrow({ ...query, where: { id: p.id } }),
    }),
  }),
});

const tokenId = (value: string) => requireIdFor('ApiToken', value, 'id');

builder.queryField('apiTokens', (t) =>
  t.prismaField({
    type: [ApiTokenRef],
    description: 'Every API token, newest first. ADMIN.',
    authScopes: { admin: true },
    resolve: (query, _root, _args, ctx) => ctx.prisma.apiToken.findMany({ ...query, orderBy: { id: 'desc' } }),
  }),
);

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreateApiTokenPayload,
    description: 'Issues a token. ADMIN.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      let reporterId: number | null = null;
      if (input.reporterId != null) {
        reporterId = decodeIdFor('Reporter', input.reporterId, 'reporterId');
        if (
          reporterId == null ||
          !(await ctx.prisma.reporter.findUnique({ where: { id: reporterId }, select: { id: true } }))
        ) {
          throw fieldError('reporterId', 'no such reporter');
        }
      }
      return createApiToken(ctx.prisma, { name: input.name, role: input.role, reporterId });
    },
  }),
  revokeApiToken: t.prismaField({
    type: ApiTokenRef,
    description: 'Revokes a token at once, on every instance. ADMIN.',
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = tokenId(args.id);
      await revokeApiToken(ctx.prisma, id, ctx.clock());
      const row = await ctx.prisma.apiToken.findUnique({ ...query, where: { id } });
      if (!row) throw userError('NOT_FOUND', 'No such API token', { field: 'id' });
      return row;
    },
  }),
}));
