/**
 * Row-major float32 matrices and the normalisation rule every mining path shares: each row is
 * divided by its L2 norm computed in float64, and stored as float32. A zero row stays zero
 * (its cosine with anything is 0).
 */

/** N rows of `dim` float32 values, row-major and contiguous. */
export interface EmbeddingMatrix {
  rows: number;
  dim: number;
  data: Float32Array;
}

export function checkMatrix(matrix: EmbeddingMatrix, label: string): void {
  if (!Number.isInteger(matrix.rows) || matrix.rows < 0 || !Number.isInteger(matrix.dim) || matrix.dim < 1) {
    throw new Error(`The ${label} matrix has an invalid shape [${matrix.rows}, ${matrix.dim}]; expected [N, D] with D >= 1.`);
  }
  if (matrix.data.length !== matrix.rows * matrix.dim) {
    throw new Error(
      `The ${label} matrix holds ${matrix.data.length} values but its shape [${matrix.rows}, ${matrix.dim}] needs ${matrix.rows * matrix.dim}.`,
    );
  }
}

/**
 * Writes `data[offset..offset+dim)` divided by its float64 L2 norm into `out` at the same offset;
 * returns the squared norm (0 leaves the row zero). The one normalisation rule: the store, the
 * miner and the CLI all call it.
 */
export function normalizeInto(data: ArrayLike<number>, offset: number, dim: number, out: Float32Array, outOffset = offset): number {
  let sum = 0;
  for (let k = 0; k < dim; k++) sum += data[offset + k] * data[offset + k];
  if (!Number.isFinite(sum) || sum === 0) return sum;
  const inv = 1 / Math.sqrt(sum);
  for (let k = 0; k < dim; k++) out[outOffset + k] = data[offset + k] * inv;
  return sum;
}

/** Returns a new matrix whose rows have unit L2 norm (zero rows stay zero). */
export function normalizeRows(matrix: EmbeddingMatrix): EmbeddingMatrix {
  const { rows, dim, data } = matrix;
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const sum = normalizeInto(data, r * dim, dim, out);
    if (!Number.isFinite(sum)) throw new Error(`Row ${r} contains a non-finite value (NaN or Infinity); remove or re-embed that image.`);
  }
  return { rows, dim, data: out };
}

/** Appends the rows of `extra` to `base` (same dim) in a new buffer. */
export function concatRows(base: EmbeddingMatrix, extra: EmbeddingMatrix): EmbeddingMatrix {
  const data = new Float32Array((base.rows + extra.rows) * base.dim);
  data.set(base.data, 0);
  data.set(extra.data, base.data.length);
  return { rows: base.rows + extra.rows, dim: base.dim, data };
}

/**
 * Exact float64 dot product of two float32 rows. The summation order depends only on the
 * dimension, never on which row comes first, so a pair gets the same value in a full build and
 * in an incremental one.
 */
export function rowDot(x: Float32Array, xo: number, y: Float32Array, yo: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < dim; k += 4) {
    s0 += x[xo + k] * y[yo + k];
    s1 += x[xo + k + 1] * y[yo + k + 1];
    s2 += x[xo + k + 2] * y[yo + k + 2];
    s3 += x[xo + k + 3] * y[yo + k + 3];
  }
  for (; k < dim; k++) s0 += x[xo + k] * y[yo + k];
  return s0 + s1 + (s2 + s3);
}

/**
 * The similarity of rows i and j of a unit matrix, exactly as the miner stores it (float64 dot in
 * a fixed order, rounded to float32). Every view, export and rank uses this one rule, so a pair
 * shows the same number wherever it appears.
 */
export function pairSimilarity(matrix: EmbeddingMatrix, i: number, j: number): number {
  return Math.fround(rowDot(matrix.data, i * matrix.dim, matrix.data, j * matrix.dim, matrix.dim));
}
