// Newsroom mutations on articles. Who may call each is declared in its `authScopes`:
// REPORTER: create drafts, edit and delete their own drafts; EDITOR (and ADMIN): everything.
import { hasRole } from '../auth/tokens.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { fieldError, userError } from '../errors.ts';
import { requireIdFor } from '../relay/global-id.ts';
import { parseDateTime } from '../scalars.ts';
import { createDraft, deleteArticle, editArticle } from './editing.ts';
import { publishArticle, unpublishArticle } from './publishing.ts';

const BodyBlockType = builder.enumType('BodyBlockType', { values: ['PARAGRAPH', 'IMAGE', 'QUOTE'] as const });

const BodyBlockInput = builder.inputType('BodyBlockInput', {
  description:
    'One body block: PARAGRAPH and QUOTE take `text` (plain text, never HTML); IMAGE takes `mediaId` from uploadImage.',
  fields: (t) => ({
    type: t.field({ type: BodyBlockType, required: true }),
    text: t.string(),
    mediaId: t.id(),
    caption: t.string(),
    credit: t.string(),
    attribution: t.string(),
  }),
});

type InputFields = Parameters<NonNullable<Parameters<typeof builder.inputType>[1]['fields']>>[0];

const articleFields = <Required extends boolean>(t: InputFields, required: Required) => ({
  headline: t.string({ required, description: '1 to 200 characters.' }),
  deck: t.stringList({ description: 'Sub-headline lines, at most 5.' }),
  body: t.field({ type: [BodyBlockInput] }),
  sectionId: t.id({ required }),
  reporterIds: t.idList({ description: 'Byline order. Default for a REPORTER token: its own reporter.' }),
  tagIds: t.idList(),
  leadImageId: t.id({ description: 'null removes the lead photo.' }),
  breaking: t.boolean(),
  slug: t.string({ description: 'Default: made from the headline. Cannot change after publication.' }),
});

const CreateArticleInput = builder.inputType('CreateArticleInput', { fields: (t) => articleFields(t, true) });
const UpdateArticleInput = builder.inputType('UpdateArticleInput', {
  fields: (t) => ({ id: t.id({ required: true }), ...articleFields(t, false) }),
});
const ArticleIdInput = builder.inputType('ArticleIdInput', { fields: (t) => ({ id: t.id({ required: true }) }) });
const ScheduleArticleInput = builder.inputType('ScheduleArticleInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    publishAt: t.field({ type: 'DateTime', required: true, description: 'When it goes live; must lie in the future.' }),
  }),
});

interface ArticleResult {
  articleId: number;
  changed: boolean;
  revisionId?: number | null;
}

/** A payload type carrying the changed article, loaded with the caller's selection (drafts included). */
function payload(name: string, description: string) {
  return builder.objectRef<ArticleResult>(name).implement({
    description,
    fields: (t) => ({
      article: t.prismaField({
        type: 'Article',
        nullable: true,
        resolve: (query, result, _args, ctx) =>
          ctx.prisma.article.findUnique({ ...query, where: { id: result.articleId } }),
      }),
      changed: t.exposeBoolean('changed', {
        description: 'False when the article already was in the requested state.',
      }),
    }),
  });
}

const CreateArticlePayload = payload('CreateArticlePayload', 'The new draft.');
const UpdateArticlePayload = payload('UpdateArticlePayload', 'The article after the edit.');
builder.objectField(UpdateArticlePayload, 'revision', (t) =>
  t.prismaField({
    type: 'ArticleRevision',
    nullable: true,
    description: 'The previous version, kept because the article had been published.',
    resolve: (query, result, _args, ctx) =>
      result.revisionId ? ctx.prisma.articleRevision.findUnique({ ...query, where: { id: result.revisionId } }) : null,
  }),
);
const ArticleStatePayload = payload('ArticleStatePayload', 'The article after a workflow step.');

const articleId = (value: string) => requireIdFor('Article', value, 'id');

async function requireArticle(ctx: Context, id: number) {
  const row = await ctx.prisma.article.findUnique({ where: { id }, select: { id: true, deletedAt: true } });
  if (!row || row.deletedAt) throw userError('NOT_FOUND', 'No such article', { field: 'id' });
}

const editorOnly = { editor: true } as const;

/** A REPORTER passed `ownsDraft`: the service re-checks it inside the write (an editor may have published meanwhile). */
function draftOnlyFor(ctx: Context): number | null {
  return hasRole(ctx.viewer, 'EDITOR') ? null : (ctx.viewer?.reporterId ?? -1);
}
const editorOrOwnDraft = (_root: unknown, args: { input: { id: string } }) => ({
  $any: { editor: true, ownsDraft: args.input.id },
});

type MutationFieldBuilder = Parameters<Parameters<typeof builder.mutationFields>[0]>[0];

/** An EDITOR's workflow step on one article (publish, unpublish, archive): same input, same payload. */
function workflowStep(
  t: MutationFieldBuilder,
  description: string,
  step: (ctx: Context, id: number) => Promise<{ changed: boolean }>,
) {
  return t.field({
    type: ArticleStatePayload,
    description,
    authScopes: editorOnly,
    args: { input: t.arg({ type: ArticleIdInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const id = articleId(input.id);
      await requireArticle(ctx, id);
      const { changed } = await step(ctx, id);
      return { articleId: id, changed };
    },
  });
}

builder.mutationFields((t) => ({
  createArticle: t.field({
    type: CreateArticlePayload,
    description: 'Creates a draft. REPORTER, EDITOR, ADMIN.',
    authScopes: { reporter: true },
    args: { input: t.arg({ type: CreateArticleInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      articleId: await createDraft(ctx, input, { reporterId: ctx.viewer?.reporterId ?? null }, draftOnlyFor(ctx)),
      changed: true,
    }),
  }),
  updateArticle: t.field({
    type: UpdateArticlePayload,
    description:
      'Edits an article. After publication this sets editedAt (기사수정) and keeps the previous version as a revision. EDITOR, ADMIN, or the REPORTER of a draft.',
    authScopes: editorOrOwnDraft,
    args: { input: t.arg({ type: UpdateArticleInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const id = articleId(input.id);
      const { revisionId } = await editArticle(ctx, id, input, ctx.viewer?.tokenId ?? null, draftOnlyFor(ctx));
      return { articleId: id, changed: true, revisionId };
    },
  }),
  publishArticle: workflowStep(t, 'Publishes now. EDITOR, ADMIN.', (ctx, id) => publishArticle(ctx, id)),
  scheduleArticle: t.field({
    type: ArticleStatePayload,
    description: 'Publishes at a future time (exactly once, whichever instance gets there first). EDITOR, ADMIN.',
    authScopes: editorOnly,
    args: { input: t.arg({ type: ScheduleArticleInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const id = articleId(input.id);
      const at = input.publishAt instanceof Date ? input.publishAt : parseDateTime(input.publishAt);
      const now = ctx.clock();
      if (at.getTime() <= now.getTime())
        throw fieldError('publishAt', 'must lie in the future (use publishArticle to publish now)');
      if (at.getTime() > now.getTime() + 366 * 24 * 3600_000) throw fieldError('publishAt', 'must be within a year');
      await requireArticle(ctx, id);
      const { changed } = await publishArticle(ctx, id, { at });
      return { articleId: id, changed };
    },
  }),
  unpublishArticle: workflowStep(
    t,
    'Takes an article off the site, back to draft (or unschedules it). EDITOR, ADMIN.',
    (ctx, id) => unpublishArticle(ctx, id),
  ),
  archiveArticle: workflowStep(t, 'Archives an article: off the site, kept for the record. EDITOR, ADMIN.', (ctx, id) =>
    unpublishArticle(ctx, id, { archive: true }),
  ),
  deleteArticle: t.field({
    type: ArticleStatePayload,
    description:
      'Deletes an article (soft: readers never see it again; the record stays). EDITOR, ADMIN, or the REPORTER of a draft.',
    authScopes: editorOrOwnDraft,
    args: { input: t.arg({ type: ArticleIdInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const id = articleId(input.id);
      await requireArticle(ctx, id);
      return { articleId: id, changed: await deleteArticle(ctx, id, draftOnlyFor(ctx)) };
    },
  }),
}));
