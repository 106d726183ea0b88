/**
 * Nearest neighbours and neighbour ranks over a unit matrix, with the miner's similarity rule
 * (`pairSimilarity`), so a rank agrees with the similarities the lists show. O(N·D) per call: the
 * miner worker runs them, never the page.
 */
import { pairSimilarity, type EmbeddingMatrix } from './matrix.ts';

/** Rank of row `to` among row `from`'s neighbours (1 = nearest; ties count in its favour). */
export function neighbourRank(matrix: EmbeddingMatrix, from: number, to: number): number {
  const target = pairSimilarity(matrix, from, to);
  let rank = 1;
  for (let j = 0; j < matrix.rows; j++) if (j !== from && j !== to && pairSimilarity(matrix, from, j) > target) rank++;
  return rank;
}

export interface Neighbour {
  index: number;
  similarity: number;
}

/** The `k` rows most similar to `from` (itself excluded), most similar first; ties to the lower index. */
export function nearestRows(matrix: EmbeddingMatrix, from: number, k: number): Neighbour[] {
  const best: Neighbour[] = [];
  if (k <= 0) return best;
  for (let j = 0; j < matrix.rows; j++) {
    if (j === from) continue;
    const similarity = pairSimilarity(matrix, from, j);
    if (best.length === k && similarity <= best[k - 1].similarity) continue;
    let at = best.length;
    while (at > 0 && best[at - 1].similarity < similarity) at--;
    best.splice(at, 0, { index: j, similarity });
    if (best.length > k) best.pop();
  }
  return best;
}
