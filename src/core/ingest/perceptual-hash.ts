/**
 * Perceptual hash of a thumbnail and the near-duplicate rule, so one figure re-used across
 * articles (re-encoded, rescaled, slightly recoloured) is recognised and not shown as a
 * confusing pair. The hash is the classic DCT pHash: luma, area-resized to 32 x 32, 2-D DCT-II,
 * the 8 x 8 lowest frequencies without the DC term compared with their median, 64 bits. It
 * ignores scale and mild compression, brightness and contrast changes; different images differ
 * in about half of the bits.
 */
import type { RgbImage } from '../image.ts';

const SIDE = 32;
const LOW = 8;

/** A 64-bit perceptual hash as 16 lower-case hex digits (stored and exported as text). */
export type PerceptualHash = string;

/** Luma (BT.601) of an RGB image, area-averaged onto SIDE x SIDE cells. */
function lumaGrid(image: RgbImage): Float64Array {
  const { width, height, data } = image;
  if (!(width > 0 && height > 0) || data.length !== width * height * 3) {
    throw new Error(`The thumbnail is ${width} x ${height} with ${data.length} samples; a perceptual hash needs a non-empty RGB image.`);
  }
  const sum = new Float64Array(SIDE * SIDE);
  const weight = new Float64Array(SIDE * SIDE);
  // Each source pixel covers [x, x + 1) scaled onto the grid; split its area over the cells it touches.
  const sx = SIDE / width;
  const sy = SIDE / height;
  for (let y = 0; y < height; y++) {
    const y0 = y * sy;
    const y1 = y0 + sy;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const luma = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      const x0 = x * sx;
      const x1 = x0 + sx;
      for (let cy = Math.floor(y0); cy < Math.min(SIDE, Math.ceil(y1)); cy++) {
        const hy = Math.min(y1, cy + 1) - Math.max(y0, cy);
        if (hy <= 0) continue;
        for (let cx = Math.floor(x0); cx < Math.min(SIDE, Math.ceil(x1)); cx++) {
          const w = hy * (Math.min(x1, cx + 1) - Math.max(x0, cx));
          if (w <= 0) continue;
          sum[cy * SIDE + cx] += w * luma;
          weight[cy * SIDE + cx] += w;
        }
      }
    }
  }
  for (let c = 0; c < sum.length; c++) sum[c] = weight[c] > 0 ? sum[c] / weight[c] : 0;
  return sum;
}

let cosines: Float64Array | undefined;
/** cos((2x + 1) u pi / 2N) for u < LOW, x < SIDE. */
function dctTable(): Float64Array {
  if (!cosines) {
    cosines = new Float64Array(LOW * SIDE);
    for (let u = 0; u < LOW; u++) for (let x = 0; x < SIDE; x++) cosines[u * SIDE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * SIDE));
  }
  return cosines;
}

/** The pHash of an image (a thumbnail is enough: the hash only sees 32 x 32 cells). */
export function perceptualHash(image: RgbImage): PerceptualHash {
  const grid = lumaGrid(image);
  const c = dctTable();
  // Rows first (only the LOW frequencies are needed), then columns.
  const rows = new Float64Array(SIDE * LOW);
  for (let y = 0; y < SIDE; y++) {
    for (let u = 0; u < LOW; u++) {
      let s = 0;
      for (let x = 0; x < SIDE; x++) s += grid[y * SIDE + x] * c[u * SIDE + x];
      rows[y * LOW + u] = s;
    }
  }
  const coeffs: number[] = [];
  for (let v = 0; v < LOW; v++) {
    for (let u = 0; u < LOW; u++) {
      let s = 0;
      for (let y = 0; y < SIDE; y++) s += rows[y * LOW + u] * c[v * SIDE + y];
      coeffs.push(s);
    }
  }
  // The DC term is the mean brightness: leave it out of the median so brightness does not matter.
  const sorted = coeffs.slice(1).sort((x, y) => x - y);
  const median = (sorted[31] + sorted[32]) / 2;
  let hex = '';
  for (let nibble = 0; nibble < 16; nibble++) {
    let bits = 0;
    for (let b = 0; b < 4; b++) bits = (bits << 1) | (coeffs[nibble * 4 + b] > median ? 1 : 0);
    hex += bits.toString(16);
  }
  return hex;
}

const POPCOUNT = Uint8Array.from({ length: 16 }, (_, n) => (n & 1) + ((n >> 1) & 1) + ((n >> 2) & 1) + ((n >> 3) & 1));

/** Bits in which two hashes differ (0 = same picture, about 32 = unrelated). */
export function hashDistance(x: PerceptualHash, y: PerceptualHash): number {
  if (!/^[0-9a-f]{16}$/.test(x) || !/^[0-9a-f]{16}$/.test(y)) {
    throw new Error(`Perceptual hashes are 16 hex digits; got "${x}" and "${y}". Compute them with perceptualHash.`);
  }
  let d = 0;
  for (let i = 0; i < 16; i++) d += POPCOUNT[parseInt(x[i], 16) ^ parseInt(y[i], 16)];
  return d;
}

export interface NearDuplicateRule {
  /** Both encoders at or above this similarity: the same image to both (default 0.95, the app's duplicate threshold). */
  similarity: number;
  /** Perceptual hashes at most this many bits apart: the same figure re-used (default 8 of 64). */
  maxHashDistance: number;
}

export const DEFAULT_NEAR_DUPLICATE: NearDuplicateRule = { similarity: 0.95, maxHashDistance: 8 };

export type NearDuplicateReason = 'exact' | 'encoders' | 'perceptual-hash';

/**
 * Why a pair is a near duplicate, or null when it is not: the same bytes (sha256), both encoders
 * above the threshold, or thumbnails whose perceptual hashes are close. Such pairs are filtered
 * out of the confusing pairs and recorded with their reason in exports.
 */
export function nearDuplicateReason(
  pair: { clip: number; dino: number; sha256A?: string; sha256B?: string; hashA?: PerceptualHash; hashB?: PerceptualHash },
  rule: NearDuplicateRule = DEFAULT_NEAR_DUPLICATE,
): NearDuplicateReason | null {
  if (pair.sha256A !== undefined && pair.sha256A === pair.sha256B) return 'exact';
  if (pair.clip >= rule.similarity && pair.dino >= rule.similarity) return 'encoders';
  if (pair.hashA !== undefined && pair.hashB !== undefined && hashDistance(pair.hashA, pair.hashB) <= rule.maxHashDistance) return 'perceptual-hash';
  return null;
}
