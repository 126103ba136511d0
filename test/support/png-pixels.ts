/**
 * `pngPixels`: the pixels of a PNG, decoded with node:zlib and the five row filters, enough to
 * check a browser's screenshot (8-bit greyscale, RGB, grey-alpha or RGBA, not interlaced, which
 * is what Chromium writes). No dependency: the point is to read the picture, not trust its size.
 *
 * @module
 */
import { inflateSync } from 'node:zlib';

/** A decoded picture: `channels` bytes per pixel, rows top to bottom. */
export interface PngPixels {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint8Array;
}

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const channelsOf: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decodes `png`.
 *
 * @throws Error for a file that is not a PNG, or one of a kind this reader does not handle.
 * @example
 * ```ts
 * const { width, height, channels, data } = pngPixels(await page.screenshot());
 * ```
 */
export function pngPixels(png: Uint8Array): PngPixels {
  const bytes = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (!bytes.subarray(0, 8).equals(signature)) throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let channels = 0;
  const compressed: Buffer[] = [];
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      channels = channelsOf[body[9]!] ?? 0;
      if (body[8] !== 8 || channels === 0 || body[12] !== 0) {
        throw new Error(`unsupported PNG: depth ${body[8]}, colour type ${body[9]}, interlace ${body[12]}`);
      }
    } else if (type === 'IDAT') compressed.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const filtered = inflateSync(Buffer.concat(compressed));
  const stride = width * channels;
  if (filtered.length !== height * (stride + 1)) throw new Error('PNG data of the wrong size');
  const data = new Uint8Array(height * stride);
  for (let row = 0; row < height; row++) {
    const filter = filtered[row * (stride + 1)]!;
    const input = row * (stride + 1) + 1;
    const out = row * stride;
    for (let i = 0; i < stride; i++) {
      const x = filtered[input + i]!;
      const a = i >= channels ? data[out + i - channels]! : 0;
      const b = row > 0 ? data[out - stride + i]! : 0;
      const c = row > 0 && i >= channels ? data[out - stride + i - channels]! : 0;
      const predicted =
        filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth(a, b, c);
      if (filter > 4) throw new Error(`bad PNG row filter ${filter}`);
      data[out + i] = (x + predicted) & 0xff;
    }
  }
  return { width, height, channels, data };
}
