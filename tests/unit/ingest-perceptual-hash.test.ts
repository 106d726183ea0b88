import { describe, expect, it } from 'vitest';
import { rgbImage, type RgbImage } from '../../src/core/image.ts';
import { DEFAULT_NEAR_DUPLICATE, hashDistance, nearDuplicateReason, perceptualHash } from '../../src/core/ingest/perceptual-hash.ts';
import { prng } from './mining-reference.ts';

/** A smooth random "figure": a few blobs and stripes, deterministic per seed. */
function figure(seed: number, width: number, height: number): RgbImage {
  const random = prng(seed);
  const blobs = Array.from({ length: 6 }, () => ({ x: random(), y: random(), r: 0.05 + 0.2 * random(), c: [random(), random(), random()].map((v) => 255 * v) }));
  const freq = 2 + 6 * random();
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      for (let ch = 0; ch < 3; ch++) {
        let value = 60 + 40 * Math.sin(freq * (u + v) * Math.PI);
        for (const b of blobs) value += b.c[ch] * Math.exp(-((u - b.x) ** 2 + (v - b.y) ** 2) / (b.r * b.r));
        data[(y * width + x) * 3 + ch] = Math.max(0, Math.min(255, Math.round(value)));
      }
    }
  }
  return rgbImage(width, height, data);
}

/** The same picture re-used: rescaled (nearest), brighter and noisier, as a re-encoded figure. */
function reused(image: RgbImage, width: number, height: number, seed: number): RgbImage {
  const random = prng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = Math.floor((x * image.width) / width);
      const sy = Math.floor((y * image.height) / height);
      for (let ch = 0; ch < 3; ch++) {
        const v = image.data[(sy * image.width + sx) * 3 + ch] * 0.9 + 20 + (random() - 0.5) * 12;
        data[(y * width + x) * 3 + ch] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return rgbImage(width, height, data);
}

describe('perceptual hash', () => {
  it('is 64 bits, the same for the same pixels, and close for a re-used figure', () => {
    const original = figure(1, 200, 150);
    const hash = perceptualHash(original);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(perceptualHash(figure(1, 200, 150))).toBe(hash);
    for (const [w, h, seed] of [[64, 48, 2], [400, 300, 3], [97, 73, 4]]) {
      expect(hashDistance(hash, perceptualHash(reused(original, w, h, seed)))).toBeLessThanOrEqual(DEFAULT_NEAR_DUPLICATE.maxHashDistance);
    }
  });

  it('keeps different figures far apart', () => {
    const hashes = Array.from({ length: 12 }, (_, s) => perceptualHash(figure(100 + s, 128, 128)));
    let closest = 64;
    for (let i = 0; i < hashes.length; i++) for (let j = i + 1; j < hashes.length; j++) closest = Math.min(closest, hashDistance(hashes[i], hashes[j]));
    expect(closest).toBeGreaterThan(DEFAULT_NEAR_DUPLICATE.maxHashDistance);
  });

  it('counts differing bits and refuses what is not a hash', () => {
    expect(hashDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hashDistance('00000000000000f1', '0000000000000000')).toBe(5);
    expect(() => hashDistance('xyz', '0000000000000000')).toThrow(/16 hex digits/);
    expect(() => perceptualHash(rgbImage(0, 0, new Uint8Array(0)))).toThrow(/non-empty RGB image/);
  });
});

describe('near-duplicate rule', () => {
  it('names why a pair is a near duplicate, or null', () => {
    expect(nearDuplicateReason({ clip: 0.5, dino: 0.1, sha256A: 'x', sha256B: 'x' })).toBe('exact');
    expect(nearDuplicateReason({ clip: 0.97, dino: 0.96 })).toBe('encoders');
    expect(nearDuplicateReason({ clip: 0.97, dino: 0.5 })).toBeNull();
    expect(nearDuplicateReason({ clip: 0.97, dino: 0.5, hashA: '0000000000000000', hashB: '00000000000000ff' })).toBe('perceptual-hash');
    expect(nearDuplicateReason({ clip: 0.97, dino: 0.5, hashA: '0000000000000000', hashB: '0000000000000fff' })).toBeNull();
    expect(nearDuplicateReason({ clip: 0.97, dino: 0.5, hashA: '0000000000000000', hashB: '0000000000000fff' }, { similarity: 0.95, maxHashDistance: 12 })).toBe('perceptual-hash');
  });
});
