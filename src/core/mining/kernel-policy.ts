/**
 * Which kernel screens the pairs, and what happens when the GPU fails: the policy the miner worker
 * follows, as core code so it is tested in Node with a GPU kernel injected.
 *
 * 'auto': the GPU kernel where the factory gives one (the browser's factory refuses software
 * adapters unless asked), else the CPU; a device failure drops to the CPU for good, with the
 * reason. 'webgpu': the GPU or an error (tests). 'wasm-simd': the CPU (SIMD where it validates).
 * 'js': the plain JavaScript loop.
 */
import { BlockKernelError, type BlockSimilarityKernel } from './block-kernel.ts';
import { simdAvailable } from './screen.ts';
import { messageOf } from '../errors.ts';

export type MinerKernelChoice = 'auto' | 'webgpu' | 'wasm-simd' | 'js';
export type MinerKernel = 'webgpu' | 'wasm-simd' | 'js';

/** A GPU screening kernel as the policy needs it: it names its adapter and can be released. */
export interface GpuBlockKernel extends BlockSimilarityKernel {
  readonly adapterLabel: string;
  destroy(): void;
}

/** Creates the GPU kernel for a choice; throws a sentence when there is none to be had. */
export type GpuKernelFactory<O> = (options: O, choice: 'auto' | 'webgpu') => Promise<GpuBlockKernel>;

export class KernelPolicy<O = unknown> {
  private choice: MinerKernelChoice = 'auto';
  private options: O | undefined;
  private gpu: { kernel: GpuBlockKernel; key: string } | undefined;
  /** Why a GPU device failed in 'auto': from then on this policy stays on the CPU. */
  private deviceFailure: string | undefined;
  /** Why the factory refused these settings; asked once per settings, not on every build. */
  private refusal: { key: string; reason: string } | undefined;
  /** Why WebGPU was not used by the last build or addition ('auto' only). */
  note: string | undefined;
  /** The kernel the last build or addition ran on. */
  used: MinerKernel = 'js';

  constructor(private readonly createGpu: GpuKernelFactory<O> | undefined) {}

  /** Sets the choice for the next build; forgets the previous note. */
  choose(choice: MinerKernelChoice, options: O | undefined): void {
    this.choice = choice;
    this.options = options;
    this.note = undefined;
  }

  /**
   * Runs `work` on the GPU kernel when the choice has one: its result, or undefined when there is
   * none or, in 'auto', when the device failed (the caller then does the work on the CPU).
   */
  async onGpu<T>(work: (gpu: GpuBlockKernel) => Promise<T>): Promise<T | undefined> {
    const gpu = await this.gpuKernel();
    if (!gpu) {
      this.used = this.cpuKernelName();
      return undefined;
    }
    try {
      const result = await work(gpu);
      this.used = 'webgpu';
      return result;
    } catch (error) {
      if (this.choice === 'webgpu' || !(error instanceof BlockKernelError)) throw error;
      this.note = this.deviceFailure = `${messageOf(error)}; mining ran on the CPU.`;
      this.gpu?.kernel.destroy();
      this.gpu = undefined;
      this.used = this.cpuKernelName();
      return undefined;
    }
  }

  /** The CPU kernel setting the mining engine takes. */
  cpuKernel(): 'auto' | 'js' {
    return this.choice === 'js' ? 'js' : 'auto';
  }

  /** After a restore nothing was screened: report the CPU kernel later additions fall back to. */
  restored(): void {
    this.used = this.cpuKernelName();
  }

  /** The adapter the last GPU run used, when it ran on the GPU. */
  adapterLabel(): string | undefined {
    return this.used === 'webgpu' ? this.gpu?.kernel.adapterLabel : undefined;
  }

  private cpuKernelName(): MinerKernel {
    return this.cpuKernel() === 'auto' && simdAvailable() ? 'wasm-simd' : 'js';
  }

  private async gpuKernel(): Promise<GpuBlockKernel | undefined> {
    if (this.choice === 'wasm-simd' || this.choice === 'js') return undefined;
    if (!this.createGpu) {
      if (this.choice === 'webgpu') throw new Error('This miner has no GPU kernel; use the browser build, or choose the CPU kernel.');
      this.note = 'No GPU kernel in this environment.';
      return undefined;
    }
    if (this.choice === 'auto' && this.deviceFailure) {
      this.note = this.deviceFailure;
      return undefined;
    }
    const key = JSON.stringify([this.choice, this.options ?? null]);
    if (this.gpu?.key === key) return this.gpu.kernel;
    if (this.refusal?.key === key) {
      this.note = this.refusal.reason;
      return undefined;
    }
    this.gpu?.kernel.destroy();
    this.gpu = undefined;
    try {
      const kernel = await this.createGpu(this.options as O, this.choice);
      this.gpu = { kernel, key };
      this.note = undefined;
      return kernel;
    } catch (error) {
      if (this.choice === 'webgpu') throw error;
      this.note = messageOf(error);
      this.refusal = { key, reason: this.note };
      return undefined;
    }
  }
}
