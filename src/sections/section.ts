import { purgeTransaction } from '../cache/purge.ts';
import { builder } from '../builder.ts';
import { requiredSlugAndName, slugAndName, withUniqueSlug } from '../inputs/slug.ts';
import { articleConnectionField, pageParentRow } from '../articles/connection.ts';
import type { Section } from '../generated/prisma/client.ts';
import { fieldError, userError } from '../errors.ts';
import { requireIdFor } from '../relay/global-id.ts';
import { nodeById } from '../relay/node.ts';

export const SectionRef = builder.prismaNode('Section', {
  ...nodeById,
  description: 'A section of the paper (정치, 경제, 사회, 환경, 국제 …).',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    position: t.exposeInt('position', { description: 'Order in the navigation, ascending.' }),
    articles: articleConnectionField(t, 'section', 'Published articles in this section, newest first.'),
  }),
});

builder.queryFields((t) => ({
  sections: t.prismaField({
    type: ['Section'],
    description: 'All sections in navigation order.',
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.section.findMany({ ...query, orderBy: [{ position: 'asc' }, { id: 'asc' }] }),
  }),
  section: t.prismaField({
    type: 'Section',
    nullable: true,
    args: { slug: t.arg.string({ required: true }) },
    resolve: async (query, _root, { slug }, ctx, info) => {
      const row = await pageParentRow<Section>(ctx, info, 'Section', query, { slug });
      return row !== undefined ? row : ctx.prisma.section.findUnique({ ...query, where: { slug } });
    },
  }),
}));

const SectionInput = builder.inputType('SectionInput', {
  fields: (t) => ({
    slug: t.string({ description: 'URL name, e.g. "environment".' }),
    name: t.string({ description: 'Display name, e.g. "환경".' }),
  }),
});

const SectionPayload = builder.objectRef<{ id: number }>('SectionPayload').implement({
  fields: (t) => ({
    section: t.prismaField({
      type: 'Section',
      nullable: true,
      resolve: (query, p, _args, ctx) => ctx.prisma.section.findUnique({ ...query, where: { id: p.id } }),
    }),
  }),
});

const sectionId = (value: string, field = 'id') => requireIdFor('Section', value, field);

builder.mutationFields((t) => ({
  createSection: t.field({
    type: SectionPayload,
    description: 'Adds a section at the end of the navigation. ADMIN.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: SectionInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { slug, name } = requiredSlugAndName(input);
      const last = await ctx.prisma.section.findFirst({ orderBy: { position: 'desc' }, select: { position: true } });
      return purgeTransaction(ctx, async (tx) => {
        const row = await withUniqueSlug('slug', slug, () =>
          tx.section.create({ data: { slug, name, position: (last?.position ?? -1) + 1 }, select: { id: true } }),
        );
        await ctx.cachePurger.sectionsChanged(tx);
        return row;
      });
    },
  }),
  updateSection: t.field({
    type: SectionPayload,
    description: 'Renames a section or changes its slug. ADMIN.',
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: SectionInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = sectionId(args.id);
      const { slug, name } = slugAndName(args.input);
      const before = await ctx.prisma.section.findUnique({ where: { id }, select: { id: true, slug: true } });
      await purgeTransaction(ctx, async (tx) => {
        const { count } = await withUniqueSlug('slug', slug, () =>
          tx.section.updateMany({ where: { id }, data: { slug, name } }),
        );
        if (count === 0 || !before) throw userError('NOT_FOUND', 'No such section', { field: 'id' });
        await ctx.cachePurger.ownerChanged(tx, 'section', before, slug);
      });
      return { id };
    },
  }),
  reorderSections: t.prismaField({
    type: ['Section'],
    description: 'Sets the navigation order: every section id, once, in the new order. ADMIN.',
    authScopes: { admin: true },
    args: { ids: t.arg.idList({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const ids = args.ids.map((id) => sectionId(String(id), 'ids'));
      const all = await ctx.prisma.section.findMany({ select: { id: true } });
      const expected = new Set(all.map((s) => s.id));
      if (new Set(ids).size !== ids.length || ids.length !== expected.size || !ids.every((id) => expected.has(id))) {
        throw fieldError('ids', `list every section exactly once (${expected.size} sections)`);
      }
      await purgeTransaction(ctx, async (tx) => {
        for (const [position, id] of ids.entries()) await tx.section.update({ where: { id }, data: { position } });
        await ctx.cachePurger.sectionsChanged(tx);
      });
      return ctx.prisma.section.findMany({ ...query, orderBy: { position: 'asc' } });
    },
  }),
}));
