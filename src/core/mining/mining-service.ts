/**
 * The miner as a service: builds and additions (through the kernel policy), the live filter as
 * the views need it (counts, bins and one page — never the candidate set), paging, neighbours,
 * ranks and the similarity of any two rows. The miner worker exposes exactly this class; Node
 * tests and the benchmark use it directly.
 */
import { CandidateSet, marginOrderOf, type CandidateSetState, type FilterOptions, type PairArrays, type Selection } from './candidates.ts';
import { PairMiner } from './engine.ts';
import type { SensitivityGrid, SensitivityGridOptions } from './grid.ts';
import { KernelPolicy, type GpuKernelFactory, type MinerKernel, type MinerKernelChoice } from './kernel-policy.ts';
import { normalizeRows, pairSimilarity, type EmbeddingMatrix } from './matrix.ts';
import { nearestRows, neighbourRank, type Neighbour } from './neighbours.ts';
import { PairViewer, copyPairs, type PairView, type PairViewRequest } from './pair-view.ts';

export interface MinerBuildOptions<G = unknown> {
  floor?: number;
  kernel?: MinerKernelChoice;
  /** GPU kernel settings (output capacity, rows per block, software adapters) for tests and the benchmark. */
  gpu?: G;
}

export interface MinerSummary {
  rows: number;
  floor: number;
  candidates: number;
  /** Which screening kernel ran: WebGPU, WebAssembly SIMD or the JavaScript fallback. */
  kernel: MinerKernel;
  /** The GPU adapter, when the kernel is 'webgpu'. */
  gpuAdapter?: string;
  /** Why WebGPU was not used, when the choice was 'auto' and it was not. */
  kernelNote?: string;
  /** GPU blocks whose output overflowed and were screened on the CPU in the last build or addition. */
  overflowBlocks?: number;
  /** Milliseconds the last build or addition took. */
  elapsedMs: number;
}

/** One answer to a view request; `version` names the selection that pages and lookups refer to. */
export interface PairViewAnswer {
  version: number;
  view: PairView;
  /** Milliseconds the selection and binning took inside the miner. */
  elapsedMs: number;
}

export interface PairRanks {
  clipAB: number;
  clipBA: number;
  dinoAB: number;
  dinoBA: number;
}

export type ProgressCallback = (done: number, total: number) => void;

export class MiningService<G = unknown> {
  private miner: PairMiner | undefined;
  /** Candidates restored from storage without a full miner: enough to filter, not to add rows. */
  private restored: CandidateSet | undefined;
  /** Unit matrices for neighbours, ranks and similarities (the miner's, or given after a restore). */
  private units: { clip: EmbeddingMatrix; dino: EmbeddingMatrix } | undefined;
  private viewer: { set: CandidateSet; viewer: PairViewer } | undefined;
  private categories: Int32Array | undefined;
  private readonly policy: KernelPolicy<G>;
  private lastMs = 0;
  private selection: { version: number; ranks: Uint32Array; set: CandidateSet } | undefined;
  private version = 0;
  /** Builds and additions await the GPU: later calls wait for them, in order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(createGpu?: GpuKernelFactory<G>) {
    this.policy = new KernelPolicy(createGpu);
  }

  /** Mines all pairs of the rows (normalised here). */
  build(clip: EmbeddingMatrix, dino: EmbeddingMatrix, options: MinerBuildOptions<G> = {}, onProgress?: ProgressCallback): Promise<MinerSummary> {
    return this.serial(async () => {
      this.policy.choose(options.kernel ?? 'auto', options.gpu);
      const start = performance.now();
      const progress = throttled(onProgress);
      const onGpu = await this.policy.onGpu((gpu) => PairMiner.buildOnBlocks(gpu, clip, dino, { floor: options.floor, onProgress: progress }));
      this.miner = onGpu ?? PairMiner.build(clip, dino, { floor: options.floor, kernel: this.policy.cpuKernel(), onProgress: progress });
      this.restored = undefined;
      this.units = this.miner.unitMatrices;
      this.afterNewSet();
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
      const onGpu = (await this.policy.onGpu((gpu) => miner.addRowsOnBlocks(gpu, clip, dino, progress))) !== undefined;
      if (!onGpu) miner.addRows(clip, dino, progress);
      this.units = miner.unitMatrices;
      this.afterNewSet();
      this.lastMs = performance.now() - start;
      return this.summary();
    });
  }

  /**
   * Restores a stored candidate set for filtering, with the rows' embeddings for neighbours and
   * similarities when given; adding rows later needs a fresh build.
   */
  importCandidates(state: Omit<CandidateSetState, 'marginOrder'> & { marginOrder?: Uint32Array }, units?: { clip: EmbeddingMatrix; dino: EmbeddingMatrix }): Promise<MinerSummary> {
    return this.serial(async () => {
      this.miner = undefined;
      this.restored = CandidateSet.fromState({ ...state, marginOrder: state.marginOrder ?? marginOrderOf(state.a, state.b, state.clip, state.dino) });
      this.units = units ? { clip: normalizeRows(units.clip), dino: normalizeRows(units.dino) } : undefined;
      this.afterNewSet();
      this.policy.restored();
      this.lastMs = 0;
      return this.summary();
    });
  }

  /** Category id per row (-1 unknown), for "same category only"; undefined clears them. */
  setCategories(categories: Int32Array | undefined): Promise<void> {
    return this.serial(async () => {
      this.categories = categories;
      this.candidates().setCategories(categories);
    });
  }

  /**
   * Everything the views draw at these thresholds: counts, bins and the first page. The selection
   * is kept (as `version`) so the page can ask for more of it.
   */
  view(request: PairViewRequest): Promise<PairViewAnswer> {
    return this.serial(async () => {
      const start = performance.now();
      const set = this.candidates();
      const viewer = this.viewerOf(set);
      const tally = viewer.tally(request);
      const selection = set.select(request, tally);
      const view = viewer.view(request, selection, tally);
      this.keep(selection, set);
      return { version: this.version, view, elapsedMs: performance.now() - start };
    });
  }

  /** Pairs `offset`.. of the selection `version` (null when a newer selection replaced it). */
  page(version: number, offset: number, limit: number): Promise<PairArrays | null> {
    return this.serial(async () => {
      const kept = this.selection;
      if (!kept || kept.version !== version) return null;
      return copyPairs(kept.set.materialise(kept.ranks, offset, offset + limit));
    });
  }

  /** Position of the pair of rows (a, b) in the selection `version`, or -1. */
  positionOf(version: number, a: number, b: number): Promise<number> {
    return this.serial(async () => {
      const kept = this.selection;
      if (!kept || kept.version !== version) return -1;
      const [lo, hi] = a < b ? [a, b] : [b, a];
      const m = kept.set.byMargin();
      for (let i = 0; i < kept.ranks.length; i++) if (m.a[kept.ranks[i]] === lo && m.b[kept.ranks[i]] === hi) return i;
      return -1;
    });
  }

  /** Position of the first pair of the selection `version` that contains `row`, or -1. */
  firstWith(version: number, row: number): Promise<number> {
    return this.serial(async () => {
      const kept = this.selection;
      if (!kept || kept.version !== version) return -1;
      const m = kept.set.byMargin();
      for (let i = 0; i < kept.ranks.length; i++) if (m.a[kept.ranks[i]] === row || m.b[kept.ranks[i]] === row) return i;
      return -1;
    });
  }

  /** The confusing pairs as parallel arrays (the CLI's and the tests' view; the app pages instead). */
  filter(options: FilterOptions = {}): Promise<{ pairs: PairArrays; nearDuplicates: PairArrays; total: number; matchedBeforeCap: number }> {
    return this.serial(async () => {
      // filter selects into the buffer the kept view selection reads: pages of it end here.
      this.selection = undefined;
      const result = this.candidates().filter(options);
      return { pairs: copyPairs(result.pairs), nearDuplicates: copyPairs(result.nearDuplicates), total: result.total, matchedBeforeCap: result.matchedBeforeCap };
    });
  }

  sensitivityGrid(options: SensitivityGridOptions = {}): Promise<SensitivityGrid> {
    // The grid is cached by the candidate set: send a copy.
    return this.serial(async () => structuredClone(this.candidates().sensitivityGrid(options)));
  }

  /** A copy of the candidate set alone: what IndexedDB keeps, without the unit matrices. */
  exportCandidates(): Promise<CandidateSetState> {
    return this.serial(async () => this.candidates().exportState());
  }

  /** The `k` nearest rows to `row` in each space. */
  neighbours(row: number, k: number): Promise<{ clip: Neighbour[]; dino: Neighbour[] }> {
    return this.serial(async () => {
      const u = this.unitsOrThrow();
      return { clip: nearestRows(u.clip, row, k), dino: nearestRows(u.dino, row, k) };
    });
  }

  /** Where each image of a pair ranks among the other's neighbours, in both spaces. */
  ranks(a: number, b: number): Promise<PairRanks> {
    return this.serial(async () => {
      const u = this.unitsOrThrow();
      return { clipAB: neighbourRank(u.clip, a, b), clipBA: neighbourRank(u.clip, b, a), dinoAB: neighbourRank(u.dino, a, b), dinoBA: neighbourRank(u.dino, b, a) };
    });
  }

  /** Similarities of row pairs given as [a0, b0, a1, b1, …], with the miner's rule; NaN for rows it lacks. */
  similarities(rowPairs: Uint32Array): Promise<{ clip: Float32Array; dino: Float32Array }> {
    return this.serial(async () => {
      const n = rowPairs.length >> 1;
      const out = { clip: new Float32Array(n).fill(Number.NaN), dino: new Float32Array(n).fill(Number.NaN) };
      const u = this.units;
      if (!u) return out;
      for (let p = 0; p < n; p++) {
        const [a, b] = [rowPairs[2 * p], rowPairs[2 * p + 1]];
        if (a >= u.clip.rows || b >= u.clip.rows) continue;
        out.clip[p] = pairSimilarity(u.clip, a, b);
        out.dino[p] = pairSimilarity(u.dino, a, b);
      }
      return out;
    });
  }

  summary(): MinerSummary {
    const set = this.candidates();
    const adapter = this.policy.adapterLabel();
    return {
      rows: set.rows,
      floor: set.floor,
      candidates: set.size,
      kernel: this.policy.used,
      ...(adapter ? { gpuAdapter: adapter, overflowBlocks: this.miner?.lastBlockScreen?.overflowBlocks ?? 0 } : {}),
      ...(this.policy.note !== undefined ? { kernelNote: this.policy.note } : {}),
      elapsedMs: this.lastMs,
    };
  }

  private afterNewSet(): void {
    this.selection = undefined;
    const set = this.candidates();
    if (this.categories && this.categories.length === set.rows) set.setCategories(this.categories);
    else this.categories = undefined;
  }

  private keep(selection: Selection, set: CandidateSet): void {
    this.version++;
    // The ranks are a view into the set's buffer, which only the next select overwrites: `filter`
    // forgets the kept selection, so the slider's hot path copies nothing.
    this.selection = { version: this.version, ranks: selection.ranks, set };
  }

  private viewerOf(set: CandidateSet): PairViewer {
    if (this.viewer?.set !== set) this.viewer = { set, viewer: new PairViewer(set) };
    return this.viewer.viewer;
  }

  private unitsOrThrow(): { clip: EmbeddingMatrix; dino: EmbeddingMatrix } {
    if (!this.units) throw new Error('The embeddings are still loading; try again in a moment.');
    return this.units;
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

/** Forwards progress at most every 100 ms (each call may cross threads). */
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
