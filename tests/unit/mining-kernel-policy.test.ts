/**
 * The kernel choice and fallback policy the miner worker follows, in Node with a GPU kernel
 * injected (a float32 stand-in device): 'auto' uses the GPU where the factory gives one and
 * drops to the CPU for good after a device failure, a refused adapter is asked once, 'webgpu'
 * surfaces failures. The real WebGPU kernel runs in tests/browser/mining-webgpu.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { MiningService } from '../../src/core/mining/mining-service.ts';
import type { BlockPairs, EmbeddingMatrix } from '../../src/core/mining/index.ts';
import type { GpuBlockKernel } from '../../src/core/mining/kernel-policy.ts';
import { clusteredMatrix, prng } from './mining-reference.ts';

class StandInGpu implements GpuBlockKernel {
  readonly name = 'stand-in';
  readonly blockRows = 64;
  readonly adapterLabel = 'stand-in adapter';
  destroyed = false;
  blocks = 0;
  private unit: EmbeddingMatrix | null = null;
  constructor(private readonly failAfterBlocks = Infinity) {}
  async load(unit: EmbeddingMatrix): Promise<void> {
    this.unit = { ...unit, data: unit.data.slice() };
  }
  async screenBlock(i0: number, i1: number, cut: number): Promise<BlockPairs | null> {
    if (this.blocks++ >= this.failAfterBlocks) throw new Error('device lost');
    const { dim, data } = this.unit!;
    const j: number[] = [];
    const i: number[] = [];
    for (let r = i0; r < i1; r++) {
      for (let c = 0; c < r; c++) {
        let s = 0;
        for (let k = 0; k < dim; k++) s += data[r * dim + k] * data[c * dim + k];
        if (s >= cut) {
          j.push(c);
          i.push(r);
        }
      }
    }
    return { count: j.length, j: Uint32Array.from(j), i: Uint32Array.from(i) };
  }
  destroy(): void {
    this.destroyed = true;
  }
}

const random = prng(11);
const clip = clusteredMatrix(random, 300, 32, 4, 0.3);
const dino = clusteredMatrix(random, 300, 16, 6, 0.5);
const request = { clipMin: 0.8, dinoMax: 0.8, pageSize: 10_000, histogramBins: 4, densityColumns: 4, densityRows: 4, pointsUpTo: 0 };

async function cpuAnswer() {
  const cpu = new MiningService();
  await cpu.build(clip, dino, { floor: 0.75, kernel: 'js' });
  return (await cpu.view(request)).view.page;
}

describe('kernel policy (GPU kernel injected)', () => {
  it("'auto' runs on the GPU the factory gives and yields the CPU's pairs", async () => {
    const gpu = new StandInGpu();
    const service = new MiningService(async () => gpu);
    const summary = await service.build(clip, dino, { floor: 0.75 });
    expect(summary.kernel).toBe('webgpu');
    expect(summary.gpuAdapter).toBe('stand-in adapter');
    expect(gpu.blocks).toBeGreaterThan(0);
    expect((await service.view(request)).view.page).toEqual(await cpuAnswer());
  });

  it("'auto' falls back to the CPU after a device failure, for good, with the reason", async () => {
    const gpu = new StandInGpu(1);
    let created = 0;
    const service = new MiningService(async () => (created++, gpu));
    const summary = await service.build(clip, dino, { floor: 0.75 });
    expect(summary.kernel).toBe('wasm-simd');
    expect(summary.kernelNote).toMatch(/device lost; mining ran on the CPU/);
    expect(gpu.destroyed).toBe(true);
    expect((await service.view(request)).view.page).toEqual(await cpuAnswer());
    const again = await service.build(clip, dino, { floor: 0.75 });
    expect(again.kernel).toBe('wasm-simd');
    expect(created).toBe(1);
  });

  it('asks a refusing factory once and says why', async () => {
    let asked = 0;
    const service = new MiningService(async () => {
      asked++;
      throw new Error('Only a software WebGPU adapter is available; the CPU kernel is faster.');
    });
    const first = await service.build(clip, dino, { floor: 0.75 });
    await service.build(clip, dino, { floor: 0.75 });
    expect(asked).toBe(1);
    expect(first.kernel).toBe('wasm-simd');
    expect(first.kernelNote).toMatch(/software WebGPU adapter/);
  });

  it("'webgpu' surfaces a device failure instead of hiding it", async () => {
    const service = new MiningService(async () => new StandInGpu(0));
    await expect(service.build(clip, dino, { floor: 0.75, kernel: 'webgpu' })).rejects.toThrow(/device lost/);
    await expect(new MiningService().build(clip, dino, { floor: 0.75, kernel: 'webgpu' })).rejects.toThrow(/no GPU kernel/);
  });

  it("'js' and 'wasm-simd' never ask for a GPU", async () => {
    let asked = 0;
    const service = new MiningService(async () => (asked++, new StandInGpu()));
    expect((await service.build(clip, dino, { floor: 0.75, kernel: 'js' })).kernel).toBe('js');
    expect((await service.build(clip, dino, { floor: 0.75, kernel: 'wasm-simd' })).kernel).toBe('wasm-simd');
    expect(asked).toBe(0);
  });
});
