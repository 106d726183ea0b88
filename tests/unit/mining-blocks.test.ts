/**
 * The engine's block-kernel path (what the WebGPU kernel plugs into), driven in Node by a
 * float32 stand-in device: it sums in float32 in reverse order, returns pairs shuffled and
 * overflows like the GPU buffer does. Whatever it does within its contract, the candidates must
 * equal the CPU build's exactly. The real WebGPU kernel is checked in tests/browser/mining-webgpu.test.ts.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BlockKernelError, PairMiner, type BlockPairs, type BlockSimilarityKernel, type CandidateSetState, type EmbeddingMatrix } from '../../src/core/mining/index.ts';
import { clusteredMatrix, prng, sliceRows } from './mining-reference.ts';

class Float32Device implements BlockSimilarityKernel {
  readonly name = 'float32-device';
  unit: EmbeddingMatrix | null = null;
  loads: { rows: number; unchanged: number }[] = [];
  blocks = 0;
  failAfterBlocks = Infinity;
  outOfBlock = false;
  private owner: object | null = null;
  private readonly random = prng(5);

  constructor(
    readonly blockRows: number,
    private readonly capacity = Infinity,
  ) {}

  async load(unit: EmbeddingMatrix, unchangedRows: number, owner: object): Promise<void> {
    const unchanged = owner === this.owner ? unchangedRows : 0;
    if (unchanged > 0) {
      // An incremental load must not change rows the device already holds.
      expect(Array.from(unit.data.subarray(0, unchanged * unit.dim))).toEqual(Array.from(this.unit!.data.subarray(0, unchanged * unit.dim)));
    }
    this.loads.push({ rows: unit.rows, unchanged });
    this.unit = { rows: unit.rows, dim: unit.dim, data: unit.data.slice() };
    this.owner = owner;
  }

  async screenBlock(i0: number, i1: number, cut: number): Promise<BlockPairs | null> {
    if (this.blocks++ >= this.failAfterBlocks) throw new Error('device lost');
    const { dim, data } = this.unit!;
    const found: [number, number][] = [];
    for (let i = i0; i < i1; i++) {
      for (let j = 0; j < i; j++) {
        let s = 0;
        for (let k = dim - 1; k >= 0; k--) s = Math.fround(s + Math.fround(data[i * dim + k] * data[j * dim + k]));
        if (s >= Math.fround(cut)) found.push([j, i]);
      }
    }
    if (this.outOfBlock) found.push([i1, i1 + 1]);
    if (found.length > this.capacity) return null;
    for (let p = found.length - 1; p > 0; p--) {
      const q = Math.floor(this.random() * (p + 1));
      [found[p], found[q]] = [found[q], found[p]];
    }
    return { count: found.length, j: Uint32Array.from(found, (x) => x[0]), i: Uint32Array.from(found, (x) => x[1]) };
  }
}

function plain(state: CandidateSetState) {
  return { rows: state.rows, a: Array.from(state.a), b: Array.from(state.b), clip: Array.from(state.clip), dino: Array.from(state.dino), marginOrder: Array.from(state.marginOrder) };
}

function data(seed: number, rows: number, clipDim: number, dinoDim: number) {
  const random = prng(seed);
  return { clip: clusteredMatrix(random, rows, clipDim, 3, 0.35, 2), dino: clusteredMatrix(random, rows, dinoDim, 6, 0.6) };
}

describe('mining on a block kernel', () => {
  it('builds exactly the CPU candidates for any data, floor, block size and output capacity', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 2, max: 80 }),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0.3, max: 0.95, noNaN: true }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(Infinity, 0, 3, 50),
        async (seed, rows, clipDim, floor, blockRows, capacity) => {
          const { clip, dino } = data(seed, rows, clipDim, 7);
          const device = new Float32Device(blockRows, capacity);
          const miner = await PairMiner.buildOnBlocks(device, clip, dino, { floor });
          expect(plain(miner.candidates.exportState())).toEqual(plain(PairMiner.build(clip, dino, { floor }).candidates.exportState()));
          expect(miner.lastBlockScreen?.blocks).toBe(Math.ceil(rows / blockRows));
          if (capacity === Infinity) expect(miner.lastBlockScreen?.overflowBlocks).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps pairs exactly at the floor although the device rounds in float32', async () => {
    const { clip, dino } = data(21, 60, 40, 5);
    const lower = PairMiner.build(clip, dino, { floor: 0.5 }).candidates;
    const step = Math.max(1, Math.floor(lower.size / 40));
    for (let c = 0; c < lower.size; c += step) {
      const floor = lower.clip[c];
      const miner = await PairMiner.buildOnBlocks(new Float32Device(16), clip, dino, { floor });
      expect(plain(miner.candidates.exportState())).toEqual(plain(PairMiner.build(clip, dino, { floor }).candidates.exportState()));
    }
  });

  it('adds rows on the device uploading only the new ones, and matches a full CPU build', async () => {
    const { clip, dino } = data(11, 150, 24, 9);
    const device = new Float32Device(16, 40);
    const miner = await PairMiner.buildOnBlocks(device, sliceRows(clip, 0, 60), sliceRows(dino, 0, 60), { floor: 0.7 });
    await miner.addRowsOnBlocks(device, sliceRows(clip, 60, 100), sliceRows(dino, 60, 100));
    miner.addRows(sliceRows(clip, 100, 120), sliceRows(dino, 100, 120)); // a CPU addition in between
    await miner.addRowsOnBlocks(device, sliceRows(clip, 120, 150), sliceRows(dino, 120, 150));
    expect(device.loads).toEqual([
      { rows: 60, unchanged: 0 },
      { rows: 100, unchanged: 60 },
      { rows: 150, unchanged: 100 },
    ]);
    expect(miner.lastBlockScreen?.overflowBlocks).toBeGreaterThan(0);
    expect(plain(miner.candidates.exportState())).toEqual(plain(PairMiner.build(clip, dino, { floor: 0.7 }).candidates.exportState()));
  });

  it('reloads every row for a restored miner or another miner on the same device', async () => {
    const { clip, dino } = data(12, 80, 16, 5);
    const device = new Float32Device(32);
    const first = await PairMiner.buildOnBlocks(device, sliceRows(clip, 0, 50), sliceRows(dino, 0, 50), { floor: 0.6 });
    await PairMiner.buildOnBlocks(device, sliceRows(clip, 0, 20), sliceRows(dino, 0, 20), { floor: 0.6 });
    await first.addRowsOnBlocks(device, sliceRows(clip, 50, 60), sliceRows(dino, 50, 60));
    const restored = PairMiner.fromState(first.exportState());
    await restored.addRowsOnBlocks(device, sliceRows(clip, 60, 80), sliceRows(dino, 60, 80));
    expect(device.loads.map((l) => l.unchanged)).toEqual([0, 0, 0, 0]);
    expect(plain(restored.candidates.exportState())).toEqual(plain(PairMiner.build(clip, dino, { floor: 0.6 }).candidates.exportState()));
  });

  it('leaves the miner unchanged when the device fails during an addition, so the CPU can add the rows', async () => {
    const { clip, dino } = data(13, 90, 20, 6);
    const device = new Float32Device(16);
    const miner = await PairMiner.buildOnBlocks(device, sliceRows(clip, 0, 50), sliceRows(dino, 0, 50), { floor: 0.65 });
    const before = plain(miner.candidates.exportState());
    device.failAfterBlocks = device.blocks + 1;
    await expect(miner.addRowsOnBlocks(device, sliceRows(clip, 50, 90), sliceRows(dino, 50, 90))).rejects.toThrow(BlockKernelError);
    expect(miner.rows).toBe(50);
    expect(plain(miner.candidates.exportState())).toEqual(before);
    miner.addRows(sliceRows(clip, 50, 90), sliceRows(dino, 50, 90));
    expect(plain(miner.candidates.exportState())).toEqual(plain(PairMiner.build(clip, dino, { floor: 0.65 }).candidates.exportState()));
  });

  it('refuses a pair outside the requested block instead of mining it', async () => {
    const { clip, dino } = data(14, 40, 8, 4);
    const device = new Float32Device(16);
    device.outOfBlock = true;
    await expect(PairMiner.buildOnBlocks(device, clip, dino, { floor: 0.6 })).rejects.toThrow(/outside block/);
    await expect(PairMiner.buildOnBlocks(device, clip, dino, { floor: 0.6 })).rejects.toThrow(BlockKernelError);
    // Bad input is the caller's error, not the device's: no CPU retry would help.
    await expect(PairMiner.buildOnBlocks(device, clip, sliceRows(dino, 0, 10), { floor: 0.6 })).rejects.not.toThrow(BlockKernelError);
  });
});
