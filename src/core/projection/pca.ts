/**
 * Principal component analysis to a few dimensions for embedding plots.
 *
 * Uses block subspace iteration on the centred data (X^T X V, never forming the D x D
 * covariance), followed by a Rayleigh-Ritz step. With a few extra guard vectors the top two
 * directions converge in a handful of passes, so 10,000 x 512 projects in well under a second.
 * The start block comes from a seeded generator and the sign of every component is fixed, so
 * the same input always gives the same picture.
 */
import { seededRandom } from '../random.ts';

export interface PcaOptions {
  /** Output dimensions (default 2). */
  components?: number;
  /** Extra vectors iterated alongside the wanted ones; more converge faster (default 6). */
  oversample?: number;
  /** Upper bound on subspace iterations (default 30). */
  maxIterations?: number;
  /** Stop when each wanted axis has residual |C u - lambda u| below this fraction of the top eigenvalue (default 1e-3). */
  tolerance?: number;
  /** Seed of the start block (default 1). */
  seed?: number;
}

export interface PcaResult {
  /** n x components, row-major (for 2 components: x, y interleaved). */
  positions: Float32Array;
  /** components x d, row-major unit vectors (principal axes). */
  axes: Float32Array;
  /** Variance of the data along each axis (eigenvalues of the covariance, divisor n - 1). */
  variance: Float64Array;
  /** Fraction of the total variance each axis explains. */
  explained: Float64Array;
  /** Column means removed before projecting. */
  mean: Float64Array;
  iterations: number;
}


/**
 * Projects `n` rows of dimension `d` (row-major Float32Array) onto their top principal axes.
 * Throws when the array length does not match n * d.
 */
export function pca(data: Float32Array, n: number, d: number, options: PcaOptions = {}): PcaResult {
  if (data.length !== n * d) throw new Error(`PCA expected ${n} x ${d} = ${n * d} values but got ${data.length}.`);
  const want = Math.max(1, options.components ?? 2);
  const block = Math.min(d, want + (options.oversample ?? 6));
  const maxIterations = options.maxIterations ?? 30;
  const tolerance = options.tolerance ?? 1e-3;

  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const row = r * d;
    for (let c = 0; c < d; c++) mean[c] += data[row + c];
  }
  if (n > 0) for (let c = 0; c < d; c++) mean[c] /= n;


  // V is block x d (each basis vector contiguous).
  const random = seededRandom(options.seed ?? 1);
  let basis = new Float64Array(block * d);
  for (let i = 0; i < basis.length; i++) basis[i] = random() * 2 - 1;
  orthonormalise(basis, block, d);

  let image = new Float64Array(block * d);
  let ritz: { values: Float64Array; vectors: Float64Array } = { values: new Float64Array(block), vectors: new Float64Array(block * block) };
  let iterations = 0;
  const divisor = Math.max(1, n - 1);

  for (; iterations < maxIterations; iterations++) {
    multiplyCovariance(data, mean, n, d, basis, block, image);
    // Rayleigh-Ritz on the current basis: small symmetric block x block problem.
    const small = new Float64Array(block * block);
    for (let i = 0; i < block; i++) {
      for (let j = i; j < block; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += basis[i * d + c] * image[j * d + c];
        small[i * block + j] = small[j * block + i] = s / divisor;
      }
    }
    ritz = symmetricEigen(small, block);
    // Converged when every wanted Ritz pair has a small residual |A u - theta u| (relative to
    // the largest eigenvalue): the axis then sits within about residual / gap of the true one.
    let converged = true;
    const scale = Math.max(Math.abs(ritz.values[0]), 1e-300);
    for (let k = 0; k < Math.min(want, block); k++) {
      let residual = 0;
      for (let c = 0; c < d; c++) {
        let applied = 0;
        let vector = 0;
        for (let i = 0; i < block; i++) {
          const w = ritz.vectors[i * block + k];
          applied += w * image[i * d + c];
          vector += w * basis[i * d + c];
        }
        residual += (applied / divisor - ritz.values[k] * vector) ** 2;
      }
      if (Math.sqrt(residual) > tolerance * scale) converged = false;
    }
    if (converged) break;
    const next = image;
    image = basis;
    basis = next;
    orthonormalise(basis, block, d);
  }

  // Principal axes = basis combined by the Ritz vectors; fix each sign so the largest loading is positive.
  const axes = new Float32Array(want * d);
  const axis = new Float64Array(d);
  for (let k = 0; k < want; k++) {
    axis.fill(0);
    if (k < block) {
      for (let i = 0; i < block; i++) {
        const w = ritz.vectors[i * block + k];
        for (let c = 0; c < d; c++) axis[c] += w * basis[i * d + c];
      }
    }
    let norm = 0;
    let largest = 0;
    for (let c = 0; c < d; c++) {
      norm += axis[c] * axis[c];
      if (Math.abs(axis[c]) > Math.abs(largest)) largest = axis[c];
    }
    const scale = norm > 0 ? (largest < 0 ? -1 : 1) / Math.sqrt(norm) : 0;
    for (let c = 0; c < d; c++) axes[k * d + c] = axis[c] * scale;
  }

  const positions = new Float32Array(n * want);
  for (let r = 0; r < n; r++) {
    const row = r * d;
    for (let k = 0; k < want; k++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += (data[row + c] - mean[c]) * axes[k * d + c];
      positions[r * want + k] = s;
    }
  }

  let total = 0;
  for (let r = 0; r < n; r++) {
    const row = r * d;
    for (let c = 0; c < d; c++) total += (data[row + c] - mean[c]) ** 2;
  }
  total /= divisor;
  const variance = new Float64Array(want);
  const explained = new Float64Array(want);
  for (let k = 0; k < want && k < block; k++) {
    variance[k] = Math.max(0, ritz.values[k]);
    explained[k] = total > 0 ? variance[k] / total : 0;
  }
  return { positions, axes, variance, explained, mean, iterations: iterations + 1 };
}

/**
 * image = X^T (X V) - with X centred on the fly (x - mean) so the data is never copied.
 * Rows of V and image are basis vectors; each data row is read once per product.
 */
function multiplyCovariance(
  x: Float32Array,
  mean: Float64Array,
  n: number,
  d: number,
  basis: Float64Array,
  block: number,
  image: Float64Array,
): void {
  // Transposed (d x block) copies keep the innermost loop short and contiguous.
  const basisT = new Float64Array(d * block);
  for (let k = 0; k < block; k++) for (let c = 0; c < d; c++) basisT[c * block + k] = basis[k * d + c];
  const imageT = new Float64Array(d * block);
  const score = new Float64Array(block);
  for (let r = 0; r < n; r++) {
    const row = r * d;
    score.fill(0);
    for (let c = 0; c < d; c++) {
      const value = x[row + c] - mean[c];
      const base = c * block;
      for (let k = 0; k < block; k++) score[k] += value * basisT[base + k];
    }
    for (let c = 0; c < d; c++) {
      const value = x[row + c] - mean[c];
      const base = c * block;
      for (let k = 0; k < block; k++) imageT[base + k] += value * score[k];
    }
  }
  for (let k = 0; k < block; k++) for (let c = 0; c < d; c++) image[k * d + c] = imageT[c * block + k];
}

/** Modified Gram-Schmidt over `count` row vectors; a vanishing vector is replaced by a unit axis. */
function orthonormalise(vectors: Float64Array, count: number, d: number): void {
  for (let i = 0; i < count; i++) {
    const vi = i * d;
    // When the data has rank < count a vector can vanish: retry with unit axes until one survives.
    for (let attempt = 0; attempt <= d; attempt++) {
      let before = 0;
      for (let c = 0; c < d; c++) before += vectors[vi + c] * vectors[vi + c];
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < i; j++) {
          const vj = j * d;
          let dot = 0;
          for (let c = 0; c < d; c++) dot += vectors[vi + c] * vectors[vj + c];
          for (let c = 0; c < d; c++) vectors[vi + c] -= dot * vectors[vj + c];
        }
      }
      let norm = 0;
      for (let c = 0; c < d; c++) norm += vectors[vi + c] * vectors[vi + c];
      norm = Math.sqrt(norm);
      if (norm > 1e-9 * Math.sqrt(before)) {
        for (let c = 0; c < d; c++) vectors[vi + c] /= norm;
        break;
      }
      vectors.fill(0, vi, vi + d);
      vectors[vi + ((i + attempt) % d)] = 1;
    }
  }
}

/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations.
 * Returns eigenvalues in descending order and eigenvectors as columns (vectors[i * size + k]).
 */
export function symmetricEigen(matrix: Float64Array, size: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(size * size);
  for (let i = 0; i < size; i++) v[i * size + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < size; p++) for (let q = p + 1; q < size; q++) off += a[p * size + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < size; p++) {
      for (let q = p + 1; q < size; q++) {
        const apq = a[p * size + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * size + q] - a[p * size + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cos = 1 / Math.sqrt(t * t + 1);
        const sin = t * cos;
        for (let k = 0; k < size; k++) {
          const akp = a[k * size + p];
          const akq = a[k * size + q];
          a[k * size + p] = cos * akp - sin * akq;
          a[k * size + q] = sin * akp + cos * akq;
        }
        for (let k = 0; k < size; k++) {
          const apk = a[p * size + k];
          const aqk = a[q * size + k];
          a[p * size + k] = cos * apk - sin * aqk;
          a[q * size + k] = sin * apk + cos * aqk;
        }
        for (let k = 0; k < size; k++) {
          const vkp = v[k * size + p];
          const vkq = v[k * size + q];
          v[k * size + p] = cos * vkp - sin * vkq;
          v[k * size + q] = sin * vkp + cos * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: size }, (_, i) => i).sort((i, j) => a[j * size + j] - a[i * size + i]);
  const values = new Float64Array(size);
  const vectors = new Float64Array(size * size);
  order.forEach((from, to) => {
    values[to] = a[from * size + from];
    for (let k = 0; k < size; k++) vectors[k * size + to] = v[k * size + from];
  });
  return { values, vectors };
}
