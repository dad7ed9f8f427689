// "Own drafts": a REPORTER may change an article only while it is a draft with them in the byline.
import type { Context } from '../context.ts';
import { decodeIdFor } from '../relay/global-id.ts';

export async function ownsDraft(ctx: Context, articleGlobalId: string): Promise<boolean> {
  const reporterId = ctx.viewer?.reporterId;
  if (reporterId == null || !articleGlobalId) return false;
  const id = decodeIdFor('Article', articleGlobalId, 'id');
  if (id == null) return false;
  const row = await ctx.prisma.article.findFirst({
    where: { id, status: 'DRAFT', deletedAt: null, reporters: { some: { reporterId } } },
    select: { id: true },
  });
  return row != null;
}
