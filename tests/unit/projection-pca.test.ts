import { describe, expect, it } from 'vitest';
import { pca, symmetricEigen } from '../../src/core/projection/pca.ts';
import { seededRandom } from '../../src/core/random.ts';

/** Gaussian samples from a seeded generator (Box-Muller). */
function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Random orthonormal basis (rows) by Gram-Schmidt of Gaussian vectors. */
function orthonormalBasis(d: number, seed: number): Float64Array {
  const normal = gaussian(seededRandom(seed));
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let c = 0; c < d; c++) q[i * d + c] = normal();
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += q[i * d + c] * q[j * d + c];
      for (let c = 0; c < d; c++) q[i * d + c] -= dot * q[j * d + c];
    }
    let norm = 0;
    for (let c = 0; c < d; c++) norm += q[i * d + c] ** 2;
    for (let c = 0; c < d; c++) q[i * d + c] /= Math.sqrt(norm);
  }
  return q;
}

/** Brute-force reference: full covariance matrix and its eigen-decomposition. */
function referencePca(data: Float32Array, n: number, d: number) {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) mean[c] += data[r * d + c] / n;
  const cov = new Float64Array(d * d);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) cov[i * d + j] += ((data[r * d + i] - mean[i]) * (data[r * d + j] - mean[j])) / (n - 1);
  return symmetricEigen(cov, d);
}

function dotAxis(axes: Float32Array, k: number, vector: ArrayLike<number>, d: number, stride = 1, offset = 0): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += axes[k * d + c] * vector[offset + c * stride];
  return s;
}

describe('pca', () => {
  it('projects points on a tilted line and a known second axis exactly', () => {
    // Points (t, t) + s * (1, -1) / 2 with variance mostly along (1, 1).
    const data = new Float32Array([-2, -2, -1, -1, 0, 0, 1, 1, 2, 2, 0.5, -0.5, -0.5, 0.5].map((v) => v + 3));
    const result = pca(data, 7, 2);
    const h = Math.SQRT1_2;
    expect(Math.abs(result.axes[0] * h + result.axes[1] * h)).toBeCloseTo(1, 6);
    expect(Math.abs(result.axes[2] * h - result.axes[3] * h)).toBeCloseTo(1, 6);
    // Known variances: along (1,1): (8+2+0+2+8)/6 = 20/6; along (1,-1): (0.5+0.5)/6.
    expect(result.variance[0]).toBeCloseTo(20 / 6, 6);
    expect(result.variance[1]).toBeCloseTo(1 / 6, 6);
    // Positions are the centred coordinates along the axes: first point sits at -2*sqrt(2) on axis 1.
    expect(Math.abs(result.positions[0])).toBeCloseTo(2 * Math.SQRT2, 5);
    expect(result.positions[1]).toBeCloseTo(0, 5);
    expect(result.explained[0] + result.explained[1]).toBeCloseTo(1, 6);
  });

  it('recovers planted principal axes and variances in 40-D', () => {
    const n = 3000;
    const d = 40;
    const basis = orthonormalBasis(d, 7);
    const normal = gaussian(seededRandom(11));
    const sd = Array.from({ length: d }, (_, i) => (i === 0 ? 6 : i === 1 ? 3 : 1 / (1 + i)));
    const data = new Float32Array(n * d);
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < d; k++) {
        const coef = normal() * sd[k];
        for (let c = 0; c < d; c++) data[r * d + c] += coef * basis[k * d + c];
      }
      for (let c = 0; c < d; c++) data[r * d + c] += 0.25 * c;
    }
    const result = pca(data, n, d);
    expect(Math.abs(dotAxis(result.axes, 0, basis, d))).toBeGreaterThan(0.999);
    expect(Math.abs(dotAxis(result.axes, 1, basis, d, 1, d))).toBeGreaterThan(0.995);
    expect(result.variance[0]).toBeGreaterThan(36 * 0.9);
    expect(result.variance[0]).toBeLessThan(36 * 1.1);
    expect(result.variance[1]).toBeGreaterThan(9 * 0.9);
    expect(result.variance[1]).toBeLessThan(9 * 1.1);
  });

  it('agrees with the brute-force covariance eigen-decomposition on random data', () => {
    const n = 400;
    const d = 24;
    const normal = gaussian(seededRandom(3));
    const data = new Float32Array(n * d);
    for (let r = 0; r < n; r++) {
      const shared = normal();
      for (let c = 0; c < d; c++) data[r * d + c] = normal() * (1 + c / 8) + shared * (c % 3);
    }
    // Strict settings: this checks the algorithm itself, not the display-grade default stopping rule.
    const result = pca(data, n, d, { tolerance: 1e-9, maxIterations: 1000 });
    const reference = referencePca(data, n, d);
    for (let k = 0; k < 2; k++) {
      expect(result.variance[k]).toBeCloseTo(reference.values[k], 4);
      expect(Math.abs(dotAxis(result.axes, k, reference.vectors, d, d, k))).toBeGreaterThan(0.9999);
    }
  });

  it('is deterministic, fixes signs, and handles degenerate input', () => {
    const d = 16;
    const data = Float32Array.from({ length: 50 * d }, (_, i) => Math.sin(i * 0.37) + (i % d) * 0.01);
    const a = pca(data, 50, d);
    const b = pca(data, 50, d);
    expect(Array.from(a.positions)).toEqual(Array.from(b.positions));
    for (let k = 0; k < 2; k++) {
      let largest = 0;
      for (let c = 0; c < d; c++) if (Math.abs(a.axes[k * d + c]) > Math.abs(largest)) largest = a.axes[k * d + c];
      expect(largest).toBeGreaterThan(0);
    }
    // All rows identical: zero variance, positions at the origin, no NaN.
    const flat = pca(new Float32Array(10 * 4).fill(0.5), 10, 4);
    expect(Array.from(flat.positions).every((v) => v === 0)).toBe(true);
    expect(Array.from(flat.variance)).toEqual([0, 0]);
    // One dimension only: the second coordinate is zero.
    const line = pca(new Float32Array([1, 2, 3, 4]), 4, 1);
    expect(line.positions.length).toBe(8);
    expect(Array.from(line.positions.filter((_, i) => i % 2 === 1))).toEqual([0, 0, 0, 0]);
    expect(pca(new Float32Array(0), 0, 8).positions.length).toBe(0);
    expect(() => pca(new Float32Array(5), 2, 3)).toThrow(/expected 2 x 3/);
  });
});
