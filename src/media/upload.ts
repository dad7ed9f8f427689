// uploadImage: a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec).
import { LIMITS } from '../inputs/limits.ts';
import { optionalText } from '../inputs/text.ts';
import { fieldError } from '../errors.ts';
import { builder } from '../builder.ts';
import { sniffImage } from './image.ts';
import { storeImage } from './storage.ts';

const MAX_PIXELS = 100_000_000;

builder.mutationField('uploadImage', (t) =>
  t.prismaField({
    type: 'Media',
    description: `Uploads a photo (PNG, JPEG, GIF or WebP, checked by its bytes) for body blocks and lead images. REPORTER, EDITOR, ADMIN.`,
    authScopes: { reporter: true },
    args: {
      file: t.arg({ type: 'File', required: true }),
      caption: t.arg.string(),
      credit: t.arg.string(),
      alt: t.arg.string({ description: 'Text alternative for screen readers.' }),
    },
    resolve: async (query, _root, args, ctx) => {
      const { maxUploadBytes, mediaDir } = ctx.config.media;
      if (args.file.size > maxUploadBytes)
        throw fieldError('file', `is ${args.file.size} bytes; the limit is ${maxUploadBytes}`);
      const bytes = Buffer.from(await args.file.arrayBuffer());
      if (bytes.length > maxUploadBytes) throw fieldError('file', `is larger than ${maxUploadBytes} bytes`);
      const info = sniffImage(bytes);
      if (!info) throw fieldError('file', 'is not a PNG, JPEG, GIF or WebP image');
      if (info.width * info.height > MAX_PIXELS)
        throw fieldError('file', `${info.width}×${info.height} is too many pixels`);
      const caption = optionalText('caption', args.caption, { max: LIMITS.caption });
      const credit = optionalText('credit', args.credit, { max: LIMITS.credit });
      const alt = optionalText('alt', args.alt, { max: LIMITS.alt });
      const url = await storeImage(mediaDir, bytes, info, ctx.clock());
      return ctx.prisma.media.create({
        ...query,
        data: { url, caption, credit, alt, width: info.width, height: info.height, mimeType: info.mimeType },
      });
    },
  }),
);
