import { builder } from '../builder.ts';
import { articleConnectionField } from '../articles/connection.ts';

export const SectionRef = builder.prismaNode('Section', {
  id: { field: 'id' },
  nullable: true,
  select: { id: true },
  description: 'A section of the paper (정치, 경제, 사회, 환경, 국제 …).',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    position: t.exposeInt('position', { description: 'Order in the navigation, ascending.' }),
    articles: articleConnectionField(t, (section) => ({ sectionId: section.id }), 'Published articles in this section, newest first.'),
  }),
});

builder.queryFields((t) => ({
  sections: t.prismaField({
    type: ['Section'],
    description: 'All sections in navigation order.',
    resolve: (query, _root, _args, ctx) => ctx.prisma.section.findMany({ ...query, orderBy: [{ position: 'asc' }, { id: 'asc' }] }),
  }),
  section: t.prismaField({
    type: 'Section',
    nullable: true,
    args: { slug: t.arg.string({ required: true }) },
    resolve: (query, _root, { slug }, ctx) => ctx.prisma.section.findUnique({ ...query, where: { slug } }),
  }),
}));
