import { builder } from '../builder.ts';
import { articleConnectionField } from '../articles/connection.ts';
import { badInput } from '../errors.ts';
import { decodeIdFor } from '../relay/global-id.ts';

export const ReporterRef = builder.prismaNode('Reporter', {
  id: { field: 'id' },
  nullable: true,
  select: { id: true },
  description: 'A reporter as shown in bylines ("한선미 기자").',
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    title: t.exposeString('title', { description: 'Job title printed after the name: 기자, 선임기자 …' }),
    email: t.exposeString('email', { nullable: true }),
    bio: t.exposeString('bio', { nullable: true }),
    photoUrl: t.exposeString('photoUrl', { nullable: true }),
    articles: articleConnectionField(
      t,
      (reporter) => ({ reporters: { some: { reporterId: reporter.id } } }),
      "The reporter's published articles, newest first.",
    ),
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
    resolve: (query, _root, args, ctx) => {
      if ((args.id == null) === (args.slug == null)) throw badInput('id', 'pass exactly one of "id" or "slug"');
      const id = args.id != null ? decodeIdFor('Reporter', args.id, 'id') : undefined;
      const lookup = { ...query, where: id != null ? { id } : { slug: args.slug! } };
      return id === null ? null : ctx.prisma.reporter.findUnique(lookup);
    },
  }),
);
