/**
 * Golden test against Pillow: tensors made by scripts/golden/make_preprocess_goldens.py with the
 * real PIL and the torchvision / transformers rules. Regenerate with
 * `/usr/bin/python3 scripts/golden/make_preprocess_goldens.py`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/core/formats/npy.ts';
import type { DecodedImage } from '../../src/core/image.ts';
import { HF_BIT_DINOV2, OPEN_CLIP_224, preprocessDecoded } from '../../src/core/preprocess/index.ts';

const folder = join(import.meta.dirname, '..', 'golden', 'preprocess');

interface GoldenCase {
  name: string;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  bitDepth: 8 | 16;
  note: string;
}

const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as { images: GoldenCase[] };

function load(file: string) {
  return decodeNpy(gunzipSync(readFileSync(join(folder, file))));
}

function decoded(entry: GoldenCase): DecodedImage {
  const input = load(`${entry.name}.input.npy.gz`);
  expect(input.shape).toEqual([entry.height, entry.width, entry.channels]);
  if (input.dtype === '<f4') throw new Error('golden inputs are integer samples');
  return { width: entry.width, height: entry.height, channels: entry.channels, bitDepth: entry.bitDepth, data: input.data };
}

function difference(actual: Float32Array, expected: Float32Array): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    sum += d;
    if (d > max) max = d;
  }
  return { mean: sum / expected.length, max };
}

describe('preprocessing matches Pillow + torchvision / transformers', () => {
  it('has at least six golden images of varied sizes and bit depths', () => {
    expect(manifest.images.length).toBeGreaterThanOrEqual(6);
    expect(new Set(manifest.images.map((e) => e.bitDepth))).toEqual(new Set([8, 16]));
    expect(new Set(manifest.images.map((e) => e.channels))).toEqual(new Set([1, 2, 3, 4]));
  });

  for (const entry of manifest.images) {
    for (const [pipeline, spec] of [
      ['open_clip', OPEN_CLIP_224],
      ['hf_bit', HF_BIT_DINOV2],
    ] as const) {
      it(`${entry.name} (${entry.note}) through ${pipeline}`, () => {
        const expected = load(`${entry.name}.${pipeline}.npy.gz`);
        expect(expected.shape).toEqual([3, 224, 224]);
        const actual = preprocessDecoded(decoded(entry), spec);
        expect(actual.length).toBe(3 * 224 * 224);
        const { mean, max } = difference(actual, expected.data as Float32Array);
        expect(mean, `mean abs diff for ${entry.name}`).toBeLessThanOrEqual(2e-3);
        expect(max, `max abs diff for ${entry.name}`).toBeLessThanOrEqual(0.05);
        // The implementation reproduces Pillow bit for bit; only float32 rounding may differ.
        expect(max, `${entry.name} should match Pillow exactly`).toBeLessThanOrEqual(1e-6);
      });
    }
  }
});
