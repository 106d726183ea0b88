/**
 * The miner worker: the mining core behind comlink. Builds and additions run here so the UI
 * thread never touches N^2 work; filter results come back as transferred typed arrays.
 */
import * as Comlink from 'comlink';
import {
  PairMiner,
  type EmbeddingMatrix,
  type FilterOptions,
  type MinerState,
  type PairArrays,
  type SensitivityGrid,
  type SensitivityGridOptions,
  simdAvailable,
} from '../core/mining/index.ts';

export interface MinerSummary {
  rows: number;
  floor: number;
  candidates: number;
  /** Which screening kernel ran: WebAssembly SIMD or the JavaScript fallback. */
  kernel: 'wasm-simd' | 'js';
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
  private kernel: 'auto' | 'js' = 'auto';
  private lastMs = 0;

  /** Mines all pairs of the rows (normalised here). Pass onProgress through Comlink.proxy. */
  build(clip: EmbeddingMatrix, dino: EmbeddingMatrix, options: { floor?: number; kernel?: 'auto' | 'js' } = {}, onProgress?: ProgressCallback): MinerSummary {
    this.kernel = options.kernel ?? 'auto';
    const start = performance.now();
    this.miner = PairMiner.build(clip, dino, { floor: options.floor, kernel: this.kernel, onProgress: throttled(onProgress) });
    this.lastMs = performance.now() - start;
    return this.summary();
  }

  /** Appends rows (new images) and mines only the pairs involving them. */
  addRows(clip: EmbeddingMatrix, dino: EmbeddingMatrix, onProgress?: ProgressCallback): MinerSummary {
    const start = performance.now();
    this.current().addRows(clip, dino, throttled(onProgress));
    this.lastMs = performance.now() - start;
    return this.summary();
  }

  filter(options: FilterOptions = {}): MinerFilterResult {
    const start = performance.now();
    const result = this.current().candidates.filter(options);
    const elapsedMs = performance.now() - start;
    const pairs = copyPairs(result.pairs);
    const nearDuplicates = copyPairs(result.nearDuplicates);
    return Comlink.transfer({ pairs, nearDuplicates, total: result.total, matchedBeforeCap: result.matchedBeforeCap, elapsedMs }, [...buffersOf(pairs), ...buffersOf(nearDuplicates)]);
  }

  sensitivityGrid(options: SensitivityGridOptions = {}): SensitivityGrid {
    // The grid is cached by the candidate set: send a copy.
    return structuredClone(this.current().candidates.sensitivityGrid(options));
  }

  setCategories(categories: Int32Array | undefined): void {
    this.current().candidates.setCategories(categories);
  }

  /** A copy of the whole state (plain typed arrays) for IndexedDB. */
  exportState(): MinerState {
    return this.current().exportState();
  }

  importState(state: MinerState): MinerSummary {
    this.miner = PairMiner.fromState(state);
    this.miner.kernel = this.kernel;
    this.lastMs = 0;
    return this.summary();
  }

  summary(): MinerSummary {
    const miner = this.current();
    return {
      rows: miner.rows,
      floor: miner.floor,
      candidates: miner.candidates.size,
      kernel: this.kernel === 'auto' && simdAvailable() ? 'wasm-simd' : 'js',
      elapsedMs: this.lastMs,
    };
  }

  private current(): PairMiner {
    if (!this.miner) throw new Error('Nothing has been mined yet; embed some images first.');
    return this.miner;
  }
}

Comlink.expose(new MinerHost());
