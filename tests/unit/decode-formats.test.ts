import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { encode as encodeJpeg } from 'jpeg-js';
import UTIF from 'utif';
import { configureNodeCodecs } from '../../src/cli/node-codecs.ts';
import { decodeFile, decodeImage, sniffFormat } from '../../src/core/decode/index.ts';
import { toRgb8 } from '../../src/core/preprocess/index.ts';
import { buildBlockJpeg, buildBmp, buildGif, buildPng, seededBytes } from '../support/hostile-builders.ts';

function pngjsWrite(width: number, height: number, rgba: Uint8Array, colorType: 0 | 2 | 4 | 6, bitDepth: 8 | 16): Uint8Array {
  const png = new PNG({ width, height, colorType, bitDepth, inputHasAlpha: true });
  if (bitDepth === 16) {
    const wide = new Uint16Array(rgba.length);
    for (let i = 0; i < rgba.length; i++) wide[i] = rgba[i] * 257;
    png.data = Buffer.from(wide.buffer);
  } else {
    png.data = Buffer.from(rgba);
  }
  return new Uint8Array(PNG.sync.write(png, { colorType, bitDepth, inputColorType: 6 }));
}

describe('PNG decoding', () => {
  const width = 23;
  const height = 17;
  const rgba = seededBytes(width * height * 4, 11);

  for (const [colorType, channels] of [[0, 1], [2, 3], [4, 2], [6, 4]] as const) {
    for (const bitDepth of [8, 16] as const) {
      it(`matches pngjs for colour type ${colorType}, ${bitDepth}-bit`, async () => {
        const bytes = pngjsWrite(width, height, rgba, colorType, bitDepth);
        const reference = PNG.sync.read(Buffer.from(bytes), { skipRescale: true });
        const image = await decodeImage(bytes, 'x.png');
        expect(image).toMatchObject({ width, height, channels, bitDepth });
        expect(image.data).toBeInstanceOf(bitDepth === 16 ? Uint16Array : Uint8Array);
        // pngjs expands everything to RGBA; compare the channels we keep.
        // With skipRescale pngjs returns 16-bit samples as 16-bit numbers (a Uint16Array).
        const refData = reference.data as unknown as Uint8Array | Uint16Array;
        expect(refData.length).toBe(width * height * 4);
        for (let p = 0; p < width * height; p++) {
          const got = Array.from(image.data.subarray(p * channels, (p + 1) * channels));
          const ref = Array.from(refData.subarray(p * 4, p * 4 + 4));
          const wanted = channels === 1 ? [ref[0]] : channels === 2 ? [ref[0], ref[3]] : channels === 3 ? ref.slice(0, 3) : ref;
          expect(got).toEqual(wanted);
        }
      });
    }
  }

  it('decodes palette PNGs with transparency and low bit depths', async () => {
    const palette = Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9);
    // 4 pixels per byte at 2 bits: indices 0,1,2,3
    const bytes = buildPng({ width: 4, height: 1, bitDepth: 2, colorType: 3, raw: Uint8Array.of(0b00011011), palette, transparency: Uint8Array.of(255, 128) });
    const image = await decodeImage(bytes);
    expect(image.channels).toBe(4);
    expect(Array.from(image.data)).toEqual([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 255, 9, 9, 9, 255]);
    const grey1 = await decodeImage(buildPng({ width: 8, height: 1, bitDepth: 1, colorType: 0, raw: Uint8Array.of(0b10100000) }));
    expect(Array.from(grey1.data)).toEqual([255, 0, 255, 0, 0, 0, 0, 0]);
  });
});

describe('other formats', () => {
  it('decodes a jpeg-js JPEG close to its source', async () => {
    const width = 32;
    const height = 24;
    const rgba = new Uint8Array(width * height * 4);
    for (let p = 0; p < width * height; p++) rgba.set([(p % width) * 8, 100, 200, 255], p * 4);
    const bytes = new Uint8Array(encodeJpeg({ width, height, data: rgba }, 95).data);
    const image = await decodeImage(bytes, 'photo.jpg');
    expect(image).toMatchObject({ width, height, channels: 3, bitDepth: 8 });
    for (let p = 0; p < width * height; p++) expect(Math.abs(image.data[p * 3] - (p % width) * 8)).toBeLessThan(24);
  });

  it('decodes grey JPEG to one channel with the coded values', async () => {
    const image = await decodeImage(buildBlockJpeg(16, 8, 1, (_c, bx) => (bx === 0 ? 50 : 200)));
    expect(image.channels).toBe(1);
    expect(image.data[0]).toBeCloseTo(50, -1);
    expect(image.data[15]).toBeCloseTo(200, -1);
  });

  it('keeps an Adobe CMYK JPEG in CMYK as Pillow holds it, and converts it to RGB as Pillow does (cyan ink -> low red)', async () => {
    const image = await decodeImage(buildBlockJpeg(8, 8, 4, (c) => (c === 0 ? 0 : 255)));
    expect(image).toMatchObject({ channels: 4, pilMode: 'CMYK' });
    // Adobe stores ink inverted: the coded 0 of the first component is full cyan.
    expect(Array.from(image.data.subarray(0, 4))).toEqual([255, 0, 0, 0]);
    const [r, g, b] = toRgb8(image).data;
    expect(r).toBeLessThan(40);
    expect(g).toBeGreaterThan(215);
    expect(b).toBeGreaterThan(215);
  });

  it('shows the first frame of an animated GIF', async () => {
    const palette = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [1, 2, 3]];
    const first = Uint8Array.from({ length: 6 * 4 }, (_, i) => i % 4);
    const image = await decodeImage(buildGif(6, 4, palette, [first, new Uint8Array(24).fill(2)]));
    expect(image).toMatchObject({ width: 6, height: 4, channels: 3 });
    for (let p = 0; p < 24; p++) expect(Array.from(image.data.subarray(p * 3, p * 3 + 3))).toEqual(palette[p % 4]);
  });

  it('decodes a 24-bit BMP', async () => {
    const rgb = seededBytes(7 * 5 * 3, 5);
    const image = await decodeImage(buildBmp(7, 5, rgb));
    expect(image).toMatchObject({ width: 7, height: 5, channels: 3 });
    expect(Array.from(image.data)).toEqual(Array.from(rgb));
  });

  it('decodes the first page of a TIFF', async () => {
    const rgba = seededBytes(9 * 4 * 4, 9);
    for (let p = 0; p < 36; p++) rgba[p * 4 + 3] = 255;
    const bytes = new Uint8Array(UTIF.encodeImage(rgba, 9, 4));
    const image = await decodeImage(bytes, 'scan.tif');
    expect(image).toMatchObject({ width: 9, height: 4, channels: 4 });
    expect(Array.from(image.data)).toEqual(Array.from(rgba));
  });

  it('decodes WebP in Node with the same libwebp build as the app (RGB without alpha, RGBA with)', async () => {
    configureNodeCodecs();
    const folder = join(import.meta.dirname, '..', 'golden', 'preprocess', 'files');
    const lossy = await decodeImage(new Uint8Array(readFileSync(join(folder, 'webp-lossy.webp'))), 'x.webp');
    expect(lossy).toMatchObject({ width: 160, height: 120, channels: 3, bitDepth: 8 });
    const alpha = await decodeImage(new Uint8Array(readFileSync(join(folder, 'webp-alpha.webp'))), 'x.webp');
    expect(alpha).toMatchObject({ width: 110, height: 90, channels: 4 });
    const cut = new Uint8Array(readFileSync(join(folder, 'webp-lossy.webp'))).slice(0, 200);
    await expect(decodeImage(cut, 'cut.webp')).rejects.toMatchObject({ code: 'corrupt' });
  });

  it('marks palette, 1-bit and GIF images with the mode Pillow opens them in', async () => {
    const palette = await decodeImage(buildPng({ width: 4, height: 1, bitDepth: 8, colorType: 3, raw: Uint8Array.of(0, 1, 0, 1), palette: Uint8Array.of(1, 2, 3, 4, 5, 6) }));
    expect(palette.pilMode).toBe('P');
    const grey1 = await decodeImage(buildPng({ width: 8, height: 1, bitDepth: 1, colorType: 0, raw: Uint8Array.of(0b10100000) }));
    expect(grey1.pilMode).toBe('1');
    const gif = await decodeImage(buildGif(2, 2, [[0, 0, 0], [9, 9, 9]], [Uint8Array.of(0, 1, 1, 0)]));
    expect(gif.pilMode).toBe('P');
  });

  it('trusts magic bytes over the extension', async () => {
    const png = buildPng({ width: 3, height: 2 });
    expect(sniffFormat(png, 'photo.jpg').format).toBe('png');
    const result = await decodeFile(png, 'photo.jpg');
    expect(result.format).toBe('png');
  });
});
