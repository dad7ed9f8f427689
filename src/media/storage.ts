// Uploaded images on disk under MEDIA_DIR, named by content hash, served read-only at /media/….
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Plugin } from 'graphql-yoga';
import type { ImageInfo } from './image.ts';

export const MEDIA_PREFIX = '/media/';

/** Writes the image (idempotent: same bytes, same name) and returns its public path. */
export async function storeImage(dir: string, bytes: Buffer, info: ImageInfo, now: Date): Promise<string> {
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 24);
  const month = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const relative = `${month}/${hash}.${info.extension}`;
  await mkdir(path.join(dir, month), { recursive: true });
  await writeFile(path.join(dir, relative), bytes, { flag: 'w' });
  return MEDIA_PREFIX + relative;
}

const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};
// Uploads (content-addressed) and the demo photos (src/seed/demo-photos.ts).
const SAFE_PATH = /^(\d{4}\/\d{2}\/[0-9a-f]{24}|demo\/[a-z0-9-]{1,64})\.(png|jpg|gif|webp)$/;

/**
 * GET/HEAD /media/YYYY/MM/<hash>.<ext> or /media/demo/<name>.jpg, as a Yoga plugin answering in
 * `onRequest` (like Yoga's health check), so photos pass through Yoga's CORS and response hooks like
 * every other answer. Anything else under /media/ is 404, never a path outside MEDIA_DIR.
 */
export function useMediaFiles(dir: string): Plugin {
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(MEDIA_PREFIX)) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
      }
      const notFound = () =>
        endResponse(new fetchAPI.Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } }));
      let relative = '';
      try {
        relative = decodeURIComponent(url.pathname.slice(MEDIA_PREFIX.length));
      } catch {
        // Malformed escapes (e.g. "%E0") name no file.
      }
      if (!SAFE_PATH.test(relative)) return notFound();
      const file = path.join(dir, relative);
      let size: number;
      try {
        size = (await stat(file)).size;
      } catch {
        return notFound();
      }
      const headers = {
        'content-type': TYPES[path.extname(file)]!,
        'content-length': String(size),
        // Content-addressed: a name never changes its bytes.
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
      };
      // Streamed from disk (a Node Readable is a body @whatwg-node's Response accepts).
      const body = request.method === 'HEAD' ? null : (createReadStream(file) as unknown as BodyInit);
      endResponse(new fetchAPI.Response(body, { status: 200, headers }));
    },
  };
}
