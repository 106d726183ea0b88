/**
 * The WebGPU mining kernel, forced onto the test browser's adapter (SwiftShader here, a software
 * fallback that 'auto' would refuse). The kernel itself must return every pair that can reach the
 * cut, and the miner worker on it must produce exactly the CPU path's candidates: same pairs,
 * same float32 similarities, same order. No WebGPU in the test browser is a failure, not a skip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import type { MinerApi, MinerBuildOptions, WebGpuKernelOptions } from '../../src/workers/miner.protocol.ts';
import { WebGpuBlockKernel } from '../../src/workers/miner-webgpu.ts';
import { deviceMargin, normalizeRows, PairMiner, type CandidateSetState, type EmbeddingMatrix } from '../../src/core/mining/index.ts';
import { bruteForceCandidates, clusteredMatrix, gaussian, prng, sliceRows } from '../unit/mining-reference.ts';

const worker = new Worker(new URL('../../src/workers/miner.worker.ts', import.meta.url), { type: 'module' });
const host = Comlink.wrap<MinerApi>(worker);

/** A miner worker of its own for `work`, terminated afterwards. */
async function withFreshMiner(work: (miner: Comlink.Remote<MinerApi>) => Promise<void>): Promise<void> {
  const own = new Worker(new URL('../../src/workers/miner.worker.ts', import.meta.url), { type: 'module' });
  try {
    await work(Comlink.wrap<MinerApi>(own));
  } finally {
    own.terminate();
  }
}

function gaussianMatrix(random: () => number, rows: number, dim: number): EmbeddingMatrix {
  return { rows, dim, data: Float32Array.from({ length: rows * dim }, () => gaussian(random)) };
}

const randomData = (() => {
  const random = prng(2024);
  // Dimensions that are not multiples of the shader's 16-wide steps; rows not a multiple of 64.
  return { clip: gaussianMatrix(random, 300, 40), dino: gaussianMatrix(random, 300, 24), floor: 0.3 };
})();
const clusteredData = (() => {
  const random = prng(77);
  return { clip: clusteredMatrix(random, 360, 64, 5, 0.35, 1), dino: clusteredMatrix(random, 360, 48, 9, 0.6), floor: 0.75 };
})();

/** Several blocks of 64 later rows each, so the block loop and ragged tiles are exercised. */
const gpu: MinerBuildOptions<WebGpuKernelOptions> = { kernel: 'webgpu', gpu: { blockRows: 64 } };

function plain(state: CandidateSetState) {
  return { rows: state.rows, a: Array.from(state.a), b: Array.from(state.b), clip: Array.from(state.clip), dino: Array.from(state.dino) };
}

function cpuCandidates(clip: EmbeddingMatrix, dino: EmbeddingMatrix, floor: number) {
  return plain(PairMiner.build(clip, dino, { floor }).candidates.exportState());
}

/** The brute-force reference in the engine's order (CLIP descending, then a, then b). */
function expectMatchesBruteForce(got: ReturnType<typeof plain>, clip: EmbeddingMatrix, dino: EmbeddingMatrix, floor: number) {
  const reference = bruteForceCandidates(clip, dino, floor).sort((x, y) => y.clip - x.clip || x.a - y.a || x.b - y.b);
  expect(got.a.length).toBe(reference.length);
  const key = (a: number, b: number) => a * 100_000 + b;
  expect(new Set(got.a.map((a, r) => key(a, got.b[r])))).toEqual(new Set(reference.map((p) => key(p.a, p.b))));
  const byPair = new Map(reference.map((p) => [key(p.a, p.b), p]));
  got.a.forEach((a, r) => {
    const p = byPair.get(key(a, got.b[r]))!;
    expect(Math.abs(got.clip[r] - p.clip)).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(got.dino[r] - p.dino)).toBeLessThanOrEqual(1e-5);
  });
}

describe('WebGPU mining kernel (forced onto the test adapter)', () => {
  beforeAll(async () => {
    // Fail loudly: these tests exist to run the GPU path.
    const adapter = await navigator.gpu?.requestAdapter();
    if (!adapter) throw new Error('The test browser offers no WebGPU adapter; start Chromium with --enable-unsafe-webgpu (vite.config.ts chromiumArgs).');
  });
  afterAll(() => worker.terminate());

  it('the kernel returns every pair at or above the cut and none clearly below it, block by block', async () => {
    const kernel = await WebGpuBlockKernel.create({ allowFallbackAdapter: true, blockRows: 64 });
    try {
      const unit = normalizeRows(clusteredData.clip);
      await kernel.load(unit, 0, {});
      const cut = 0.75 - deviceMargin(unit.dim);
      const dot = (a: number, b: number) => {
        let s = 0;
        for (let k = 0; k < unit.dim; k++) s += unit.data[a * unit.dim + k] * unit.data[b * unit.dim + k];
        return s;
      };
      let total = 0;
      for (let i0 = 0; i0 < unit.rows; i0 += 64) {
        const i1 = Math.min(unit.rows, i0 + 64);
        const block = await kernel.screenBlock(i0, i1, cut);
        expect(block).not.toBeNull();
        const seen = new Set<number>();
        for (let p = 0; p < block!.count; p++) {
          const { i, j } = { i: block!.i[p], j: block!.j[p] };
          expect(j < i && i >= i0 && i < i1).toBe(true);
          expect(dot(j, i)).toBeGreaterThanOrEqual(cut - 1e-5);
          seen.add(j * 1000 + i);
        }
        expect(seen.size).toBe(block!.count);
        for (let i = i0; i < i1; i++) for (let j = 0; j < i; j++) if (dot(j, i) >= cut + 1e-5) expect(seen.has(j * 1000 + i)).toBe(true);
        total += block!.count;
      }
      expect(total).toBeGreaterThan(1000);
    } finally {
      kernel.destroy();
    }
  });

  it('the kernel reports an overflowing block as null instead of a partial list', async () => {
    const kernel = await WebGpuBlockKernel.create({ allowFallbackAdapter: true, blockRows: 64, outputCapacity: 4, maxOutputCapacity: 4 });
    try {
      const unit = normalizeRows(clusteredData.clip);
      await kernel.load(unit, 0, {});
      expect(await kernel.screenBlock(64, 128, 0.5)).toBeNull();
      const few = await kernel.screenBlock(1, 3, 0.99999);
      expect(few).not.toBeNull();
      expect(few!.count).toBeLessThanOrEqual(4);
    } finally {
      kernel.destroy();
    }
  });

  for (const [name, data] of [['random', randomData], ['clustered', clusteredData]] as const) {
    it(`${name} data: the worker's WebGPU build equals the CPU build and the brute-force reference`, async () => {
      const start = performance.now();
      const summary = await host.build(data.clip, data.dino, { floor: data.floor, ...gpu });
      const elapsed = performance.now() - start;
      expect(summary.kernel).toBe('webgpu');
      expect(summary.gpuAdapter).toBeTruthy();
      expect(summary.overflowBlocks).toBe(0);
      const got = plain(await host.exportCandidates());
      expect(got).toEqual(cpuCandidates(data.clip, data.dino, data.floor));
      expectMatchesBruteForce(got, data.clip, data.dino, data.floor);
      console.info(`mining-webgpu ${name}: ${data.clip.rows} rows, ${got.a.length} candidates, ${elapsed.toFixed(0)} ms on ${summary.gpuAdapter}`);
    });
  }

  it('keeps pairs exactly at the floor: floors set to mined similarities', async () => {
    const clip = sliceRows(clusteredData.clip, 0, 200);
    const dino = sliceRows(clusteredData.dino, 0, 200);
    const lower = cpuCandidates(clip, dino, 0.75);
    for (const at of [0.1, 0.3, 0.5, 0.7, 0.9, 0.99]) {
      const floor = lower.clip[Math.floor(lower.clip.length * at)];
      await host.build(clip, dino, { floor, ...gpu });
      const got = plain(await host.exportCandidates());
      expect(got).toEqual(cpuCandidates(clip, dino, floor));
      expect(got.clip.at(-1)).toBe(floor);
    }
  });

  it('adds rows incrementally on the GPU (the M x N and M x M blocks) and matches a full CPU build', async () => {
    const { clip, dino, floor } = clusteredData;
    await host.build(sliceRows(clip, 0, 200), sliceRows(dino, 0, 200), { floor, ...gpu });
    const grown = await host.addRows(sliceRows(clip, 200, 330), sliceRows(dino, 200, 330));
    expect(grown.kernel).toBe('webgpu');
    expect(grown.rows).toBe(330);
    const grownAgain = await host.addRows(sliceRows(clip, 330, 360), sliceRows(dino, 330, 360));
    expect(grownAgain.rows).toBe(360);
    const got = plain(await host.exportCandidates());
    expect(got).toEqual(cpuCandidates(clip, dino, floor));
    expectMatchesBruteForce(got, clip, dino, floor);
  });

  it('re-screens overflowing blocks on the CPU (tiny output) with identical results, in builds and additions', async () => {
    const { clip, dino, floor } = clusteredData;
    const tiny: MinerBuildOptions<WebGpuKernelOptions> = { kernel: 'webgpu', gpu: { blockRows: 64, outputCapacity: 8, maxOutputCapacity: 8 } };
    const built = await host.build(clip, dino, { floor, ...tiny });
    expect(built.kernel).toBe('webgpu');
    expect(built.overflowBlocks).toBeGreaterThan(0);
    expect(plain(await host.exportCandidates())).toEqual(cpuCandidates(clip, dino, floor));

    await host.build(sliceRows(clip, 0, 250), sliceRows(dino, 0, 250), { floor, ...tiny });
    const grown = await host.addRows(sliceRows(clip, 250, 360), sliceRows(dino, 250, 360));
    expect(grown.overflowBlocks).toBeGreaterThan(0);
    expect(plain(await host.exportCandidates())).toEqual(cpuCandidates(clip, dino, floor));
  });

  it('grows its output after an overflow, so later blocks stay on the GPU', async () => {
    const { clip, dino, floor } = clusteredData;
    const summary = await host.build(clip, dino, { floor, kernel: 'webgpu', gpu: { blockRows: 64, outputCapacity: 8 } });
    expect(summary.overflowBlocks).toBeGreaterThan(0);
    expect(summary.overflowBlocks).toBeLessThan(Math.ceil(clip.rows / 64));
    expect(plain(await host.exportCandidates())).toEqual(cpuCandidates(clip, dino, floor));
  });

  it("'auto' falls back to the CPU when the GPU fails mid-build or mid-addition, with the same candidates", async () => {
    const { clip, dino, floor } = clusteredData;
    // Allowed onto the software adapter for the test; the kernel fails on its fourth block.
    const failing: MinerBuildOptions<WebGpuKernelOptions> = { kernel: 'auto', gpu: { allowFallbackAdapter: true, blockRows: 64, simulateFailureAfterBlocks: 3 } };
    // Each scenario in a fresh worker: what a worker does after a device failure is not what is tested here.
    await withFreshMiner(async (miner) => {
      const built = await miner.build(sliceRows(clip, 0, 250), sliceRows(dino, 0, 250), { floor, ...failing });
      expect(built.kernel).toBe('wasm-simd');
      expect(built.kernelNote).toMatch(/webgpu kernel failed.*simulated/);
      expect(plain(await miner.exportCandidates())).toEqual(cpuCandidates(sliceRows(clip, 0, 250), sliceRows(dino, 0, 250), floor));
    });
    await withFreshMiner(async (miner) => {
      const onGpu = await miner.build(sliceRows(clip, 0, 150), sliceRows(dino, 0, 150), { floor, ...failing });
      expect(onGpu.kernel).toBe('webgpu');
      const grown = await miner.addRows(sliceRows(clip, 150, 360), sliceRows(dino, 150, 360));
      expect(grown.kernel).toBe('wasm-simd');
      expect(grown.kernelNote).toMatch(/simulated/);
      expect(plain(await miner.exportCandidates())).toEqual(cpuCandidates(clip, dino, floor));
    });
    // Forced WebGPU does not hide the failure.
    await withFreshMiner(async (miner) => {
      await expect(miner.build(clip, dino, { floor, kernel: 'webgpu', gpu: { blockRows: 64, simulateFailureAfterBlocks: 0 } })).rejects.toThrow(/simulated/);
    });
  });

  it("'auto' refuses a software adapter and says why; a hardware one is used", async () => {
    const adapter = await navigator.gpu.requestAdapter();
    const info = adapter?.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
    await withFreshMiner(async (miner) => {
      const summary = await miner.build(randomData.clip, randomData.dino, { floor: randomData.floor });
      if (info?.isFallbackAdapter) {
        expect(summary.kernel).toBe('wasm-simd');
        expect(summary.kernelNote).toMatch(/software WebGPU adapter/);
      } else {
        expect(summary.kernel).toBe('webgpu');
      }
      expect(plain(await miner.exportCandidates())).toEqual(cpuCandidates(randomData.clip, randomData.dino, randomData.floor));
    });
  });
});
