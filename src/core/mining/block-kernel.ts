/**
 * Screening on an accelerator (WebGPU in the miner worker) behind a small interface, so the
 * engine stays free of device types. The device computes float32 CLIP similarities of blocks of
 * rows against all earlier rows and returns only the pairs at or above `floor - margin`, where
 * the margin bounds its float32 rounding; the engine then computes every returned pair exactly
 * in float64 (`refine`), so the device decides which pairs are looked at, never the results.
 * A block whose output did not fit comes back as null and is screened on the CPU instead.
 */
import type { EmbeddingMatrix } from './matrix.ts';
import { PairList, pairsScreened, screenPairs, type ScreenLayout } from './screen.ts';
import { messageOf } from '../errors.ts';

/** Pairs (j, i), j < i, found in one block. */
export interface BlockPairs {
  count: number;
  /** The earlier row of each pair. */
  j: Uint32Array;
  /** The later row, in [i0, i1). */
  i: Uint32Array;
}

export interface BlockSimilarityKernel {
  /** Reported to the page and the benchmark, e.g. 'webgpu'. */
  readonly name: string;
  /** Later rows per block the device prefers (each block compares them with every earlier row). */
  readonly blockRows: number;
  /**
   * Makes the unit CLIP rows available to the device. When the previous call came with the same
   * `owner` token (the same miner), rows [0, unchangedRows) are unchanged (an incremental
   * addition), so a kernel may upload only the rest; otherwise it must load them all.
   */
  load(unit: EmbeddingMatrix, unchangedRows: number, owner: object): Promise<void>;
  /**
   * Every pair (j, i) with j < i and i in [i0, i1) whose float32 dot product of unit rows is
   * >= cut, in any order; or null when more pairs matched than the output holds.
   */
  screenBlock(i0: number, i1: number, cut: number): Promise<BlockPairs | null>;
}

/** What one screening pass on a block kernel did. */
export interface BlockScreenReport {
  kernel: string;
  blocks: number;
  /** Blocks whose output overflowed and were screened on the CPU. */
  overflowBlocks: number;
}

/**
 * Margin below the floor for a device that sums `dim` float32 products of unit rows in any
 * order: the rounding error of such a sum is at most about dim * 2^-24 (times the sum of |products|,
 * which is <= 1 for unit rows), plus the rounding of the cut itself. Four times that bound plus
 * 1e-4 keeps every pair that can reach the floor; it only costs a few more exact checks.
 */
export function deviceMargin(dim: number): number {
  return 1e-4 + dim * 2 ** -22;
}

/** A failure of the block kernel (device lost, out of memory, a bad answer): the CPU can redo the work. */
export class BlockKernelError extends Error {
  constructor(kernel: string, cause: unknown) {
    super(`The ${kernel} kernel failed: ${messageOf(cause)}`, { cause });
    this.name = 'BlockKernelError';
  }
}

/** Runs one device call, turning its failure into a BlockKernelError. */
export async function onDevice<T>(kernel: BlockSimilarityKernel, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof BlockKernelError ? error : new BlockKernelError(kernel.name, error);
  }
}


/**
 * Screens pairs (j, i), j < i, i in [iStart, iEnd) on the block kernel into `survivors`. The
 * caller loaded `unit` (the same rows the layout was built from). Overflowing blocks fall back
 * to the CPU screen on `layout` with `cpuKernel`.
 */
export async function screenPairsOnBlocks(
  kernel: BlockSimilarityKernel,
  unit: EmbeddingMatrix,
  layout: ScreenLayout,
  iStart: number,
  iEnd: number,
  floor: number,
  survivors: PairList,
  onProgress?: (done: number, total: number) => void,
  cpuKernel: 'auto' | 'js' = 'auto',
): Promise<BlockScreenReport> {
  const cut = floor - deviceMargin(unit.dim);
  const step = Math.max(1, Math.floor(kernel.blockRows));
  const total = pairsScreened(iStart, iEnd);
  const report: BlockScreenReport = { kernel: kernel.name, blocks: 0, overflowBlocks: 0 };
  let done = 0;
  for (let i0 = iStart; i0 < iEnd; i0 += step) {
    const i1 = Math.min(iEnd, i0 + step);
    const found = await onDevice(kernel, () => kernel.screenBlock(i0, i1, cut));
    report.blocks++;
    if (found) {
      for (let p = 0; p < found.count; p++) {
        const i = found.i[p];
        const j = found.j[p];
        if (!(j < i && i >= i0 && i < i1)) {
          throw new BlockKernelError(kernel.name, `it returned pair (${j}, ${i}) outside block [${i0}, ${i1}).`);
        }
        survivors.push(j, i);
      }
    } else {
      report.overflowBlocks++;
      screenPairs(layout, i0, i1, floor, survivors, undefined, cpuKernel);
    }
    done += pairsScreened(i0, i1);
    onProgress?.(done, total);
  }
  return report;
}
