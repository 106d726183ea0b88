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
