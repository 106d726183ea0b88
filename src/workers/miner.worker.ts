/**
 * The miner worker: the mining core behind comlink. Builds and additions run here so the UI
 * thread never touches N^2 work; filter results come back as transferred typed arrays.
 * It picks the screening kernel itself: WebGPU where a hardware (non-fallback) adapter exists,
 * else WebAssembly SIMD, else plain JavaScript. Every kernel yields the same candidates.
 */
import * as Comlink from 'comlink';
import {
  BlockKernelError,
  CandidateSet,
  PairMiner,
  marginOrderOf,
  type CandidateSetState,
  type EmbeddingMatrix,
  type FilterOptions,
  type MinerState,
  type PairArrays,
  type SensitivityGrid,
  type SensitivityGridOptions,
  simdAvailable,
} from '../core/mining/index.ts';
import { WebGpuBlockKernel, type WebGpuKernelOptions } from './miner-webgpu.ts';

/**
 * 'auto': WebGPU on a hardware adapter, else the CPU; 'webgpu': WebGPU even on a software
 * adapter, failing when there is none (tests); 'wasm-simd': the CPU (SIMD where it validates);
 * 'js': the plain JavaScript loop.
 */
export type MinerKernelChoice = 'auto' | 'webgpu' | 'wasm-simd' | 'js';
export type MinerKernel = 'webgpu' | 'wasm-simd' | 'js';

export interface MinerBuildOptions {
  floor?: number;
  kernel?: MinerKernelChoice;
  /**
   * WebGPU kernel settings (output capacity, rows per block) for tests and the benchmark;
   * `allowFallbackAdapter` lets 'auto' use a software adapter too ('webgpu' always may).
   */
  gpu?: WebGpuKernelOptions;
}

export interface MinerSummary {
  rows: number;
  floor: number;
  candidates: number;
  /** Which screening kernel ran: WebGPU, WebAssembly SIMD or the JavaScript fallback. */
  kernel: MinerKernel;
  /** The WebGPU adapter, when the kernel is 'webgpu' (e.g. "nvidia ampere"). */
  gpuAdapter?: string;
  /** Why WebGPU was not used, when the choice was 'auto' and it was not. */
  kernelNote?: string;
  /** WebGPU blocks whose output overflowed and were screened on the CPU in the last build or addition. */
  overflowBlocks?: number;
  /** Milliseconds the last build or addition took. */
  elapsedMs: number;
}

export interface MinerFilterResult {
  pairs: PairArrays;
  nearDuplicates: PairArrays;
  /** All confusing pairs (pairs.count is smaller when a limit was given). */
  total: number;
  matchedBeforeCap: number;
  /** Milliseconds the filter took inside the worker. */
  elapsedMs: number;
}

export type ProgressCallback = (done: number, total: number) => void;

function copyPairs(p: PairArrays): PairArrays {
  return { count: p.count, index: p.index.slice(), a: p.a.slice(), b: p.b.slice(), clip: p.clip.slice(), dino: p.dino.slice() };
}

function buffersOf(p: PairArrays): ArrayBuffer[] {
  return [p.index, p.a, p.b, p.clip, p.dino].map((x) => x.buffer as ArrayBuffer);
}

/** Forwards progress at most every 100 ms (each call crosses threads). */
function throttled(onProgress: ProgressCallback | undefined): ProgressCallback | undefined {
  if (!onProgress) return undefined;
  let last = 0;
  return (done, total) => {
    const now = performance.now();
    if (done === total || now - last >= 100) {
      last = now;
      void onProgress(done, total);
    }
  };
}

export class MinerHost {
  private miner: PairMiner | undefined;
  /** Candidates restored from storage without their embeddings: enough to filter, not to add rows. */
  private restored: CandidateSet | undefined;
  private choice: MinerKernelChoice = 'auto';
  private gpuOptions: MinerBuildOptions['gpu'] = {};
  private gpu: { kernel: WebGpuBlockKernel; key: string } | undefined;
  /** Why 'auto' found no usable WebGPU for these settings (asked once per worker). */
  private gpuRefusal: { key: string; reason: string } | undefined;
  /** The kernel the last build or addition ran on, and why WebGPU was not. */
  private used: MinerKernel = 'js';
  private note: string | undefined;
  private lastMs = 0;
  /** Builds and additions await the GPU: later calls wait for them, in order. */
  private queue: Promise<unknown> = Promise.resolve();

  /** Mines all pairs of the rows (normalised here). Pass onProgress through Comlink.proxy. */
  build(clip: EmbeddingMatrix, dino: EmbeddingMatrix, options: MinerBuildOptions = {}, onProgress?: ProgressCallback): Promise<MinerSummary> {
    return this.serial(async () => {
      this.choice = options.kernel ?? 'auto';
      this.gpuOptions = options.gpu ?? {};
      this.note = undefined;
      const start = performance.now();
      const progress = throttled(onProgress);
      const miner = await this.onGpu((gpu) => PairMiner.buildOnBlocks(gpu, clip, dino, { floor: options.floor, onProgress: progress }));
      this.used = miner ? 'webgpu' : this.cpuKernelName();
      this.miner = miner ?? PairMiner.build(clip, dino, { floor: options.floor, kernel: this.cpuKernel(), onProgress: progress });
      this.restored = undefined;
      this.lastMs = performance.now() - start;
      return this.summary();
    });
  }

  /** Appends rows (new images) and mines only the pairs involving them. */
  addRows(clip: EmbeddingMatrix, dino: EmbeddingMatrix, onProgress?: ProgressCallback): Promise<MinerSummary> {
    return this.serial(async () => {
      const miner = this.current();
      const start = performance.now();
      const progress = throttled(onProgress);
      const onGpu = (await this.onGpu((gpu) => miner.addRowsOnBlocks(gpu, clip, dino, progress))) !== undefined;
      if (!onGpu) miner.addRows(clip, dino, progress);
      this.used = onGpu ? 'webgpu' : this.cpuKernelName();
      this.lastMs = performance.now() - start;
      return this.summary();
    });
  }

  filter(options: FilterOptions = {}): Promise<MinerFilterResult> {
    return this.serial(async () => this.filterNow(options));
  }

  private filterNow(options: FilterOptions): MinerFilterResult {
    const start = performance.now();
    const result = this.candidates().filter(options);
    const elapsedMs = performance.now() - start;
    const pairs = copyPairs(result.pairs);
    const nearDuplicates = copyPairs(result.nearDuplicates);
    return Comlink.transfer({ pairs, nearDuplicates, total: result.total, matchedBeforeCap: result.matchedBeforeCap, elapsedMs }, [...buffersOf(pairs), ...buffersOf(nearDuplicates)]);
  }

  sensitivityGrid(options: SensitivityGridOptions = {}): Promise<SensitivityGrid> {
    // The grid is cached by the candidate set: send a copy.
    return this.serial(async () => structuredClone(this.candidates().sensitivityGrid(options)));
  }

  setCategories(categories: Int32Array | undefined): Promise<void> {
    return this.serial(async () => this.candidates().setCategories(categories));
  }

  /** A copy of the candidate set alone: what IndexedDB keeps, without the unit matrices. */
  exportCandidates(): Promise<CandidateSetState> {
    return this.serial(async () => this.candidates().exportState());
  }

  /** A copy of the whole state (plain typed arrays) for IndexedDB. */
  exportState(): Promise<MinerState> {
    return this.serial(async () => this.current().exportState());
  }

  /**
   * Restores a stored candidate set for filtering; adding rows later needs a fresh build. The
   * margin order is derived here when the caller does not have it, off the page's thread.
   */
  importCandidates(state: Omit<CandidateSetState, 'marginOrder'> & { marginOrder?: Uint32Array }): Promise<MinerSummary> {
    return this.serial(async () => {
      this.miner = undefined;
      this.restored = CandidateSet.fromState({ ...state, marginOrder: state.marginOrder ?? marginOrderOf(state.a, state.b, state.clip, state.dino) });
      this.restoredNothingMined();
      return this.summary();
    });
  }

  /** True when rows can be appended incrementally (a full state is loaded, not only candidates). */
  canAddRows(): Promise<boolean> {
    return this.serial(async () => this.miner !== undefined);
  }

  importState(state: MinerState): Promise<MinerSummary> {
    return this.serial(async () => {
      this.restored = undefined;
      this.miner = PairMiner.fromState(state);
      this.miner.kernel = this.cpuKernel();
      this.restoredNothingMined();
      return this.summary();
    });
  }

  /** After a restore nothing was screened: report the CPU kernel later additions fall back to. */
  private restoredNothingMined(): void {
    this.lastMs = 0;
    this.used = this.cpuKernelName();
  }

  summary(): MinerSummary {
    const set = this.candidates();
    const onGpu = this.used === 'webgpu' && this.gpu !== undefined;
    return {
      rows: set.rows,
      floor: set.floor,
      candidates: set.size,
      kernel: this.used,
      ...(onGpu ? { gpuAdapter: adapterLabel(this.gpu!.kernel), overflowBlocks: this.miner?.lastBlockScreen?.overflowBlocks ?? 0 } : {}),
      ...(this.note !== undefined ? { kernelNote: this.note } : {}),
      elapsedMs: this.lastMs,
    };
  }

  /** The WebGPU kernel for the current choice, created on first use; undefined for the CPU. */
  private async gpuKernel(): Promise<WebGpuBlockKernel | undefined> {
    if (this.choice === 'wasm-simd' || this.choice === 'js') return undefined;
    const key = JSON.stringify([this.choice, this.gpuOptions]);
    if (this.gpu?.key === key) return this.gpu.kernel;
    if (this.gpuRefusal?.key === key) {
      this.note = this.gpuRefusal.reason;
      return undefined;
    }
    this.gpu?.kernel.destroy();
    this.gpu = undefined;
    try {
      const allowFallbackAdapter = this.choice === 'webgpu' || this.gpuOptions?.allowFallbackAdapter === true;
      const kernel = await WebGpuBlockKernel.create({ ...this.gpuOptions, allowFallbackAdapter });
      this.gpu = { kernel, key };
      this.note = undefined;
      return kernel;
    } catch (error) {
      if (this.choice === 'webgpu') throw error;
      this.note = error instanceof Error ? error.message : String(error);
      this.gpuRefusal = { key, reason: this.note };
      return undefined;
    }
  }

  /**
   * Runs `work` on the WebGPU kernel when the current choice has one; undefined when there is
   * none or, in 'auto', when the device failed (the caller then does the work on the CPU).
   */
  private async onGpu<T>(work: (gpu: WebGpuBlockKernel) => Promise<T>): Promise<T | undefined> {
    const gpu = await this.gpuKernel();
    if (!gpu) return undefined;
    try {
      return await work(gpu);
    } catch (error) {
      if (this.choice === 'webgpu' || !(error instanceof BlockKernelError)) throw error;
      this.dropGpu(error);
      return undefined;
    }
  }

  /** After a GPU failure in 'auto': the CPU from now on, with the reason. */
  private dropGpu(error: unknown): void {
    this.note = `${error instanceof Error ? error.message : String(error)}; mining ran on the CPU.`;
    this.gpu?.kernel.destroy();
    this.gpu = undefined;
    this.choice = 'wasm-simd';
  }

  private cpuKernel(): 'auto' | 'js' {
    return this.choice === 'js' ? 'js' : 'auto';
  }

  private cpuKernelName(): MinerKernel {
    return this.cpuKernel() === 'auto' && simdAvailable() ? 'wasm-simd' : 'js';
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private candidates(): CandidateSet {
    if (this.restored) return this.restored;
    return this.current().candidates;
  }

  private current(): PairMiner {
    if (!this.miner) throw new Error('Nothing has been mined yet; embed some images first.');
    return this.miner;
  }
}

function adapterLabel(kernel: WebGpuBlockKernel): string {
  const { vendor, architecture, description, isFallbackAdapter } = kernel.adapter;
  const name = [vendor, architecture || description].filter(Boolean).join(' ') || 'adapter';
  return isFallbackAdapter ? `${name} (software fallback)` : name;
}

Comlink.expose(new MinerHost());
