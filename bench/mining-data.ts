/**
 * Benchmark data for mining, generated identically in Node and in the browser (no Node imports).
 * `uniform`: independent random unit vectors (almost no pair reaches the floor: pure screening cost).
 * `clustered`: random unit vectors around cluster centres, so about 2% of pairs reach the floor
 * with a spread of DINO similarities: the realistic load for building and re-mining.
 */
import type { EmbeddingMatrix } from '../src/core/mining/index.ts';
import { seededRandom } from '../src/core/random.ts';

export const CLIP_DIM = 512;
export const DINO_DIM = 384;

/** The project's one seeded generator (src/core/random.ts), so failures replay. */
const prng = seededRandom;

function gaussians(random: () => number, out: Float32Array): void {
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(random() || 1e-12));
    const t = 2 * Math.PI * random();
    out[i] = r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(t);
  }
}

function normalize(m: Float32Array, dim: number): void {
  for (let o = 0; o < m.length; o += dim) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += m[o + k] * m[o + k];
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < dim; k++) m[o + k] *= inv;
  }
}

export function uniformUnitRows(rows: number, dim: number, seed: number): EmbeddingMatrix {
  const data = new Float32Array(rows * dim);
  gaussians(prng(seed), data);
  normalize(data, dim);
  return { rows, dim, data };
}

/** Members of a cluster share a centre; the noise level varies per cluster, so similarities spread. */
export function clusteredPair(rows: number, seed: number, clusterSize = 250): { clip: EmbeddingMatrix; dino: EmbeddingMatrix } {
  const random = prng(seed);
  const clusters = Math.max(1, Math.ceil(rows / clusterSize));
  const clipCentres = new Float32Array(clusters * CLIP_DIM);
  gaussians(random, clipCentres);
  normalize(clipCentres, CLIP_DIM);
  const subclusters = 4;
  const dinoCentres = new Float32Array(clusters * subclusters * DINO_DIM);
  const parent = new Float32Array(DINO_DIM);
  for (let c = 0; c < clusters; c++) {
    gaussians(random, parent);
    normalize(parent, DINO_DIM);
    for (let s = 0; s < subclusters; s++) {
      const o = (c * subclusters + s) * DINO_DIM;
      const noise = new Float32Array(DINO_DIM);
      gaussians(random, noise);
      for (let k = 0; k < DINO_DIM; k++) dinoCentres[o + k] = parent[k] + 1.1 * noise[k] / Math.sqrt(DINO_DIM);
    }
  }
  normalize(dinoCentres, DINO_DIM);
  const clip = new Float32Array(rows * CLIP_DIM);
  const dino = new Float32Array(rows * DINO_DIM);
  gaussians(random, clip);
  gaussians(random, dino);
  for (let r = 0; r < rows; r++) {
    const c = r % clusters;
    // Expected within-cluster CLIP cosine 1 / (1 + spread): from about 0.97 down to 0.75.
    const spread = 0.03 + 0.3 * ((c * 7919) % clusters) / clusters;
    const sigma = Math.sqrt(spread / CLIP_DIM);
    for (let k = 0; k < CLIP_DIM; k++) clip[r * CLIP_DIM + k] = clipCentres[c * CLIP_DIM + k] + sigma * clip[r * CLIP_DIM + k];
    const sub = c * subclusters + Math.floor(random() * subclusters);
    const dinoSigma = Math.sqrt(0.25 / DINO_DIM);
    for (let k = 0; k < DINO_DIM; k++) dino[r * DINO_DIM + k] = dinoCentres[sub * DINO_DIM + k] + dinoSigma * dino[r * DINO_DIM + k];
  }
  normalize(clip, CLIP_DIM);
  normalize(dino, DINO_DIM);
  return { clip: { rows, dim: CLIP_DIM, data: clip }, dino: { rows, dim: DINO_DIM, data: dino } };
}

/** 200 (or `count`) random threshold moves above the floor, reproducible. */
export function thresholdMoves(count: number, floor: number, seed: number): { clipMin: number; dinoMax: number }[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => ({ clipMin: floor + (1 - floor) * random(), dinoMax: random() }));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
