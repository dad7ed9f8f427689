// Demo photos: small real JPEGs drawn at start (a sky, hills and a sun, colours chosen by name), so
// every `/media/demo/…` url in the demo data answers with an image. Written once into MEDIA_DIR/demo.
import { createHash } from 'node:crypto';
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import jpeg from 'jpeg-js';

export const DEMO_PHOTO_WIDTH = 480;
export const DEMO_PHOTO_HEIGHT = 320;
/** Generated articles cycle through this many photos. */
export const CORPUS_PHOTOS = 8;
export const DEMO_PHOTO_PREFIX = '/media/demo/';

/** File names (without directory) of every demo photo the demo data refers to. */
export const DEMO_PHOTO_NAMES = [
  'seoul-beijing-meeting',
  ...Array.from({ length: CORPUS_PHOTOS }, (_, i) => `photo-${i + 1}`),
];

export const corpusPhotoUrl = (i: number) => `${DEMO_PHOTO_PREFIX}photo-${(i % CORPUS_PHOTOS) + 1}.jpg`;

/** Draws one photo: deterministic for a name. */
export function drawDemoPhoto(name: string, width = DEMO_PHOTO_WIDTH, height = DEMO_PHOTO_HEIGHT): Buffer {
  const h = createHash('sha256').update(name).digest();
  const hue = (h[0]! / 255) * 360;
  const sky = hsl(hue, 0.55, 0.62);
  const horizon = hsl((hue + 40) % 360, 0.5, 0.85);
  const land = hsl((hue + 150) % 360, 0.35, 0.38);
  const sun = { x: width * (0.2 + (h[1]! / 255) * 0.6), y: height * (0.2 + (h[2]! / 255) * 0.2), r: height * 0.09 };
  const waves = [1 + (h[3]! % 3), 2 + (h[4]! % 4)];
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const ground =
        height *
        (0.62 +
          0.06 * Math.sin((x / width) * Math.PI * waves[0]! + h[5]!) +
          0.03 * Math.sin((x / width) * Math.PI * waves[1]!));
      let c: number[];
      if (y >= ground) {
        const t = (y - ground) / (height - ground);
        c = mix(land, [20, 30, 25], t * 0.6);
      } else {
        c = mix(sky, horizon, y / ground);
        const d = Math.hypot(x - sun.x, y - sun.y);
        if (d < sun.r) c = [255, 244, 214];
        else if (d < sun.r * 2.2) c = mix([255, 244, 214], c, (d - sun.r) / (sun.r * 1.2));
      }
      const o = (y * width + x) * 4;
      data[o] = c[0]!;
      data[o + 1] = c[1]!;
      data[o + 2] = c[2]!;
      data[o + 3] = 255;
    }
  }
  return jpeg.encode({ data, width, height }, 45).data;
}

/** Writes the demo photos that are missing under `mediaDir/demo`. */
export async function ensureDemoPhotos(mediaDir: string): Promise<number> {
  const dir = path.join(mediaDir, 'demo');
  await mkdir(dir, { recursive: true });
  let written = 0;
  for (const name of DEMO_PHOTO_NAMES) {
    const file = path.join(dir, `${name}.jpg`);
    if (
      await access(file).then(
        () => true,
        () => false,
      )
    )
      continue;
    await writeFile(file, drawDemoPhoto(name));
    written++;
  }
  return written;
}

function mix(a: number[], b: number[], t: number): number[] {
  const k = Math.min(1, Math.max(0, t));
  return a.map((v, i) => Math.round(v + (b[i]! - v) * k));
}

function hsl(h: number, s: number, l: number): number[] {
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}
