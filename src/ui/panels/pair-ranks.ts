/** Rank of one image among another's neighbours in one space (1 = nearest), over unit rows. */
export function neighbourRank(matrix: Float32Array, dim: number, rows: number, from: number, to: number): number {
  const base = from * dim;
  const dot = (j: number) => {
    let s = 0;
    const o = j * dim;
    for (let k = 0; k < dim; k++) s += matrix[base + k] * matrix[o + k];
    return s;
  };
  const target = dot(to);
  let rank = 1;
  for (let j = 0; j < rows; j++) if (j !== from && j !== to && dot(j) > target) rank++;
  return rank;
}

/** The `k` rows most similar to `from` (excluding itself), most similar first, with similarities. */
export function nearestRows(matrix: Float32Array, dim: number, rows: number, from: number, k: number): { index: number; similarity: number }[] {
  const base = from * dim;
  const best: { index: number; similarity: number }[] = [];
  for (let j = 0; j < rows; j++) {
    if (j === from) continue;
    let s = 0;
    const o = j * dim;
    for (let d = 0; d < dim; d++) s += matrix[base + d] * matrix[o + d];
    if (best.length < k || s > best[best.length - 1].similarity) {
      best.push({ index: j, similarity: s });
      best.sort((x, y) => y.similarity - x.similarity);
      if (best.length > k) best.pop();
    }
  }
  return best;
}
