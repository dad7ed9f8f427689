// Article revisions (기사수정 history), for editors.
import { builder } from '../builder.ts';
import { BodyBlockRef } from './body-blocks.ts';
import { parseBody } from './body.ts';

builder.prismaObject('ArticleRevision', {
  description: 'A version of an article replaced by an edit after publication.',
  fields: (t) => ({
    number: t.exposeInt('number', { description: '1 for the first replaced version, then 2, 3 …' }),
    headline: t.exposeString('headline'),
    deck: t.exposeStringList('deck'),
    body: t.field({ type: [BodyBlockRef], select: { body: true }, resolve: (r) => parseBody(r.body) }),
    breaking: t.exposeBoolean('breaking'),
    validFrom: t.expose('validFrom', { type: 'DateTime', nullable: true, description: 'When this version went live.' }),
    replacedAt: t.expose('createdAt', { type: 'DateTime', description: 'When the edit replaced it.' }),
    editedBy: t.string({
      nullable: true,
      description: 'Name of the API token that made the edit.',
      select: { editedBy: { select: { name: true } } },
      resolve: (r) => r.editedBy?.name ?? null,
    }),
  }),
});

builder.prismaObjectField('Article', 'revisions', (t) =>
  t.relation('revisions', {
    nullable: true,
    description: 'Earlier versions, newest first. EDITOR, ADMIN.',
    authScopes: { editor: true },
    query: { orderBy: { number: 'desc' } },
  }),
);
