// GraphQL types of body blocks (the union `BodyBlock`); the stored shape lives in body.ts.
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { batchedRowById } from '../db/unique-row.ts';
import type { BodyBlock } from './body.ts';
import type { Media } from '../generated/prisma/client.ts';

type Block<T extends BodyBlock['type']> = Extract<BodyBlock, { type: T }>;

const PHOTO_TEXT = { select: { caption: true, credit: true } };

/** The photo's own caption and credit (one lookup, the same for both fields; the turn's lookups are one statement). */
function photoText(ctx: Context, mediaId: number) {
  return batchedRowById<{ caption: string | null; credit: string | null }>(ctx, 'Media', PHOTO_TEXT, mediaId);
}

const ParagraphBlock = builder.objectRef<Block<'paragraph'>>('ParagraphBlock').implement({
  isTypeOf: (b) => (b as BodyBlock).type === 'paragraph',
  fields: (t) => ({ text: t.exposeString('text') }),
});

const QuoteBlock = builder.objectRef<Block<'quote'>>('QuoteBlock').implement({
  isTypeOf: (b) => (b as BodyBlock).type === 'quote',
  fields: (t) => ({
    text: t.exposeString('text'),
    attribution: t.string({ nullable: true, resolve: (b) => b.attribution ?? null }),
  }),
});

const ImageBlock = builder.objectRef<Block<'image'>>('ImageBlock').implement({
  isTypeOf: (b) => (b as BodyBlock).type === 'image',
  description: 'A photo in the body with the caption printed under it.',
  fields: (t) => ({
    media: t.prismaField({
      type: 'Media',
      nullable: true,
      // The blocks' photos of one turn are one statement (plain SQL); a selection only Prisma writes
      // goes to Prisma, whose findUnique batches the tick's calls too.
      resolve: async (query, block, _args, ctx) => {
        const row = await batchedRowById<Media>(ctx, 'Media', query, block.mediaId);
        return row !== undefined ? row : ctx.prisma.media.findUnique({ ...query, where: { id: block.mediaId } });
      },
    }),
    caption: t.string({
      nullable: true,
      description: "Caption for this placement; falls back to the photo's own caption.",
      resolve: async (b, _args, ctx) => b.caption ?? (await photoText(ctx, b.mediaId))?.caption ?? null,
    }),
    credit: t.string({
      nullable: true,
      resolve: async (b, _args, ctx) => b.credit ?? (await photoText(ctx, b.mediaId))?.credit ?? null,
    }),
  }),
});

export const BodyBlockRef = builder.unionType('BodyBlock', {
  types: [ParagraphBlock, ImageBlock, QuoteBlock],
  resolveType: (b) => (({ paragraph: 'ParagraphBlock', image: 'ImageBlock', quote: 'QuoteBlock' }) as const)[b.type],
});
