/**
 * Brute-force k-NN reference: every pair, naive float64 dot products of unit rows (the shared
 * normalisation rule), plain sorts. Independent of src/core/mining.
 */
import type { EmbeddingMatrix } from '../../src/core/mining/index.ts';
import { cosine, unitRows, type RefPair } from './mining-reference.ts';

/** Row r's K nearest rows (self excluded) with similarity >= floor, nearest first, ties to the lower index. */
export function referenceNeighbours(clip: EmbeddingMatrix, k: number, floor: number): { index: number; sim: number }[][] {
  const u = unitRows(clip);
  return Array.from({ length: clip.rows }, (_, r) => {
    const all: { index: number; sim: number }[] = [];
    for (let j = 0; j < clip.rows; j++) if (j !== r) all.push({ index: j, sim: cosine(u, clip.dim, r, j) });
    return all.filter((x) => x.sim >= floor).sort((x, y) => y.sim - x.sim || x.index - y.index).slice(0, k);
  });
}

export interface RefKnnPair extends RefPair {
  rankAB: number;
  rankBA: number;
}

/** The union over both directions, CLIP descending then a, then b; ranks 0 = not listed. */
export function referenceKnnCandidates(clip: EmbeddingMatrix, dino: EmbeddingMatrix, k: number, floor: number): RefKnnPair[] {
  const lists = referenceNeighbours(clip, k, floor);
  const du = unitRows(dino);
  const pairs = new Map<string, RefKnnPair>();
  lists.forEach((list, r) => {
    list.forEach(({ index, sim }, e) => {
      const a = Math.min(r, index);
      const b = Math.max(r, index);
      const key = `${a},${b}`;
      const pair = pairs.get(key) ?? { a, b, clip: sim, dino: cosine(du, dino.dim, a, b), rankAB: 0, rankBA: 0 };
      if (r === a) pair.rankAB = e + 1;
      else pair.rankBA = e + 1;
      pairs.set(key, pair);
    });
  });
  return [...pairs.values()].sort((x, y) => y.clip - x.clip || x.a - y.a || x.b - y.b);
}
