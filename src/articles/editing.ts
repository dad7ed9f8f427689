// Writing articles: validated input, one transaction per change, a revision for every edit made after
// publication (기사수정), and the live event for edits readers can see.
import { concurrentChange, fieldError, isUniqueViolation, userError } from '../errors.ts';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { LIMITS } from '../inputs/limits.ts';
import { optionalText, requiredText } from '../inputs/text.ts';
import { requireIdFor } from '../relay/global-id.ts';
import { searchColumns } from '../search/tokens.ts';
import { type BodyBlock, bodyToText, parseBody } from './body.ts';
import { purgeTransaction } from '../cache/purge.ts';
import { announce, type PublishingServices } from './publishing.ts';
import { slugify } from './slug.ts';
import { bodyTextColumns } from './text.ts';
import { isVisibleArticle } from './visibility.ts';

export interface BodyBlockInput {
  type: 'PARAGRAPH' | 'IMAGE' | 'QUOTE';
  text?: string | null;
  mediaId?: string | null;
  caption?: string | null;
  credit?: string | null;
  attribution?: string | null;
}

export interface ArticleFieldsInput {
  headline?: string | null;
  deck?: string[] | null;
  body?: BodyBlockInput[] | null;
  sectionId?: string | null;
  reporterIds?: string[] | null;
  tagIds?: string[] | null;
  leadImageId?: string | null;
  breaking?: boolean | null;
  slug?: string | null;
}

async function requireRows(
  prisma: PrismaClient | Prisma.TransactionClient,
  model: 'section' | 'reporter' | 'tag' | 'media',
  ids: number[],
  field: string,
) {
  if (ids.length === 0) return;
  const delegate = prisma[model] as unknown as { count(args: { where: { id: { in: number[] } } }): Promise<number> };
  const found = await delegate.count({ where: { id: { in: [...new Set(ids)] } } });
  if (found !== new Set(ids).size) throw fieldError(field, `refers to a ${model} that does not exist`);
}

interface Normalized {
  headline?: string;
  deck?: string[];
  body?: BodyBlock[];
  sectionId?: number;
  reporterIds?: number[];
  tagIds?: number[];
  leadImageId?: number | null;
  breaking?: boolean;
  slug?: string;
}

/** Validates and normalises input; checks that referenced rows exist. Throws naming the field. */
export async function normalizeInput(prisma: PrismaClient, input: ArticleFieldsInput): Promise<Normalized> {
  const out: Normalized = {};
  if (input.headline != null) out.headline = requiredText('headline', input.headline, { max: LIMITS.headline });
  if (input.deck != null) {
    if (input.deck.length > LIMITS.deckLines) throw fieldError('deck', `at most ${LIMITS.deckLines} lines`);
    out.deck = input.deck.map((line, i) => requiredText(`deck[${i}]`, line, { max: LIMITS.deckLine }));
  }
  const mediaIds: number[] = [];
  if (input.body != null) {
    if (input.body.length > LIMITS.blocks) throw fieldError('body', `at most ${LIMITS.blocks} blocks`);
    out.body = input.body.map((b, i): BodyBlock => {
      const field = `body[${i}]`;
      if (b.type === 'IMAGE') {
        if (!b.mediaId) throw fieldError(`${field}.mediaId`, 'an image block needs a mediaId');
        const mediaId = requireIdFor('Media', b.mediaId, `${field}.mediaId`);
        mediaIds.push(mediaId);
        return {
          type: 'image',
          mediaId,
          caption: optionalText(`${field}.caption`, b.caption, { max: LIMITS.caption }) ?? null,
          credit: optionalText(`${field}.credit`, b.credit, { max: LIMITS.credit }) ?? null,
        };
      }
      const text = requiredText(`${field}.text`, b.text ?? '', { max: LIMITS.blockText, multiline: true });
      if (b.type === 'QUOTE') {
        return {
          type: 'quote',
          text,
          attribution: optionalText(`${field}.attribution`, b.attribution, { max: LIMITS.attribution }) ?? null,
        };
      }
      return { type: 'paragraph', text };
    });
  }
  if (input.sectionId != null) out.sectionId = requireIdFor('Section', input.sectionId, 'sectionId');
  if (input.reporterIds != null) {
    if (input.reporterIds.length === 0) throw fieldError('reporterIds', 'an article needs at least one reporter');
    if (input.reporterIds.length > LIMITS.reporters) throw fieldError('reporterIds', `at most ${LIMITS.reporters}`);
    out.reporterIds = [...new Set(input.reporterIds.map((id) => requireIdFor('Reporter', id, 'reporterIds')))];
  }
  if (input.tagIds != null) {
    if (input.tagIds.length > LIMITS.tags) throw fieldError('tagIds', `at most ${LIMITS.tags}`);
    out.tagIds = [...new Set(input.tagIds.map((id) => requireIdFor('Tag', id, 'tagIds')))];
  }
  if (input.leadImageId !== undefined) {
    out.leadImageId = input.leadImageId === null ? null : requireIdFor('Media', input.leadImageId, 'leadImageId');
    if (out.leadImageId != null) mediaIds.push(out.leadImageId);
  }
  if (input.breaking != null) out.breaking = input.breaking;
  if (input.slug != null) {
    const slug = slugify(requiredText('slug', input.slug, { max: LIMITS.articleSlug }), LIMITS.articleSlug);
    out.slug = slug;
  }
  await requireRows(prisma, 'section', out.sectionId != null ? [out.sectionId] : [], 'sectionId');
  await requireRows(prisma, 'reporter', out.reporterIds ?? [], 'reporterIds');
  await requireRows(prisma, 'tag', out.tagIds ?? [], 'tagIds');
  await requireRows(
    prisma,
    'media',
    mediaIds,
    mediaIds.length === 1 && out.leadImageId != null ? 'leadImageId' : 'body',
  );
  return out;
}

/** `base`, or `base-2`, `base-3` … : the first slug no other article uses. */
async function firstFreeSlug(tx: Prisma.TransactionClient, base: string, exceptId?: number): Promise<string> {
  const taken = await tx.article.findMany({
    where: { slug: { startsWith: base }, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { slug: true },
  });
  const used = new Set(taken.map((t) => t.slug));
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}

export async function createDraft(
  services: PublishingServices,
  input: ArticleFieldsInput,
  defaults: { reporterId: number | null },
  /** For a REPORTER: the reporter whose draft this is (their byline must be on it). */
  draftOf: number | null = null,
): Promise<number> {
  const { prisma } = services;
  if (input.headline == null) throw fieldError('headline', 'is required');
  if (input.sectionId == null) throw fieldError('sectionId', 'is required');
  const v = await normalizeInput(prisma, input);
  const reporterIds = v.reporterIds ?? (defaults.reporterId != null ? [defaults.reporterId] : null);
  if (!reporterIds) throw fieldError('reporterIds', 'is required (this token writes as no reporter)');
  requireOwnByline(reporterIds, draftOf);
  const body = v.body ?? [];
  const bodyText = bodyToText(body);
  try {
    return await prisma.$transaction(async (tx) => {
      if (v.slug && (await tx.article.findUnique({ where: { slug: v.slug }, select: { id: true } }))) {
        throw fieldError('slug', `"${v.slug}" is already used by another article`);
      }
      const slug = v.slug ?? (await firstFreeSlug(tx, slugify(v.headline!)));
      const article = await tx.article.create({
        data: {
          slug,
          headline: v.headline!,
          deck: v.deck ?? [],
          body: body as Prisma.InputJsonValue,
          bodyText,
          ...searchColumns(v.headline!, v.deck ?? [], bodyText, {
            sectionId: v.sectionId!,
            reporterIds,
            tagIds: v.tagIds ?? [],
          }),
          ...bodyTextColumns(bodyText),
          status: 'DRAFT',
          breaking: v.breaking ?? false,
          sectionId: v.sectionId!,
          leadImageId: v.leadImageId ?? null,
        },
        select: { id: true },
      });
      await tx.articleReporter.createMany({
        data: reporterIds.map((reporterId, position) => ({ articleId: article.id, reporterId, position })),
      });
      if (v.tagIds?.length)
        await tx.articleTag.createMany({ data: v.tagIds.map((tagId) => ({ articleId: article.id, tagId })) });
      return article.id;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'slug')) {
      throw fieldError(
        'slug',
        v.slug
          ? `"${v.slug}" is already used by another article`
          : 'another article with this headline was created at the same moment; retry',
      );
    }
    throw error;
  }
}

export interface EditResult {
  revisionId: number | null;
  announced: boolean;
}

/**
 * Applies changes. After publication (a visible, scheduled or archived article) the previous version
 * is kept as a revision and editedAt (기사수정) is set; edits to visible articles are announced.
 */
export async function editArticle(
  services: PublishingServices,
  id: number,
  input: ArticleFieldsInput,
  editorTokenId: number | null,
  /** For a REPORTER: the reporter whose draft this must still be when the transaction runs. */
  draftOf: number | null = null,
): Promise<EditResult> {
  const { prisma } = services;
  const v = await normalizeInput(prisma, input);
  requireOwnByline(v.reporterIds, draftOf);
  const now = services.clock();
  let visible = false;
  let revisionId: number | null = null;
  try {
    await prisma.$transaction(async (tx) => {
      const current = await tx.article.findUnique({ where: { id } });
      if (!current || current.deletedAt) throw userError('NOT_FOUND', `No article with id ${id}`, { field: 'id' });
      if (draftOf != null) await requireDraftOf(tx, id, current.status, draftOf);
      // Published once: live, archived, or taken back to draft after publication. A scheduled
      // article has not been published yet (its publishedAt is the planned time).
      const published =
        current.status === 'PUBLISHED' ||
        current.status === 'ARCHIVED' ||
        (current.status === 'DRAFT' && current.publishedAt != null);
      visible = isVisibleArticle(current, now);
      if (v.slug != null && v.slug !== current.slug && published) {
        throw fieldError('slug', 'cannot change once the article has been published (links would break)');
      }
      const headline = v.headline ?? current.headline;
      const deck = v.deck ?? current.deck;
      const body = v.body ?? parseBody(current.body);
      const bodyText = v.body ? bodyToText(body) : current.bodyText;
      // The byline and tags as they will be, for the search tokens' facets.
      const reporterIds =
        v.reporterIds ??
        (
          await tx.articleReporter.findMany({
            where: { articleId: id },
            orderBy: { position: 'asc' },
            select: { reporterId: true },
          })
        ).map((r) => r.reporterId);
      const tagIds =
        v.tagIds ??
        (await tx.articleTag.findMany({ where: { articleId: id }, select: { tagId: true } })).map((t) => t.tagId);
      if (published) {
        const last = await tx.articleRevision.findFirst({
          where: { articleId: id },
          orderBy: { number: 'desc' },
          select: { number: true },
        });
        const revision = await tx.articleRevision.create({
          data: {
            articleId: id,
            number: (last?.number ?? 0) + 1,
            headline: current.headline,
            deck: current.deck,
            body: current.body as Prisma.InputJsonValue,
            sectionId: current.sectionId,
            breaking: current.breaking,
            validFrom: current.editedAt ?? current.publishedAt,
            editedById: editorTokenId,
          },
          select: { id: true },
        });
        revisionId = revision.id;
      }
      // Optimistic: the row must still be the one read above.
      const { count } = await tx.article.updateMany({
        where: { id, updatedAt: current.updatedAt },
        data: {
          headline,
          deck,
          body: body as Prisma.InputJsonValue,
          bodyText,
          ...searchColumns(headline, deck, bodyText, {
            sectionId: v.sectionId ?? current.sectionId,
            reporterIds,
            tagIds,
          }),
          ...bodyTextColumns(bodyText),
          ...(v.sectionId != null ? { sectionId: v.sectionId } : {}),
          ...(v.leadImageId !== undefined ? { leadImageId: v.leadImageId } : {}),
          ...(v.breaking != null ? { breaking: v.breaking } : {}),
          ...(v.slug != null ? { slug: v.slug } : {}),
          ...(published ? { editedAt: now } : {}),
        },
      });
      if (count === 0) throw concurrentChange(id);
      if (v.reporterIds) {
        await tx.articleReporter.deleteMany({ where: { articleId: id } });
        await tx.articleReporter.createMany({
          data: v.reporterIds.map((reporterId, position) => ({ articleId: id, reporterId, position })),
        });
      }
      if (v.tagIds) {
        await tx.articleTag.deleteMany({ where: { articleId: id } });
        if (v.tagIds.length)
          await tx.articleTag.createMany({ data: v.tagIds.map((tagId) => ({ articleId: id, tagId })) });
      }
      // A correction purges the article, and the lists the edit may have moved it into.
      if (visible)
        await services.cachePurger?.articleChanged(tx, id, 'EDITED', {
          sectionId: v.sectionId,
          reporterIds: v.reporterIds,
          tagIds: v.tagIds,
        });
    });
  } catch (error) {
    if (isUniqueViolation(error, 'slug')) throw fieldError('slug', `"${v.slug}" is already used by another article`);
    if (isUniqueViolation(error)) throw concurrentChange(id); // two corrections numbering the same revision
    throw error;
  }
  if (visible) services.cachePurger?.deliver();
  const announced =
    visible && (await announce(services, 'article:updated', { articleId: id, kind: 'EDITED', at: now.toISOString() }));
  return { revisionId, announced };
}

/** A REPORTER's drafts carry their own byline (editors may byline anyone): else they could not edit them. */
function requireOwnByline(reporterIds: number[] | null | undefined, draftOf: number | null) {
  if (draftOf != null && reporterIds && !reporterIds.includes(draftOf)) {
    throw fieldError('reporterIds', "must include your own reporter: a reporter's draft carries their byline");
  }
}

/** Scope-auth let a REPORTER in on their own draft; it must still be one when the write happens. */
async function requireDraftOf(
  tx: Prisma.TransactionClient | PrismaClient,
  id: number,
  status: string,
  reporterId: number,
) {
  const byline = await tx.articleReporter.findUnique({
    where: { articleId_reporterId: { articleId: id, reporterId } },
    select: { articleId: true },
  });
  if (status !== 'DRAFT' || !byline)
    throw userError('FORBIDDEN', `Article ${id} is no longer your draft`, { field: 'id' });
}

/** Soft delete: the row stays (revisions, statistics), readers never see it again. */
export async function deleteArticle(
  services: PublishingServices,
  id: number,
  draftOf: number | null = null,
): Promise<boolean> {
  const now = services.clock();
  const current = await services.prisma.article.findUnique({
    where: { id },
    select: { status: true, publishedAt: true, deletedAt: true },
  });
  if (!current || current.deletedAt) return false;
  if (draftOf != null) await requireDraftOf(services.prisma, id, current.status, draftOf);
  const wasVisible = isVisibleArticle(current, now);
  const count = await purgeTransaction(services, async (tx) => {
    const { count } = await tx.article.updateMany({
      where: { id, deletedAt: null, ...(draftOf != null ? { status: 'DRAFT' as const } : {}) },
      data: { deletedAt: now },
    });
    if (count > 0 && wasVisible) await services.cachePurger?.articleChanged(tx, id, 'DELETED');
    return count;
  });
  if (count > 0 && wasVisible)
    await announce(services, 'article:updated', { articleId: id, kind: 'DELETED', at: now.toISOString() });
  return count > 0;
}
