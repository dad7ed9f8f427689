import { builder } from '../builder.ts';
import { articleConnectionField } from '../articles/connection.ts';

export const TagRef = builder.prismaNode('Tag', {
  id: { field: 'id' },
  nullable: true,
  select: { id: true },
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    articles: articleConnectionField(t, (tag) => ({ tags: { some: { tagId: tag.id } } }), 'Published articles with this tag, newest first.'),
  }),
});

builder.queryField('tag', (t) =>
  t.prismaField({
    type: 'Tag',
    nullable: true,
    args: { slug: t.arg.string({ required: true }) },
    resolve: (query, _root, { slug }, ctx) => ctx.prisma.tag.findUnique({ ...query, where: { slug } }),
  }),
);
