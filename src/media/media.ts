import { builder } from '../builder.ts';
import { nodeById } from '../relay/node.ts';

export const MediaRef = builder.prismaNode('Media', {
  ...nodeById,
  description: 'A photo: its address, caption and credit as printed under it, and its size.',
  fields: (t) => ({
    url: t.exposeString('url'),
    caption: t.exposeString('caption', { nullable: true }),
    credit: t.exposeString('credit', { nullable: true }),
    alt: t.exposeString('alt', { nullable: true, description: 'Text alternative for screen readers.' }),
    width: t.exposeInt('width', { nullable: true }),
    height: t.exposeInt('height', { nullable: true }),
  }),
});
