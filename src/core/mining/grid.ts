/**
 * Sensitivity grid: how many confusing pairs (clip > clipMin and dino < dinoMax) each point of a
 * G x G thresholds grid would give. One pass bins every candidate into a (G+1) x (G+1)
 * histogram; 2-D cumulative sums turn it into exact counts, so the heat map costs O(C + G^2).
 */

export interface SensitivityGridOptions {
  /** Grid points per axis (default 50). */
  size?: number;
  /** CLIP thresholds from..to inclusive (default [floor, 1]). */
  clipRange?: [number, number];
  /** DINO thresholds from..to inclusive (default [0, 1]). */
  dinoRange?: [number, number];
}

export interface SensitivityGrid {
  size: number;
  /** Ascending clipMin values (rows of `counts`). */
  clipThresholds: Float64Array;
  /** Ascending dinoMax values (columns of `counts`). */
  dinoThresholds: Float64Array;
  /** counts[i * size + j] = #pairs with clip > clipThresholds[i] and dino < dinoThresholds[j]. */
  counts: Uint32Array;
}

function linspace(from: number, to: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = n === 1 ? from : from + ((to - from) * i) / (n - 1);
  return out;
}

/** Number of entries strictly below `value` (entries ascending): a binary search. */
export function countBelow(thresholds: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (thresholds[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of thresholds <= `value`. */
function countAtMost(thresholds: Float64Array, value: number): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (thresholds[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * O(1) version of `count(thresholds, value)` for evenly spaced thresholds: an arithmetic guess,
 * then corrected with the exact comparison so the result matches the binary search.
 */
function bucketer(
  thresholds: Float64Array,
  count: (t: Float64Array, v: number) => number,
  below: (threshold: number, value: number) => boolean,
): (value: number) => number {
  const n = thresholds.length;
  const from = thresholds[0];
  const step = n > 1 ? (thresholds[n - 1] - from) / (n - 1) : 0;
  if (!(step > 0)) return (value) => count(thresholds, value);
  return (value) => {
    let k = Math.floor((value - from) / step) + 1;
    if (!(k >= 0)) k = 0; // also catches NaN
    if (k > n) k = n;
    while (k > 0 && !below(thresholds[k - 1], value)) k--;
    while (k < n && below(thresholds[k], value)) k++;
    return k;
  };
}

export function computeSensitivityGrid(
  clip: Float32Array,
  dino: Float32Array,
  floor: number,
  options: SensitivityGridOptions = {},
): SensitivityGrid {
  const size = options.size ?? 50;
  if (!Number.isInteger(size) || size < 1 || size > 1000) throw new Error('The sensitivity grid size must be a whole number from 1 to 1000.');
  const [clipFrom, clipTo] = options.clipRange ?? [floor, 1];
  const [dinoFrom, dinoTo] = options.dinoRange ?? [0, 1];
  if (clipFrom < floor) throw new Error(`The grid starts at CLIP ${clipFrom}, below the mining floor ${floor}; lower the floor and mine again.`);
  const clipThresholds = linspace(clipFrom, clipTo, size);
  const dinoThresholds = linspace(dinoFrom, dinoTo, size);
  const side = size + 1;
  // hist[p * side + q]: p = clip thresholds below the pair's clip, q = dino thresholds <= its dino.
  const hist = new Float64Array(side * side);
  const clipIndex = bucketer(clipThresholds, countBelow, (t, v) => t < v);
  const dinoIndex = bucketer(dinoThresholds, countAtMost, (t, v) => t <= v);
  for (let c = 0; c < clip.length; c++) hist[clipIndex(clip[c]) * side + dinoIndex(dino[c])]++;
  // A pair counts at (i, j) iff p > i and q <= j: suffix sums over p, prefix sums over q.
  for (let p = size - 1; p >= 0; p--) for (let q = 0; q < side; q++) hist[p * side + q] += hist[(p + 1) * side + q];
  for (let p = 0; p < side; p++) for (let q = 1; q < side; q++) hist[p * side + q] += hist[p * side + q - 1];
  const counts = new Uint32Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) counts[i * size + j] = hist[(i + 1) * side + j];
  return { size, clipThresholds, dinoThresholds, counts };
}
