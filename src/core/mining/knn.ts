/**
 * k-NN candidates: for each image its K nearest CLIP neighbours by cosine (self excluded, ties
 * to the lower index) at or above the floor. Candidates are the union of those lists over both
 * directions, then the same CandidateSet (DINO filter, margin order, caps) as the all-pairs miner.
 *
 * Exact and blocked: tiles of rows are compared with the WebAssembly SIMD kernel (or a plain
 * JavaScript loop) in float32 on the all-pairs miner's screen layout (the leading dimensions by
 * second moment; the Cauchy-Schwarz bound `partial + |restA| |restB|` covers the rest), which
 * only decides which pairs are looked at: each pair whose bound reaches the row's current K-th
 * similarity (or the floor) is computed exactly (float64 `rowDot`, rounded to float32, the value
 * the all-pairs miner stores). Memory beyond the inputs is the screen copy, O(rows x K) heaps and two tiles.
 */
import { deviceMargin } from './block-kernel.ts';
import { checkMatrix, normalizeRows, rowDot, type EmbeddingMatrix } from './matrix.ts';
import { candidatesFromPairs, type KnnCandidates } from './shards.ts';
import { buildScreenLayout, planScreen, TILE_ROWS } from './screen.ts';
import { createSimdKernel, type SimdKernel } from './simd-kernel.ts';

export interface KnnOptions {
  /** Neighbours per image (K >= 1). */
  k: number;
  /** Neighbours below this CLIP similarity are never listed (default 0.80, as the all-pairs floor). */
  floor?: number;
  /** Rows whose lists are computed, [rowStart, rowEnd): one shard. Default: all rows. */
  rowStart?: number;
  rowEnd?: number;
  /** 'auto' (default): WebAssembly SIMD where it validates; 'js': the plain loop. */
  kernel?: 'auto' | 'js';
  /** Called after each tile of rows with rows done / rows to do. */
  onProgress?: (done: number, total: number) => void;
}

/** The K nearest neighbours of rows [rowStart, rowEnd), nearest first. */
export interface NeighbourLists {
  /** All rows the lists index into. */
  rows: number;
  k: number;
  floor: number;
  rowStart: number;
  rowEnd: number;
  /** (rowEnd - rowStart) x k neighbour rows; -1 where fewer than k reach the floor. */
  index: Int32Array;
  /** The exact CLIP similarity of each listed neighbour (NaN where index is -1). */
  similarity: Float32Array;
  /** Which kernel compared the tiles. */
  kernelUsed: 'wasm-simd' | 'js';
}

export const KNN_DEFAULT_FLOOR = 0.8;

let sharedKernel: SimdKernel | null | undefined;
function simdKernel(): SimdKernel | null {
  if (sharedKernel === undefined) sharedKernel = createSimdKernel();
  return sharedKernel;
}

/** Checks K, the floor and the row range; returns the range. */
function checkOptions(rows: number, options: KnnOptions): { k: number; floor: number; start: number; end: number } {
  const k = options.k;
  if (!Number.isInteger(k) || k < 1) throw new Error(`K (neighbours per image) must be a whole number >= 1; got ${k}.`);
  const floor = options.floor ?? KNN_DEFAULT_FLOOR;
  if (!(floor > -1 && floor <= 1)) throw new Error(`The floor must be a similarity in (-1, 1]; got ${floor}.`);
  const start = options.rowStart ?? 0;
  const end = options.rowEnd ?? rows;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > rows || start > end) {
    throw new Error(`The row range [${start}, ${end}) does not lie within the ${rows} rows; check the shard.`);
  }
  return { k, floor, start, end };
}

/**
 * Per-row bounded heaps of the best neighbours so far. The root of each heap is its worst entry
 * (lowest similarity, then higher index), so a new candidate is compared with one value.
 */
class NeighbourHeaps {
  readonly value: Float64Array;
  readonly index: Int32Array;
  readonly size: Uint32Array;
  /** Per row: the float32 screen value a pair needs to be looked at exactly. */
  readonly cut: Float64Array;

  constructor(
    rows: number,
    private readonly k: number,
    private readonly floor: number,
    private readonly slack: number,
  ) {
    this.value = new Float64Array(rows * k);
    this.index = new Int32Array(rows * k);
    this.size = new Uint32Array(rows);
    this.cut = new Float64Array(rows).fill(floor - slack);
  }

  /** x is worse than y: lower similarity, or equal and a higher index (ties go to the lower index). */
  private worse(xv: number, xi: number, yv: number, yi: number): boolean {
    return xv < yv || (xv === yv && xi > yi);
  }

  offer(row: number, neighbour: number, sim: number): void {
    if (sim < this.floor) return;
    const k = this.k;
    const base = row * k;
    const value = this.value;
    const index = this.index;
    let n = this.size[row];
    if (n < k) {
      // Sift up from the end: parents stay worse than their children.
      let at = n++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!this.worse(sim, neighbour, value[base + parent], index[base + parent])) break;
        value[base + at] = value[base + parent];
        index[base + at] = index[base + parent];
        at = parent;
      }
      value[base + at] = sim;
      index[base + at] = neighbour;
      this.size[row] = n;
      if (n === k) this.cut[row] = value[base] - this.slack;
      return;
    }
    if (!this.worse(value[base], index[base], sim, neighbour)) return;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= k) break;
      const right = left + 1;
      let child = left;
      if (right < k && this.worse(value[base + right], index[base + right], value[base + left], index[base + left])) child = right;
      if (!this.worse(value[base + child], index[base + child], sim, neighbour)) break;
      value[base + at] = value[base + child];
      index[base + at] = index[base + child];
      at = child;
    }
    value[base + at] = sim;
    index[base + at] = neighbour;
    this.cut[row] = value[base] - this.slack;
  }

  /** The lists, nearest first (similarity descending, then index ascending). */
  sorted(): { index: Int32Array; similarity: Float32Array } {
    const rows = this.size.length;
    const k = this.k;
    const index = new Int32Array(rows * k).fill(-1);
    const similarity = new Float32Array(rows * k).fill(NaN);
    const entries: { v: number; i: number }[] = [];
    for (let r = 0; r < rows; r++) {
      entries.length = 0;
      for (let e = 0; e < this.size[r]; e++) entries.push({ v: this.value[r * k + e], i: this.index[r * k + e] });
      entries.sort((x, y) => y.v - x.v || x.i - y.i);
      entries.forEach((entry, e) => {
        index[r * k + e] = entry.i;
        similarity[r * k + e] = entry.v;
      });
    }
    return { index, similarity };
  }
}

/** Float32 dot products of tile A (nA rows) with tile B (nB rows) into out[i * nB + j]: the JavaScript fallback. */
function tileDotsJs(unit: EmbeddingMatrix, a0: number, nA: number, b0: number, nB: number, out: Float32Array): void {
  const { dim, data } = unit;
  for (let i = 0; i < nA; i++) {
    const ai = (a0 + i) * dim;
    for (let j = 0; j < nB; j++) {
      const bj = (b0 + j) * dim;
      let s = 0;
      for (let d = 0; d < dim; d++) s += data[ai + d] * data[bj + d];
      out[i * nB + j] = s;
    }
  }
}

/** Copies rows [r0, r0 + n) into the kernel's memory at `at` floats, padded to `stride`, then `padRows` zero rows. */
function copyRows(heap: Float32Array, at: number, unit: EmbeddingMatrix, r0: number, n: number, stride: number, padRows: number): void {
  const { dim, data } = unit;
  if (stride === dim) heap.set(data.subarray(r0 * dim, (r0 + n) * dim), at);
  else {
    heap.fill(0, at, at + (n + padRows) * stride);
    for (let r = 0; r < n; r++) heap.set(data.subarray((r0 + r) * dim, (r0 + r + 1) * dim), at + r * stride);
  }
  heap.fill(0, at + n * stride, at + (n + padRows) * stride);
}

/**
 * The K nearest CLIP neighbours of rows [rowStart, rowEnd) among all rows. `unit` must hold unit
 * rows (see `normalizeRows`); `knnCandidates` normalises for you.
 */
export function nearestNeighbours(unit: EmbeddingMatrix, options: KnnOptions): NeighbourLists {
  checkMatrix(unit, 'CLIP-side');
  const { k, floor, start, end } = checkOptions(unit.rows, options);
  const rows = unit.rows;
  const dim = unit.dim;
  const simd = (options.kernel ?? 'auto') === 'auto' ? simdKernel() : null;
  const heaps = new NeighbourHeaps(end - start, k, floor, deviceMargin(dim));
  const plan = planScreen(unit, floor);
  const layout = buildScreenLayout(unit, plan.order, plan.dims);
  const screen: EmbeddingMatrix = { rows, dim: plan.dims, data: layout.screen };
  const rest = layout.rest;
  const T = TILE_ROWS;
  const stride = Math.ceil(screen.dim / 4) * 4;
  // Kernel memory: tile A (+1 zero row: the kernel takes rows in twos), tile B (+3: columns in fours), the output.
  const aAt = 0;
  const bAt = (T + 2) * stride;
  const outAt = bAt + (T + 4) * stride;
  let heap: Float32Array | undefined;
  if (simd) {
    const need = (outAt + (T + 2) * (T + 4)) * 4;
    const have = simd.memory.buffer.byteLength;
    if (have < need) simd.memory.grow(Math.ceil((need - have) / 65536));
    heap = new Float32Array(simd.memory.buffer);
  }
  const jsOut = simd ? undefined : new Float32Array(T * T);
  const { data } = unit;
  const cut = heaps.cut;

  /** Tile (i0..i1) x (j0..j1); `both`: j is a computed row too, so the pair also counts for j's list. */
  const visit = (i0: number, i1: number, j0: number, j1: number, both: boolean) => {
    const nA = i1 - i0;
    const nJ = j1 - j0;
    let out: Float32Array;
    let nB: number;
    if (simd && heap) {
      nB = Math.ceil(nJ / 4) * 4;
      copyRows(heap, bAt, screen, j0, nJ, stride, nB - nJ);
      simd.screen(aAt * 4, nA, bAt * 4, nB, stride, outAt * 4);
      out = heap.subarray(outAt, outAt + (nA + 1) * nB);
    } else {
      nB = nJ;
      tileDotsJs(screen, i0, nA, j0, nJ, jsOut as Float32Array);
      out = jsOut as Float32Array;
    }
    const diagonal = i0 === j0;
    for (let i = i0; i < i1; i++) {
      const li = i - start;
      const row = (i - i0) * nB - j0;
      const jEnd = diagonal ? i : j1;
      const ri = rest[i];
      for (let j = j0; j < jEnd; j++) {
        const v = out[row + j] + ri * rest[j];
        const forI = v >= cut[li];
        const forJ = both && v >= cut[j - start];
        if (!forI && !forJ) continue;
        const sim = Math.fround(rowDot(data, i * dim, data, j * dim, dim));
        if (forI) heaps.offer(li, j, sim);
        if (forJ) heaps.offer(j - start, i, sim);
      }
    }
  };

  for (let i0 = start; i0 < end; i0 += T) {
    const i1 = Math.min(end, i0 + T);
    if (simd && heap) copyRows(heap, aAt, screen, i0, i1 - i0, stride, 1);
    // Rows outside the range: only i's lists. Rows inside: each tile pair once (j0 <= i0), both lists.
    for (let j0 = 0; j0 < start; j0 += T) visit(i0, i1, j0, Math.min(start, j0 + T), false);
    for (let j0 = start; j0 <= i0; j0 += T) visit(i0, i1, j0, Math.min(i1, j0 + T), true);
    for (let j0 = end; j0 < rows; j0 += T) visit(i0, i1, j0, Math.min(rows, j0 + T), false);
    options.onProgress?.(i1 - start, end - start);
  }
  const lists = heaps.sorted();
  return { rows, k, floor, rowStart: start, rowEnd: end, ...lists, kernelUsed: simd ? 'wasm-simd' : 'js' };
}

/**
 * The k-NN candidate set of rows [rowStart, rowEnd): every pair (a < b) where one lists the
 * other, with exact CLIP and DINO similarities and both neighbour ranks. Inputs need not be
 * normalised. For the whole set leave the range out; for a shard, union the parts with
 * `candidatesFromPairs`.
 */
export function knnCandidates(clip: EmbeddingMatrix, dino: EmbeddingMatrix, options: KnnOptions): KnnCandidates {
  checkMatrix(clip, 'CLIP-side');
  checkMatrix(dino, 'DINO-side');
  if (clip.rows !== dino.rows) {
    throw new Error(`The CLIP-side matrix has ${clip.rows} rows but the DINO-side one has ${dino.rows}; both need one row per image, in the same order.`);
  }
  const clipUnit = normalizeRows(clip);
  const lists = nearestNeighbours(clipUnit, options);
  return candidatesFromNeighbours(lists, normalizeRows(dino));
}

/** Turns neighbour lists into candidate pairs (DINO similarities from unit DINO rows). */
export function candidatesFromNeighbours(lists: NeighbourLists, dinoUnit: EmbeddingMatrix): KnnCandidates {
  const { k, rowStart, rowEnd } = lists;
  let n = 0;
  for (let e = 0; e < lists.index.length; e++) if (lists.index[e] >= 0) n++;
  const a = new Uint32Array(n);
  const b = new Uint32Array(n);
  const clip = new Float32Array(n);
  const dino = new Float32Array(n);
  const rankAB = new Uint32Array(n);
  const rankBA = new Uint32Array(n);
  const dd = dinoUnit.dim;
  let p = 0;
  for (let row = rowStart; row < rowEnd; row++) {
    for (let e = 0; e < k; e++) {
      const at = (row - rowStart) * k + e;
      const other = lists.index[at];
      if (other < 0) break;
      const lo = Math.min(row, other);
      const hi = Math.max(row, other);
      a[p] = lo;
      b[p] = hi;
      clip[p] = lists.similarity[at];
      dino[p] = Math.fround(rowDot(dinoUnit.data, lo * dd, dinoUnit.data, hi * dd, dd));
      // rank of b in a's list when a is this row, else rank of a in b's list.
      if (row === lo) rankAB[p] = e + 1;
      else rankBA[p] = e + 1;
      p++;
    }
  }
  return candidatesFromPairs(lists.rows, lists.floor, { a, b, clip, dino, rankAB, rankBA });
}
