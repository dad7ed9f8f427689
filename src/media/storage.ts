// Uploaded images on disk under MEDIA_DIR, named by content hash, served read-only at /media/….
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
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

const TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp' };
// Uploads (content-addressed) and the demo photos (src/seed/demo-photos.ts).
const SAFE_PATH = /^(\d{4}\/\d{2}\/[0-9a-f]{24}|demo\/[a-z0-9-]{1,64})\.(png|jpg|gif|webp)$/;

/** GET/HEAD /media/YYYY/MM/<hash>.<ext> or /media/demo/<name>.jpg: anything else is 404, never a path outside MEDIA_DIR. */
export async function serveMedia(dir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let relative = '';
  try {
    relative = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(MEDIA_PREFIX.length));
  } catch {
    // Malformed escapes (e.g. "%E0") name no file: 404 below.
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (!SAFE_PATH.test(relative)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  const file = path.join(dir, relative);
  try {
    const info = await stat(file);
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)]!,
      'content-length': info.size,
      // Content-addressed: a name never changes its bytes.
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  }
}
