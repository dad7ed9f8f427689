import { purgeTransaction } from '../cache/purge.ts';
import { builder } from '../builder.ts';
import { requiredSlugAndName, slugAndName, withUniqueSlug } from '../inputs/slug.ts';
import { articleConnectionField, pageParentRow } from '../articles/connection.ts';
import type { Tag } from '../generated/prisma/client.ts';
import { userError } from '../errors.ts';
import { requireIdFor } from '../relay/global-id.ts';
import { nodeById } from '../relay/node.ts';

export const TagRef = builder.prismaNode('Tag', {
  ...nodeById,
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    articles: articleConnectionField(t, 'tag', 'Published articles with this tag, newest first.'),
  }),
});

builder.prismaObjectField('Article', 'tags', (t) =>
  t.field({
    type: [TagRef],
    select: (_args, _ctx, nestedSelection) => ({
      tags: { orderBy: { tag: { name: 'asc' } }, select: { tag: nestedSelection(true) } },
    }),
    resolve: (article) => article.tags.map((x) => x.tag),
  }),
);

builder.queryField('tag', (t) =>
  t.prismaField({
    type: 'Tag',
    nullable: true,
    args: { slug: t.arg.string({ required: true }) },
    resolve: async (query, _root, { slug }, ctx, info) => {
      const row = await pageParentRow<Tag>(ctx, info, 'Tag', query, { slug });
      return row !== undefined ? row : ctx.prisma.tag.findUnique({ ...query, where: { slug } });
    },
  }),
);

const TagInput = builder.inputType('TagInput', { fields: (t) => ({ slug: t.string(), name: t.string() }) });

const TagPayload = builder.objectRef<{ id: number }>('TagPayload').implement({
  fields: (t) => ({
    tag: t.prismaField({
      type: 'Tag',
      nullable: true,
      resolve: (query, p, _args, ctx) => ctx.prisma.tag.findUnique({ ...query, where: { id: p.id } }),
    }),
  }),
});

builder.mutationFields((t) => ({
  createTag: t.field({
    type: TagPayload,
    description: 'Adds a tag. EDITOR, ADMIN.',
    authScopes: { editor: true },
    args: { input: t.arg({ type: TagInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const { slug, name } = requiredSlugAndName(input);
      return withUniqueSlug('slug', slug, () => ctx.prisma.tag.create({ data: { slug, name }, select: { id: true } }));
    },
  }),
  updateTag: t.field({
    type: TagPayload,
    description: 'Renames a tag. EDITOR, ADMIN.',
    authScopes: { editor: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: TagInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = requireIdFor('Tag', args.id, 'id');
      const { slug, name } = slugAndName(args.input);
      const before = await ctx.prisma.tag.findUnique({ where: { id }, select: { id: true, slug: true } });
      await purgeTransaction(ctx, async (tx) => {
        const { count } = await withUniqueSlug('slug', slug, () =>
          tx.tag.updateMany({ where: { id }, data: { slug, name } }),
        );
        if (count === 0 || !before) throw userError('NOT_FOUND', 'No such tag', { field: 'id' });
        await ctx.cachePurger.ownerChanged(tx, 'tag', before, slug);
      });
      return { id };
    },
  }),
}));
