/**
 * The blocked all-pairs pass. It never forms the N x N similarity matrix: tiles of rows are
 * compared on a leading slice of the dimensions (ordered by second moment, largest first), and
 * the Cauchy-Schwarz bound `partial + |restA| |restB|` discards every pair that cannot reach
 * the floor. Survivors are then computed exactly (see `rowDot`), so the pruning changes speed,
 * never results.
 */
import type { EmbeddingMatrix } from './matrix.ts';
import { createSimdKernel, type SimdKernel } from './simd-kernel.ts';

/** Pairs (i, j), j < i, screened when rows iStart..iEnd (exclusive) are added to those before them. */
export function pairsScreened(iStart: number, iEnd: number): number {
  return iEnd * (iEnd - 1) / 2 - iStart * (iStart - 1) / 2;
}

/** Slack that keeps the bound conservative against float rounding (float64 partial sums). */
const BOUND_SLACK = 1e-5;
/** The SIMD kernel sums in float32: its rounding stays far below this. */
const SIMD_BOUND_SLACK = 1e-4;
/** Rows per tile: two tiles of screen rows stay within L2 cache. */
export const TILE_ROWS = 128;

/** Leading dimensions (in `order`) each row is screened on, and the norm of the rest. */
export interface ScreenLayout {
  /** Screened dimensions per row (a multiple of 4, at most dim). */
  dims: number;
  /** Permutation of the original dimensions, largest second moment first. */
  order: Uint32Array;
  /** rows x dims, row-major: the unit rows restricted to `order[0..dims)`. */
  screen: Float32Array;
  /** Per row: L2 norm of the unit row over `order[dims..)`. */
  rest: Float64Array;
}

/**
 * Chooses the dimension order and how many leading dimensions to screen on: enough that the
 * typical remaining norm squared falls below the floor, so an unrelated pair is discarded.
 */
export function planScreen(unit: EmbeddingMatrix, floor: number): { order: Uint32Array; dims: number } {
  const { rows, dim, data } = unit;
  const moment = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    for (let k = 0; k < dim; k++) moment[k] += data[o + k] * data[o + k];
  }
  const order = Uint32Array.from({ length: dim }, (_, k) => k).sort((x, y) => moment[y] - moment[x] || x - y);
  let total = 0;
  for (let k = 0; k < dim; k++) total += moment[k];
  const target = floor - 0.08;
  if (total === 0 || target <= 0) return { order, dims: dim };
  let covered = 0;
  let dims = 0;
  while (dims < dim && 1 - covered / total > target) covered += moment[order[dims++]];
  dims = Math.min(dim, Math.ceil(dims / 8) * 8);
  return { order, dims };
}

export function buildScreenLayout(unit: EmbeddingMatrix, order: Uint32Array, dims: number): ScreenLayout {
  const { rows, dim, data } = unit;
  const screen = new Float32Array(rows * dims);
  const rest = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    const s = r * dims;
    for (let k = 0; k < dims; k++) screen[s + k] = data[o + order[k]];
    let sum = 0;
    for (let k = dims; k < dim; k++) {
      const v = data[o + order[k]];
      sum += v * v;
    }
    rest[r] = Math.sqrt(sum);
  }
  return { dims, order, screen, rest };
}

/** A growable list of (i, j) row pairs. */
export class PairList {
  i = new Uint32Array(1024);
  j = new Uint32Array(1024);
  length = 0;

  push(i: number, j: number): void {
    if (this.length === this.i.length) {
      const grow = (a: Uint32Array) => {
        const b = new Uint32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.i = grow(this.i);
      this.j = grow(this.j);
    }
    this.i[this.length] = i;
    this.j[this.length] = j;
    this.length++;
  }
}

/**
 * Screens every pair (j, i) with j < i and i in [iStart, iEnd): the lower triangle of rows
 * [0, iEnd) restricted to rows i >= iStart. A full build is iStart = 0; adding rows is
 * iStart = the old row count, which visits only the new M x N and M x M blocks.
 */
export function screenPairs(
  layout: ScreenLayout,
  iStart: number,
  iEnd: number,
  floor: number,
  survivors: PairList,
  onProgress?: (done: number, total: number) => void,
  kernel: 'auto' | 'js' = 'auto',
): void {
  const simd = kernel === 'auto' ? simdKernel() : null;
  if (simd) screenPairsSimd(simd, layout, iStart, iEnd, floor, survivors, onProgress);
  else screenPairsJs(layout, iStart, iEnd, floor, survivors, onProgress);
}

let sharedKernel: SimdKernel | null | undefined;
function simdKernel(): SimdKernel | null {
  if (sharedKernel === undefined) sharedKernel = createSimdKernel();
  return sharedKernel;
}

/** Whether the WebAssembly SIMD kernel is used here (else the JavaScript loop). */
export function simdAvailable(): boolean {
  return simdKernel() !== null;
}

function screenPairsSimd(
  kernel: SimdKernel,
  layout: ScreenLayout,
  iStart: number,
  iEnd: number,
  floor: number,
  survivors: PairList,
  onProgress?: (done: number, total: number) => void,
): void {
  const { dims, screen, rest } = layout;
  const stride = Math.ceil(dims / 4) * 4;
  // Screen rows (padded to a multiple of 4 floats, plus 4 zero rows for ragged tiles), then the output tile.
  const matrixBytes = (iEnd + 4) * stride * 4;
  const outOff = matrixBytes;
  const needBytes = outOff + (TILE_ROWS + 2) * (TILE_ROWS + 4) * 4;
  const have = kernel.memory.buffer.byteLength;
  if (have < needBytes) kernel.memory.grow(Math.ceil((needBytes - have) / 65536));
  const heap = new Float32Array(kernel.memory.buffer);
  if (stride === dims) {
    heap.set(screen.subarray(0, iEnd * dims), 0);
    heap.fill(0, iEnd * stride, (iEnd + 4) * stride);
  } else {
    heap.fill(0, 0, (iEnd + 4) * stride);
    for (let r = 0; r < iEnd; r++) heap.set(screen.subarray(r * dims, r * dims + dims), r * stride);
  }
  const out = heap.subarray(outOff / 4);
  const cut = floor - SIMD_BOUND_SLACK;
  const total = pairsScreened(iStart, iEnd);
  let done = 0;
  for (let i0 = iStart; i0 < iEnd; i0 += TILE_ROWS) {
    const i1 = Math.min(iEnd, i0 + TILE_ROWS);
    for (let j0 = 0; j0 < i1 - 1; j0 += TILE_ROWS) {
      const j1 = Math.min(i1 - 1, j0 + TILE_ROWS);
      const nB = Math.ceil((j1 - j0) / 4) * 4;
      kernel.screen(i0 * stride * 4, i1 - i0, j0 * stride * 4, nB, stride, outOff);
      for (let i = i0; i < i1; i++) {
        const jEnd = Math.min(j1, i);
        const ri = rest[i];
        const row = (i - i0) * nB - j0;
        for (let j = j0; j < jEnd; j++) {
          if (out[row + j] + ri * rest[j] >= cut) survivors.push(j, i);
        }
      }
    }
    if (onProgress) {
      done += i1 * (i1 - 1) / 2 - i0 * (i0 - 1) / 2;
      onProgress(done, total);
    }
  }
}

function screenPairsJs(
  layout: ScreenLayout,
  iStart: number,
  iEnd: number,
  floor: number,
  survivors: PairList,
  onProgress?: (done: number, total: number) => void,
): void {
  const { dims, screen, rest } = layout;
  const cut = floor - BOUND_SLACK;
  const total = pairsScreened(iStart, iEnd);
  let done = 0;
  for (let i0 = iStart; i0 < iEnd; i0 += TILE_ROWS) {
    const i1 = Math.min(iEnd, i0 + TILE_ROWS);
    for (let j0 = 0; j0 < i1 - 1; j0 += TILE_ROWS) {
      const j1 = Math.min(i1 - 1, j0 + TILE_ROWS);
      for (let i = i0; i < i1; i++) {
        const jEnd = Math.min(j1, i);
        if (jEnd <= j0) continue;
        const ai = i * dims;
        const ri = rest[i];
        let j = j0;
        for (; j + 3 < jEnd; j += 4) {
          const b0 = j * dims;
          const b1 = b0 + dims;
          const b2 = b1 + dims;
          const b3 = b2 + dims;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let k = 0; k < dims; k++) {
            const x = screen[ai + k];
            s0 += x * screen[b0 + k];
            s1 += x * screen[b1 + k];
            s2 += x * screen[b2 + k];
            s3 += x * screen[b3 + k];
          }
          if (s0 + ri * rest[j] >= cut) survivors.push(j, i);
          if (s1 + ri * rest[j + 1] >= cut) survivors.push(j + 1, i);
          if (s2 + ri * rest[j + 2] >= cut) survivors.push(j + 2, i);
          if (s3 + ri * rest[j + 3] >= cut) survivors.push(j + 3, i);
        }
        for (; j < jEnd; j++) {
          const b0 = j * dims;
          let s0 = 0;
          for (let k = 0; k < dims; k++) s0 += screen[ai + k] * screen[b0 + k];
          if (s0 + ri * rest[j] >= cut) survivors.push(j, i);
        }
      }
    }
    if (onProgress) {
      done += i1 * (i1 - 1) / 2 - i0 * (i0 - 1) / 2;
      onProgress(done, total);
    }
  }
}
