import { purgeTransaction } from '../cache/purge.ts';
import { builder } from '../builder.ts';
import { LIMITS } from '../inputs/limits.ts';
import { slugAndName, withUniqueSlug } from '../inputs/slug.ts';
import { optionalText, requiredText } from '../inputs/text.ts';
import { articleConnectionField, pageParentRow } from '../articles/connection.ts';
import { selectionRead } from '../articles/list-query.ts';
import type { Reporter } from '../generated/prisma/client.ts';
import { badInput, fieldError, userError } from '../errors.ts';
import { isEmailAddress } from '../readers/email-address.ts';
import { decodeIdFor, requireIdFor } from '../relay/global-id.ts';
import { nodeById } from '../relay/node.ts';

export const ReporterRef = builder.prismaNode('Reporter', {
  ...nodeById,
  description: 'A reporter as shown in bylines ("한선미 기자").',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    title: t.exposeString('title', { description: 'Job title printed after the name: 기자, 선임기자 …' }),
    email: t.exposeString('email', { nullable: true }),
    bio: t.exposeString('bio', { nullable: true }),
    photoUrl: t.exposeString('photoUrl', { nullable: true }),
    articles: articleConnectionField(t, 'reporter', "The reporter's published articles, newest first."),
  }),
});

builder.prismaObjectField('Article', 'reporters', (t) =>
  t.field({
    type: [ReporterRef],
    description: 'Reporters in byline order.',
    select: (_args, _ctx, nestedSelection) => ({
      reporters: { orderBy: { position: 'asc' }, select: { reporter: nestedSelection(true) } },
    }),
    resolve: (article) => article.reporters.map((r) => r.reporter),
  }),
);

builder.queryField('reporter', (t) =>
  t.prismaField({
    type: 'Reporter',
    nullable: true,
    description: 'A reporter by global `id` or by `slug` (exactly one).',
    args: { id: t.arg.id(), slug: t.arg.string() },
    resolve: async (query, _root, args, ctx, info) => {
      if ((args.id == null) === (args.slug == null)) throw badInput('id', 'pass exactly one of "id" or "slug"');
      const id = args.id != null ? decodeIdFor('Reporter', args.id, 'id') : undefined;
      // An id of another type names no reporter: null, like an unknown id.
      if (id === null) {
        selectionRead(query);
        return null;
      }
      const where = id != null ? { id } : { slug: args.slug! };
      const row = await pageParentRow<Reporter>(ctx, info, 'Reporter', query, where);
      return row !== undefined ? row : ctx.prisma.reporter.findUnique({ ...query, where });
    },
  }),
);

const ReporterInput = builder.inputType('ReporterInput', {
  fields: (t) => ({
    slug: t.string(),
    name: t.string({ description: 'As printed in the byline, e.g. "한선미".' }),
    title: t.string({ description: '기자, 선임기자 …' }),
    email: t.string(),
    bio: t.string(),
    photoUrl: t.string(),
  }),
});

const ReporterPayload = builder.objectRef<{ id: number }>('ReporterPayload').implement({
  fields: (t) => ({
    reporter: t.prismaField({
      type: 'Reporter',
      nullable: true,
      resolve: (query, p, _args, ctx) => ctx.prisma.reporter.findUnique({ ...query, where: { id: p.id } }),
    }),
  }),
});

type ReporterFields = typeof ReporterInput.$inferInput;

function reporterData(input: ReporterFields) {
  const email = optionalText('email', input.email, { max: LIMITS.email });
  if (email && !isEmailAddress(email)) throw fieldError('email', 'is not an e-mail address');
  const photoUrl = optionalText('photoUrl', input.photoUrl, { max: LIMITS.photoUrl });
  if (photoUrl && !/^(https?:\/\/|\/)[^\s<>"]*$/.test(photoUrl))
    throw fieldError('photoUrl', 'must be an http(s) URL or a /media path');
  return {
    ...slugAndName(input),
    title: input.title != null ? requiredText('title', input.title, { max: LIMITS.reporterTitle }) : undefined,
    email,
    bio: optionalText('bio', input.bio, { max: LIMITS.bio, multiline: true }),
    photoUrl,
  };
}

builder.mutationFields((t) => ({
  createReporter: t.field({
    type: ReporterPayload,
    description: 'Adds a reporter. ADMIN.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: ReporterInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const data = reporterData(input);
      if (!data.slug) throw fieldError('slug', 'is required');
      if (!data.name) throw fieldError('name', 'is required');
      return withUniqueSlug('slug', data.slug, () =>
        ctx.prisma.reporter.create({
          data: { ...data, slug: data.slug!, name: data.name!, title: data.title ?? '기자' },
          select: { id: true },
        }),
      );
    },
  }),
  updateReporter: t.field({
    type: ReporterPayload,
    description: "Changes a reporter's details. ADMIN.",
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: ReporterInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = requireIdFor('Reporter', args.id, 'id');
      const data = reporterData(args.input);
      const before = await ctx.prisma.reporter.findUnique({ where: { id }, select: { id: true, slug: true } });
      await purgeTransaction(ctx, async (tx) => {
        const { count } = await withUniqueSlug('slug', data.slug, () =>
          tx.reporter.updateMany({ where: { id }, data }),
        );
        if (count === 0 || !before) throw userError('NOT_FOUND', 'No such reporter', { field: 'id' });
        await ctx.cachePurger.ownerChanged(tx, 'reporter', before, data.slug ?? undefined);
      });
      return { id };
    },
  }),
}));
