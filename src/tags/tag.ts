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
    resolve: (query, _root, { slug }, ctx) => ctx.prisma.tag.findUnique({ ...query, where: { slug } }),
  }),
);
