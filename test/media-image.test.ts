// Unit: recognising an upload by its bytes and reading its size (src/media/image.ts).
import { describe, expect, it } from 'vitest';
import { sniffImage } from '../src/media/image.ts';
import { drawDemoPhoto } from '../src/seed/demo-photos.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const PNG_16x8 = hex('89504e470d0a1a0a 0000000d 49484452 00000010 00000008 0806000000 1ff3ff61');
const GIF_3x2 = Buffer.concat([Buffer.from('GIF89a', 'latin1'), hex('0300 0200 000000')]);

/** A RIFF/WEBP header with one chunk: `fourcc` and its payload. */
function webp(fourcc: string, payload: Buffer): Buffer {
  const chunk = Buffer.concat([Buffer.from(fourcc, 'latin1'), Buffer.alloc(4), payload]);
  chunk.writeUInt32LE(payload.length, 4);
  const out = Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.alloc(4), Buffer.from('WEBP', 'latin1'), chunk]);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}
function webpExtended(width: number, height: number): Buffer {
  const payload = Buffer.alloc(10);
  payload.writeUIntLE(width - 1, 4, 3);
  payload.writeUIntLE(height - 1, 7, 3);
  return webp('VP8X', payload);
}
function webpLossy(width: number, height: number): Buffer {
  const payload = Buffer.alloc(10);
  payload.set([0x9d, 0x01, 0x2a], 3);
  payload.writeUInt16LE(width, 6);
  payload.writeUInt16LE(height, 8);
  return webp('VP8 ', payload);
}
function webpLossless(width: number, height: number): Buffer {
  const payload = Buffer.alloc(10);
  payload[0] = 0x2f;
  payload.writeUInt32LE((width - 1) | ((height - 1) << 14), 1);
  return webp('VP8L', payload);
}

describe('sniffImage', () => {
  it('reads type and size from PNG, JPEG, GIF and the three WebP forms', () => {
    expect(sniffImage(PNG_16x8)).toEqual({ mimeType: 'image/png', extension: 'png', width: 16, height: 8 });
    expect(sniffImage(drawDemoPhoto('unit', 64, 40))).toEqual({
      mimeType: 'image/jpeg',
      extension: 'jpg',
      width: 64,
      height: 40,
    });
    expect(sniffImage(GIF_3x2)).toEqual({ mimeType: 'image/gif', extension: 'gif', width: 3, height: 2 });
    expect(sniffImage(webpExtended(1920, 1080))).toEqual({
      mimeType: 'image/webp',
      extension: 'webp',
      width: 1920,
      height: 1080,
    });
    expect(sniffImage(webpLossy(300, 200))).toEqual({
      mimeType: 'image/webp',
      extension: 'webp',
      width: 300,
      height: 200,
    });
    expect(sniffImage(webpLossless(5000, 1))).toEqual({
      mimeType: 'image/webp',
      extension: 'webp',
      width: 5000,
      height: 1,
    });
  });

  it('finds the JPEG frame size after other segments, skipping fill bytes', () => {
    const photo = drawDemoPhoto('unit', 33, 17);
    // An APP1 segment and two 0xFF fill bytes inserted after SOI.
    const app1 = Buffer.concat([hex('ffe1 0008'), Buffer.from('Exif\0\0', 'latin1')]);
    const padded = Buffer.concat([photo.subarray(0, 2), app1, hex('ffff'), photo.subarray(2)]);
    expect(sniffImage(padded)).toMatchObject({ extension: 'jpg', width: 33, height: 17 });
  });

  it.each([
    ['an empty file', Buffer.alloc(0)],
    ['SVG text', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>')],
    ['HTML', Buffer.from('<!doctype html><script>alert(1)</script>')],
    ['a truncated PNG', PNG_16x8.subarray(0, 20)],
    [
      'a PNG without IHDR first',
      Buffer.concat([PNG_16x8.subarray(0, 12), Buffer.from('tEXt', 'latin1'), PNG_16x8.subarray(16)]),
    ],
    ['a PNG of width 0', Buffer.concat([PNG_16x8.subarray(0, 16), hex('00000000'), PNG_16x8.subarray(20)])],
    ['a JPEG without a frame header', hex('ffd8 ffe0 0004 0000 ffd9 0000 0000')],
    ['a JPEG segment that is not a marker', hex(`${'ffd8 ff e0 0010 00'.padEnd(30, '0')}12 34 56 78 9a bc`)],
    [
      'a RIFF that is not WebP',
      Buffer.concat([
        Buffer.from('RIFF', 'latin1'),
        Buffer.alloc(4),
        Buffer.from('WAVEfmt ', 'latin1'),
        Buffer.alloc(30),
      ]),
    ],
    ['an unknown WebP chunk', webp('ALPH', Buffer.alloc(10))],
  ])('refuses %s', (_name, bytes) => {
    expect(sniffImage(bytes)).toBeNull();
  });
});
