import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecodedImage, RgbImage } from '../../src/core/image.ts';
import {
  HF_BIT_DINOV2,
  OPEN_CLIP_224,
  bicubicAxis,
  preprocess,
  preprocessDecoded,
  preprocessGeometry,
  resizeAndCrop,
  resizeBicubic,
  tensorToDisplayRgba,
  toRgb8,
} from '../../src/core/preprocess/index.ts';

function image(width: number, height: number, channels: DecodedImage['channels'], samples: number[], bitDepth: 8 | 16 = 8): DecodedImage {
  const data = bitDepth === 8 ? Uint8Array.from(samples) : Uint16Array.from(samples);
  return { width, height, channels, bitDepth, data };
}

/** Index of the first difference, or -1 (a deep toEqual on 150k floats is slow to diff). */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function patterned(width: number, height: number, seed = 1): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 11 + ((i / 3 / width) | 0) * 5) & 255;
  return { width, height, data };
}

describe('toRgb8 reproduces PIL convert("RGB")', () => {
  it('replicates 8-bit grey', () => {
    expect([...toRgb8(image(2, 1, 1, [7, 250])).data]).toEqual([7, 7, 7, 250, 250, 250]);
  });
  it('drops alpha without compositing (grey + alpha, RGBA)', () => {
    expect([...toRgb8(image(2, 1, 2, [10, 0, 200, 128])).data]).toEqual([10, 10, 10, 200, 200, 200]);
    expect([...toRgb8(image(2, 1, 4, [10, 20, 30, 0, 200, 100, 50, 128])).data]).toEqual([10, 20, 30, 200, 100, 50]);
  });
  it('copies 8-bit RGB', () => {
    const rgb = toRgb8(image(1, 2, 3, [1, 2, 3, 4, 5, 6]));
    expect([...rgb.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([rgb.width, rgb.height]).toEqual([1, 2]);
  });
  it('clips 16-bit grey at 255 (PIL mode "I")', () => {
    expect([...toRgb8(image(4, 1, 1, [0, 100, 256, 65535], 16)).data]).toEqual([0, 0, 0, 100, 100, 100, 255, 255, 255, 255, 255, 255]);
  });
  it('keeps the high byte of 16-bit colour and grey + alpha', () => {
    expect([...toRgb8(image(2, 1, 3, [0, 255, 256, 511, 32767, 65535], 16)).data]).toEqual([0, 0, 1, 1, 127, 255]);
    expect([...toRgb8(image(1, 1, 2, [300, 65535], 16)).data]).toEqual([1, 1, 1]);
    expect([...toRgb8(image(1, 1, 4, [300, 600, 900, 0], 16)).data]).toEqual([1, 2, 3]);
  });
  it('refuses a buffer shorter than the image', () => {
    expect(() => toRgb8(image(3, 3, 3, [1, 2, 3]))).toThrow(/needs 27/);
  });
});

describe('geometry follows torchvision (open_clip) and transformers (hf_bit)', () => {
  it('truncates the long side', () => {
    // 224 * 517 / 333 = 347.77 -> 347; 256 * 517 / 333 = 397.45 -> 397
    expect(preprocessGeometry(333, 517, OPEN_CLIP_224)).toMatchObject({ resizedWidth: 224, resizedHeight: 347 });
    expect(preprocessGeometry(333, 517, HF_BIT_DINOV2)).toMatchObject({ resizedWidth: 256, resizedHeight: 397 });
    expect(preprocessGeometry(1000, 120, OPEN_CLIP_224)).toMatchObject({ resizedWidth: 1866, resizedHeight: 224 });
  });
  it('rounds the crop offset half to even for open_clip and floors it for transformers', () => {
    // open_clip: 347 - 224 = 123 -> round(61.5) = 62; 229 - 224 = 5 -> round(2.5) = 2
    expect(preprocessGeometry(333, 517, OPEN_CLIP_224).top).toBe(62);
    expect(preprocessGeometry(224, 229, OPEN_CLIP_224).top).toBe(2);
    // transformers: (397 - 224) // 2 = 86
    expect(preprocessGeometry(333, 517, HF_BIT_DINOV2).top).toBe(86);
  });
  it('rejects empty images', () => {
    expect(() => preprocessGeometry(0, 5, OPEN_CLIP_224)).toThrow(/cannot be preprocessed/);
  });
});

describe('bicubic resize', () => {
  it('has fixed-point coefficients that sum to one within rounding', () => {
    for (const [inSize, outSize] of [[1000, 224], [50, 256], [224, 224], [7, 3]]) {
      const axis = bicubicAxis(inSize, outSize);
      for (let i = 0; i < outSize; i++) {
        let sum = 0;
        for (let t = 0; t < axis.bounds[i * 2 + 1]; t++) sum += axis.coefficients[i * axis.taps + t];
        expect(Math.abs(sum - (1 << 22))).toBeLessThanOrEqual(axis.taps);
      }
    }
  });
  it('keeps a flat image flat, up and down', () => {
    const flat: RgbImage = { width: 31, height: 17, data: new Uint8Array(31 * 17 * 3).fill(173) };
    for (const [w, h] of [[7, 5], [100, 60], [31, 40]]) {
      expect(resizeBicubic(flat, w, h).data.every((v) => v === 173)).toBe(true);
    }
  });
  it('returns the source unchanged when the size is unchanged', () => {
    const source = patterned(9, 6);
    expect(firstDifference(resizeBicubic(source, 9, 6).data, source.data)).toBe(-1);
  });
  it('computes a region exactly as the same region of the full resize', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(),
        (w, h, ow, oh, seed) => {
          const source = patterned(w, h, seed % 50);
          const full = resizeBicubic(source, ow, oh);
          const left = seed % ow;
          const top = (seed >> 3) % oh;
          const region = { left, top, width: ow - left, height: oh - top };
          const part = resizeBicubic(source, ow, oh, region);
          for (let y = 0; y < region.height; y++) {
            const start = ((top + y) * ow + left) * 3;
            const expected = full.data.subarray(start, start + region.width * 3);
            if (!expected.every((v, i) => v === part.data[y * region.width * 3 + i])) return false;
          }
          return true;
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('preprocess', () => {
  it('writes into a batch tensor at an offset', () => {
    const source = patterned(300, 260);
    const single = preprocess(source, OPEN_CLIP_224);
    const batch = new Float32Array(2 * single.length);
    preprocess(source, OPEN_CLIP_224, batch, single.length);
    expect(firstDifference(batch.subarray(single.length), single)).toBe(-1);
    expect(batch.subarray(0, single.length).every((v) => v === 0)).toBe(true);
    expect(() => preprocess(source, OPEN_CLIP_224, new Float32Array(10))).toThrow(/too small/);
  });
  it('normalises a white pixel to (1 - mean) / std', () => {
    const white: RgbImage = { width: 224, height: 224, data: new Uint8Array(224 * 224 * 3).fill(255) };
    const tensor = preprocess(white, HF_BIT_DINOV2);
    expect(tensor[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(tensor[2 * 224 * 224]).toBeCloseTo((1 - 0.406) / 0.225, 5);
  });
  it('de-normalises back to the cropped pixels for display', () => {
    const source = patterned(250, 300, 3);
    for (const spec of [OPEN_CLIP_224, HF_BIT_DINOV2]) {
      const tensor = preprocess(source, spec);
      const rgba = tensorToDisplayRgba(tensor, spec);
      const crop = resizeAndCrop(source, spec);
      expect(firstDifference(rgba.filter((_, i) => i % 4 !== 3), crop.data)).toBe(-1);
      expect(rgba[3]).toBe(255);
    }
  });
  it('equals the RGB path for 8-bit grey and RGB, and differs for alpha only under open_clip', () => {
    const grey = image(40, 30, 1, Array.from({ length: 1200 }, (_, i) => (i * 13) & 255));
    expect(firstDifference(preprocessDecoded(grey, OPEN_CLIP_224), preprocess(toRgb8(grey), OPEN_CLIP_224))).toBe(-1);
    const samples = Array.from({ length: 40 * 30 * 4 }, (_, i) => (i % 4 === 3 ? (i * 7) & 255 : (i * 29) & 255));
    const rgba = image(40, 30, 4, samples);
    expect(firstDifference(preprocessDecoded(rgba, HF_BIT_DINOV2), preprocess(toRgb8(rgba), HF_BIT_DINOV2))).toBe(-1);
    expect(firstDifference(preprocessDecoded(rgba, OPEN_CLIP_224), preprocess(toRgb8(rgba), OPEN_CLIP_224))).not.toBe(-1);
  });
});
