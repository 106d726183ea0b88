/**
 * The miner worker: the mining core behind comlink. Builds and additions run here so the UI
 * thread never touches N^2 work; filter results come back as transferred typed arrays.
 */
import * as Comlink from 'comlink';
import {
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
  /** Candidates restored from storage without their embeddings: enough to filter, not to add rows. */
  private restored: CandidateSet | undefined;
  private kernel: 'auto' | 'js' = 'auto';
  private lastMs = 0;

  /** Mines all pairs of the rows (normalised here). Pass onProgress through Comlink.proxy. */
  build(clip: EmbeddingMatrix, dino: EmbeddingMatrix, options: { floor?: number; kernel?: 'auto' | 'js' } = {}, onProgress?: ProgressCallback): MinerSummary {
    this.kernel = options.kernel ?? 'auto';
    const start = performance.now();
    this.miner = PairMiner.build(clip, dino, { floor: options.floor, kernel: this.kernel, onProgress: throttled(onProgress) });
    this.restored = undefined;
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
    const result = this.candidates().filter(options);
    const elapsedMs = performance.now() - start;
    const pairs = copyPairs(result.pairs);
    const nearDuplicates = copyPairs(result.nearDuplicates);
    return Comlink.transfer({ pairs, nearDuplicates, total: result.total, matchedBeforeCap: result.matchedBeforeCap, elapsedMs }, [...buffersOf(pairs), ...buffersOf(nearDuplicates)]);
  }

  sensitivityGrid(options: SensitivityGridOptions = {}): SensitivityGrid {
    // The grid is cached by the candidate set: send a copy.
    return structuredClone(this.candidates().sensitivityGrid(options));
  }

  setCategories(categories: Int32Array | undefined): void {
    this.candidates().setCategories(categories);
  }

  /** A copy of the candidate set alone: what IndexedDB keeps, without the unit matrices. */
  exportCandidates(): CandidateSetState {
    return this.candidates().exportState();
  }

  /** A copy of the whole state (plain typed arrays) for IndexedDB. */
  exportState(): MinerState {
    return this.current().exportState();
  }

  /**
   * Restores a stored candidate set for filtering; adding rows later needs a fresh build. The
   * margin order is derived here when the caller does not have it, off the page's thread.
   */
  importCandidates(state: Omit<CandidateSetState, 'marginOrder'> & { marginOrder?: Uint32Array }): MinerSummary {
    this.miner = undefined;
    this.restored = CandidateSet.fromState({ ...state, marginOrder: state.marginOrder ?? marginOrderOf(state.a, state.b, state.clip, state.dino) });
    this.lastMs = 0;
    return this.summary();
  }

  /** True when rows can be appended incrementally (a full state is loaded, not only candidates). */
  canAddRows(): boolean {
    return this.miner !== undefined;
  }

  importState(state: MinerState): MinerSummary {
    this.restored = undefined;
    this.miner = PairMiner.fromState(state);
    this.miner.kernel = this.kernel;
    this.lastMs = 0;
    return this.summary();
  }

  summary(): MinerSummary {
    const set = this.candidates();
    return {
      rows: set.rows,
      floor: set.floor,
      candidates: set.size,
      kernel: this.kernel === 'auto' && simdAvailable() ? 'wasm-simd' : 'js',
      elapsedMs: this.lastMs,
    };
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

Comlink.expose(new MinerHost());
