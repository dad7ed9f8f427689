// What readers do on the article page: like it (one like per visitor) and send it by e-mail
// ("기사 메일전송"), rate-limited per visitor, recipient and client address so it cannot spam.
import { articleUrl } from '../articles/slug.ts';
import { escapeHtml, excerpt } from '../articles/text.ts';
import { visibleArticleWhere } from '../articles/visibility.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { fieldError, userError } from '../errors.ts';
import { LIMITS } from '../inputs/limits.ts';
import { optionalText, requiredText } from '../inputs/text.ts';
import { VISITOR_ID, VISITOR_ID_RULE, visitorHash } from '../inputs/visitor.ts';
import { decodeIdFor } from '../relay/global-id.ts';
import { isEmailAddress } from './email-address.ts';
import { rateLimited } from './rate-limit.ts';

const HOUR = 3_600_000;

function visitor(value: string): string {
  if (!VISITOR_ID.test(value)) throw fieldError('visitorId', VISITOR_ID_RULE);
  return visitorHash(value);
}

async function visibleArticleId(ctx: Context, value: string): Promise<number> {
  const id = decodeIdFor('Article', value, 'articleId');
  const row =
    id == null
      ? null
      : await ctx.prisma.article.findFirst({ where: { id, ...visibleArticleWhere(ctx.now) }, select: { id: true } });
  if (!row) throw userError('NOT_FOUND', 'No published article with this id', { field: 'articleId' });
  return row.id;
}

const LikeArticleInput = builder.inputType('LikeArticleInput', {
  fields: (t) => ({
    articleId: t.id({ required: true }),
    visitorId: t.string({
      required: true,
      description: 'A random id the page keeps per browser (e.g. in localStorage).',
    }),
  }),
});

const LikeArticlePayload = builder.objectRef<{ articleId: number; liked: boolean }>('LikeArticlePayload').implement({
  fields: (t) => ({
    liked: t.exposeBoolean('liked', { description: 'False when this visitor had already liked the article.' }),
    article: t.prismaField({
      type: 'Article',
      resolve: (query, p, _args, ctx) => ctx.prisma.article.findUniqueOrThrow({ ...query, where: { id: p.articleId } }),
    }),
  }),
});

const EmailArticleInput = builder.inputType('EmailArticleInput', {
  fields: (t) => ({
    articleId: t.id({ required: true }),
    to: t.string({ required: true, description: 'Recipient address.' }),
    senderName: t.string({ required: true, description: 'Shown to the recipient, 1 to 50 characters.' }),
    message: t.string({ description: 'A personal note, at most 1,000 characters.' }),
    visitorId: t.string({ required: true }),
  }),
});

const EmailArticlePayload = builder.objectRef<{ messageId: string }>('EmailArticlePayload').implement({
  fields: (t) => ({ messageId: t.exposeString('messageId') }),
});

builder.mutationFields((t) => ({
  likeArticle: t.field({
    type: LikeArticlePayload,
    description: '좋아요: one like per visitor and article; likeCount counts them.',
    args: { input: t.arg({ type: LikeArticleInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const visitorHash = visitor(input.visitorId);
      const articleId = await visibleArticleId(ctx, input.articleId);
      const liked = await ctx.prisma.$transaction(async (tx) => {
        const { count } = await tx.articleLike.createMany({ data: [{ articleId, visitorHash }], skipDuplicates: true });
        if (count === 1) await tx.article.update({ where: { id: articleId }, data: { likeCount: { increment: 1 } } });
        return count === 1;
      });
      return { articleId, liked };
    },
  }),
  emailArticle: t.field({
    type: EmailArticlePayload,
    description: `기사 메일전송: sends the headline, excerpt and link. Rate-limited per visitor, recipient and address (RATE_LIMITED).`,
    args: { input: t.arg({ type: EmailArticleInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const to = input.to.trim();
      if (!isEmailAddress(to)) throw fieldError('to', 'is not an e-mail address');
      const senderName = requiredText('senderName', input.senderName, { max: LIMITS.senderName });
      const message = optionalText('message', input.message, { max: LIMITS.message, multiline: true }) ?? '';
      const visitorHash = visitor(input.visitorId);
      const articleId = await visibleArticleId(ctx, input.articleId);
      const { mail } = ctx.config;
      const verdict = await ctx.rateLimiter.hit([
        { name: 'email:visitor', key: visitorHash, limit: mail.perVisitorPerHour, windowMs: HOUR },
        { name: 'email:recipient', key: to.toLowerCase(), limit: mail.perRecipientPerHour, windowMs: HOUR },
        { name: 'email:ip', key: ctx.clientIp ?? 'unknown', limit: mail.perIpPerHour, windowMs: HOUR },
      ]);
      if (!verdict.allowed) {
        throw rateLimited(
          `Too many articles sent; try again in ${Math.ceil(verdict.retryAfterMs / 60_000)} minutes`,
          verdict.retryAfterMs,
        );
      }
      const article = await ctx.prisma.article.findUniqueOrThrow({
        where: { id: articleId },
        select: { headline: true, slug: true, bodyText: true },
      });
      const url = articleUrl(ctx.config.siteUrl, article.slug);
      const summary = excerpt(article.bodyText, 200);
      const intro = `${senderName}님이 일간환경연합 기사를 보냈습니다.`;
      const text = [intro, message && `\n${message}`, `\n${article.headline}\n${summary}\n\n${url}`]
        .filter(Boolean)
        .join('\n');
      const html =
        `<p>${escapeHtml(intro)}</p>${message ? `<blockquote>${escapeHtml(message)}</blockquote>` : ''}` +
        `<h2><a href="${escapeHtml(url)}">${escapeHtml(article.headline)}</a></h2><p>${escapeHtml(summary)}</p>`;
      return ctx.mailer.send({ to, subject: `[일간환경연합] ${article.headline}`, text, html });
    },
  }),
}));
