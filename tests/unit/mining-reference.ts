/**
 * Brute-force references for the mining tests: every pair, naive float64 dot products, plain
 * sorts. Written independently of src/core/mining except for the shared normalisation rule
 * (divide by the float64 L2 norm, store float32).
 */
import type { EmbeddingMatrix } from '../../src/core/mining/index.ts';
import { seededRandom } from '../../src/core/random.ts';

export interface RefPair {
  a: number;
  b: number;
  clip: number;
  dino: number;
}

/** Unit rows by plain float64 division (the reference's own normalisation). */
export function unitRows(m: EmbeddingMatrix): Float32Array {
  const out = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let k = 0; k < m.dim; k++) s += m.data[r * m.dim + k] ** 2;
    if (s > 0) for (let k = 0; k < m.dim; k++) out[r * m.dim + k] = m.data[r * m.dim + k] / Math.sqrt(s);
  }
  return out;
}

/** Naive float64 dot of two unit rows, rounded to float32 as the miner stores it. */
export function cosine(u: Float32Array, dim: number, a: number, b: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += u[a * dim + k] * u[b * dim + k];
  return Math.fround(s);
}

/** All pairs with clip >= floor. */
export function bruteForceCandidates(clip: EmbeddingMatrix, dino: EmbeddingMatrix, floor: number): RefPair[] {
  const cu = unitRows(clip);
  const du = unitRows(dino);
  const out: RefPair[] = [];
  for (let a = 0; a < clip.rows; a++) {
    for (let b = a + 1; b < clip.rows; b++) {
      const c = cosine(cu, clip.dim, a, b);
      if (c >= floor) out.push({ a, b, clip: c, dino: cosine(du, dino.dim, a, b) });
    }
  }
  return out;
}

export interface RefFilter {
  clipMin: number;
  dinoMax: number;
  maxPerImage?: number;
  excludeNearDuplicates?: boolean;
  duplicateThreshold?: number;
  categories?: Int32Array;
}

const byMargin = (x: RefPair, y: RefPair) => y.clip - y.dino - (x.clip - x.dino) || x.dino - y.dino || x.a - y.a || x.b - y.b;

export function referenceFilter(candidates: RefPair[], f: RefFilter): { pairs: RefPair[]; nearDuplicates: RefPair[] } {
  const dup = f.duplicateThreshold ?? 0.95;
  const isDup = (p: RefPair) => p.clip >= dup && p.dino >= dup;
  let pairs = candidates
    .filter((p) => p.clip > f.clipMin && p.dino < f.dinoMax)
    .filter((p) => !(f.excludeNearDuplicates && isDup(p)))
    .filter((p) => !f.categories || (f.categories[p.a] >= 0 && f.categories[p.a] === f.categories[p.b]))
    .sort(byMargin);
  const cap = f.maxPerImage ?? 0;
  if (cap > 0) {
    const used = new Map<number, number>();
    pairs = pairs.filter((p) => {
      if ((used.get(p.a) ?? 0) >= cap || (used.get(p.b) ?? 0) >= cap) return false;
      used.set(p.a, (used.get(p.a) ?? 0) + 1);
      used.set(p.b, (used.get(p.b) ?? 0) + 1);
      return true;
    });
  }
  const nearDuplicates = f.excludeNearDuplicates
    ? candidates.filter((p) => p.clip > f.clipMin && isDup(p)).sort((x, y) => y.clip - x.clip || x.a - y.a || x.b - y.b)
    : [];
  return { pairs, nearDuplicates };
}

/** The project's one seeded generator (src/core/random.ts), so failures replay. */
export const prng = seededRandom;

export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

/**
 * Rows clustered around a few centres (so many pairs pass the floor), each scaled by a random
 * positive factor (rows are not unit), some rows zero.
 */
export function clusteredMatrix(random: () => number, rows: number, dim: number, clusters: number, noise: number, zeroRows = 0): EmbeddingMatrix {
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dim }, () => gaussian(random)));
  const data = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const c = centres[Math.floor(random() * clusters)];
    const scale = 0.1 + random() * 10;
    for (let k = 0; k < dim; k++) data[r * dim + k] = (c[k] + noise * gaussian(random)) * scale;
  }
  for (let z = 0; z < zeroRows; z++) data.fill(0, (z * 7 % rows) * dim, (z * 7 % rows) * dim + dim);
  return { rows, dim, data };
}

export function sliceRows(m: EmbeddingMatrix, from: number, to: number): EmbeddingMatrix {
  return { rows: to - from, dim: m.dim, data: m.data.slice(from * m.dim, to * m.dim) };
}
