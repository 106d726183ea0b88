/**
 * The mining engine: from two embedding matrices with the same rows (CLIP side, DINO side) to
 * the candidate set of every pair whose CLIP cosine similarity reaches the floor, with its DINO
 * cosine similarity. Rows are normalised here. Adding rows later screens only the new block.
 */
import { CandidateSet, type CandidateSetState } from './candidates.ts';
import { MINING_DEFAULTS } from './defaults.ts';
import { checkMatrix, concatRows, normalizeRows, rowDot, type EmbeddingMatrix } from './matrix.ts';
import { ascendingKeyF32, identityPermutation, radixSortPermutation } from './radix.ts';
import { buildScreenLayout, PairList, planScreen, screenPairs, type ScreenLayout } from './screen.ts';
import { onDevice, screenPairsOnBlocks, type BlockScreenReport, type BlockSimilarityKernel } from './block-kernel.ts';

export const DEFAULT_FLOOR = MINING_DEFAULTS.floor;

export interface MinerOptions {
  /** Keep pairs with CLIP similarity >= floor (default 0.80). Filters cannot go below it. */
  floor?: number;
  /** Called after each block of rows with pairs done / pairs to do. */
  onProgress?: (done: number, total: number) => void;
  /** Screening kernel: WebAssembly SIMD where available ('auto', default) or plain JavaScript ('js'). */
  kernel?: 'auto' | 'js';
}

/** Everything needed to restore a miner (and keep adding rows) without recomputation. */
export interface MinerState {
  version: 1;
  floor: number;
  rows: number;
  clipDim: number;
  dinoDim: number;
  /** Unit rows, row-major. */
  clipUnit: Float32Array;
  dinoUnit: Float32Array;
  /** Screening plan, frozen at the first build so later additions screen the same way. */
  screenOrder: Uint32Array;
  screenDims: number;
  candidates: CandidateSetState;
}

function checkPair(clip: EmbeddingMatrix, dino: EmbeddingMatrix): void {
  checkMatrix(clip, 'CLIP-side');
  checkMatrix(dino, 'DINO-side');
  if (clip.rows !== dino.rows) {
    throw new Error(`The CLIP-side matrix has ${clip.rows} rows but the DINO-side one has ${dino.rows}; both need one row per image, in the same order.`);
  }
}

function checkFloor(floor: number): void {
  if (!(floor > -1 && floor <= 1)) throw new Error(`The floor must be a similarity in (-1, 1]; got ${floor}.`);
}

/** Exact similarities for the screened pairs; keeps those at or above the floor, sorted. */
function refine(
  survivors: PairList,
  clip: EmbeddingMatrix,
  dino: EmbeddingMatrix,
  floor: number,
): { a: Uint32Array; b: Uint32Array; clip: Float32Array; dino: Float32Array } {
  const n = survivors.length;
  const keepA = new Uint32Array(n);
  const keepB = new Uint32Array(n);
  const keepClip = new Float32Array(n);
  let k = 0;
  const cd = clip.dim;
  for (let s = 0; s < n; s++) {
    const a = survivors.i[s];
    const b = survivors.j[s];
    const sim = Math.fround(rowDot(clip.data, a * cd, clip.data, b * cd, cd));
    if (sim >= floor) {
      keepA[k] = a;
      keepB[k] = b;
      keepClip[k] = sim;
      k++;
    }
  }
  // Order: clip descending, then a, then b (least significant key sorted first).
  const perm = identityPermutation(k);
  const scratch = new Uint32Array(k);
  radixSortPermutation(perm, keepB, scratch);
  radixSortPermutation(perm, keepA, scratch);
  const keys = new Uint32Array(k);
  for (let c = 0; c < k; c++) keys[c] = ~ascendingKeyF32(keepClip[c]) >>> 0;
  radixSortPermutation(perm, keys, scratch);
  const out = { a: new Uint32Array(k), b: new Uint32Array(k), clip: new Float32Array(k), dino: new Float32Array(k) };
  const dd = dino.dim;
  for (let r = 0; r < k; r++) {
    const c = perm[r];
    out.a[r] = keepA[c];
    out.b[r] = keepB[c];
    out.clip[r] = keepClip[c];
    out.dino[r] = Math.fround(rowDot(dino.data, keepA[c] * dd, dino.data, keepB[c] * dd, dd));
  }
  return out;
}

function before(clipX: number, aX: number, bX: number, clipY: number, aY: number, bY: number): boolean {
  return clipX > clipY || (clipX === clipY && (aX < aY || (aX === aY && bX < bY)));
}

/** Merges two candidate lists sorted by (clip desc, a, b). */
function mergeSorted(x: CandidateSet, y: { a: Uint32Array; b: Uint32Array; clip: Float32Array; dino: Float32Array }) {
  const n = x.size + y.clip.length;
  const out = { a: new Uint32Array(n), b: new Uint32Array(n), clip: new Float32Array(n), dino: new Float32Array(n) };
  let i = 0;
  let j = 0;
  for (let r = 0; r < n; r++) {
    const takeX = j >= y.clip.length || (i < x.size && before(x.clip[i], x.a[i], x.b[i], y.clip[j], y.a[j], y.b[j]));
    const src = takeX ? x : y;
    const at = takeX ? i++ : j++;
    out.a[r] = src.a[at];
    out.b[r] = src.b[at];
    out.clip[r] = src.clip[at];
    out.dino[r] = src.dino[at];
  }
  return out;
}

export class PairMiner {
  readonly floor: number;
  /** Screening kernel for this miner's builds and additions. */
  kernel: 'auto' | 'js' = 'auto';
  /** What the last block-kernel screen did (undefined after a CPU-only build). */
  lastBlockScreen: BlockScreenReport | undefined;
  /** The block kernel holding this miner's unit CLIP rows, and how many. */
  private loadedOn: { kernel: BlockSimilarityKernel; rows: number } | undefined;
  private clip: EmbeddingMatrix;
  private dino: EmbeddingMatrix;
  private layout: ScreenLayout;
  private set: CandidateSet;
  /** Identifies this miner's rows to a block kernel (see `BlockSimilarityKernel.load`). */
  private readonly loadToken: object;

  private constructor(floor: number, clip: EmbeddingMatrix, dino: EmbeddingMatrix, layout: ScreenLayout, set: CandidateSet, loadToken: object = {}) {
    this.floor = floor;
    this.loadToken = loadToken;
    this.clip = clip;
    this.dino = dino;
    this.layout = layout;
    this.set = set;
  }

  /** Mines all pairs of the rows. The inputs are not modified and need not be normalised. */
  static build(clip: EmbeddingMatrix, dino: EmbeddingMatrix, options: MinerOptions = {}): PairMiner {
    const start = PairMiner.prepare(clip, dino, options);
    screenPairs(start.layout, 0, start.clipUnit.rows, start.floor, start.survivors, options.onProgress, start.kernel);
    return PairMiner.finish(start);
  }

  /**
   * Like `build`, but screens on a block kernel (an accelerator); the candidates are the same
   * as `build`'s because every screened pair is then computed exactly here. A device failure
   * rejects with a BlockKernelError (the caller may build on the CPU instead).
   */
  static async buildOnBlocks(blockKernel: BlockSimilarityKernel, clip: EmbeddingMatrix, dino: EmbeddingMatrix, options: MinerOptions = {}): Promise<PairMiner> {
    const start = PairMiner.prepare(clip, dino, options);
    const { clipUnit, layout, floor, survivors, kernel } = start;
    await onDevice(blockKernel, () => blockKernel.load(clipUnit, 0, start.loadToken));
    const report = await screenPairsOnBlocks(blockKernel, clipUnit, layout, 0, clipUnit.rows, floor, survivors, options.onProgress, kernel);
    const miner = PairMiner.finish(start);
    miner.loadedOn = { kernel: blockKernel, rows: clipUnit.rows };
    miner.lastBlockScreen = report;
    return miner;
  }

  private static prepare(clip: EmbeddingMatrix, dino: EmbeddingMatrix, options: MinerOptions) {
    const floor = options.floor ?? DEFAULT_FLOOR;
    checkFloor(floor);
    checkPair(clip, dino);
    const clipUnit = normalizeRows(clip);
    const dinoUnit = normalizeRows(dino);
    const plan = planScreen(clipUnit, floor);
    const layout = buildScreenLayout(clipUnit, plan.order, plan.dims);
    return { floor, clipUnit, dinoUnit, layout, survivors: new PairList(), kernel: options.kernel ?? 'auto', loadToken: {} };
  }

  private static finish(start: ReturnType<typeof PairMiner.prepare>): PairMiner {
    const { floor, clipUnit, dinoUnit, layout, survivors, kernel } = start;
    const found = refine(survivors, clipUnit, dinoUnit, floor);
    const set = new CandidateSet(clipUnit.rows, floor, found.a, found.b, found.clip, found.dino);
    const miner = new PairMiner(floor, clipUnit, dinoUnit, layout, set, start.loadToken);
    miner.kernel = kernel;
    return miner;
  }

  get rows(): number {
    return this.clip.rows;
  }

  get candidates(): CandidateSet {
    return this.set;
  }

  /** The unit (L2-normalised) matrices the pairs were mined from, for neighbours and ranks. */
  get unitMatrices(): { clip: EmbeddingMatrix; dino: EmbeddingMatrix } {
    return { clip: this.clip, dino: this.dino };
  }

  /**
   * Appends rows (new images, same order on both sides) and mines only the pairs that involve
   * them: the new M x N block and the M x M block among themselves. Returns the new candidates.
   */
  addRows(clip: EmbeddingMatrix, dino: EmbeddingMatrix, onProgress?: (done: number, total: number) => void): number {
    const oldRows = this.append(clip, dino);
    if (oldRows === this.clip.rows) return 0;
    const survivors = new PairList();
    screenPairs(this.layout, oldRows, this.clip.rows, this.floor, survivors, onProgress, this.kernel);
    return this.mergeSurvivors(survivors);
  }

  /** `addRows` screened on a block kernel; the same candidates as `addRows`. */
  async addRowsOnBlocks(blockKernel: BlockSimilarityKernel, clip: EmbeddingMatrix, dino: EmbeddingMatrix, onProgress?: (done: number, total: number) => void): Promise<number> {
    const before = { clip: this.clip, dino: this.dino, layout: this.layout };
    const oldRows = this.append(clip, dino);
    if (oldRows === this.clip.rows) return 0;
    const survivors = new PairList();
    try {
      // A kernel that holds this miner's rows needs only the new ones (CPU additions in between count as new).
      const held = this.loadedOn?.kernel === blockKernel ? Math.min(this.loadedOn.rows, oldRows) : 0;
      this.loadedOn = undefined;
      await onDevice(blockKernel, () => blockKernel.load(this.clip, held, this.loadToken));
      this.loadedOn = { kernel: blockKernel, rows: this.clip.rows };
      this.lastBlockScreen = await screenPairsOnBlocks(blockKernel, this.clip, this.layout, oldRows, this.clip.rows, this.floor, survivors, onProgress, this.kernel);
    } catch (error) {
      // The device failed: the miner stays as it was, so the caller can add the rows on the CPU.
      this.clip = before.clip;
      this.dino = before.dino;
      this.layout = before.layout;
      throw error;
    }
    return this.mergeSurvivors(survivors);
  }

  /** Appends normalised rows and their screen layout; returns the previous row count. */
  private append(clip: EmbeddingMatrix, dino: EmbeddingMatrix): number {
    checkPair(clip, dino);
    if (clip.dim !== this.clip.dim || dino.dim !== this.dino.dim) {
      throw new Error(
        `New rows have dimensions ${clip.dim} and ${dino.dim} but the mined ones have ${this.clip.dim} and ${this.dino.dim}; embed them with the same encoders.`,
      );
    }
    const oldRows = this.clip.rows;
    if (clip.rows === 0) return oldRows;
    const clipNew = normalizeRows(clip);
    this.clip = concatRows(this.clip, clipNew);
    this.dino = concatRows(this.dino, normalizeRows(dino));
    const extra = buildScreenLayout(clipNew, this.layout.order, this.layout.dims);
    const screen = new Float32Array(this.layout.screen.length + extra.screen.length);
    screen.set(this.layout.screen);
    screen.set(extra.screen, this.layout.screen.length);
    const rest = new Float64Array(this.clip.rows);
    rest.set(this.layout.rest);
    rest.set(extra.rest, oldRows);
    this.layout = { dims: this.layout.dims, order: this.layout.order, screen, rest };
    return oldRows;
  }

  /** Refines the screened pairs of new rows and merges them in; returns how many were added. */
  private mergeSurvivors(survivors: PairList): number {
    const found = refine(survivors, this.clip, this.dino, this.floor);
    const merged = mergeSorted(this.set, found);
    this.set = new CandidateSet(this.clip.rows, this.floor, merged.a, merged.b, merged.clip, merged.dino);
    return found.clip.length;
  }

  exportState(): MinerState {
    return {
      version: 1,
      floor: this.floor,
      rows: this.clip.rows,
      clipDim: this.clip.dim,
      dinoDim: this.dino.dim,
      clipUnit: this.clip.data,
      dinoUnit: this.dino.data,
      screenOrder: this.layout.order,
      screenDims: this.layout.dims,
      candidates: this.set.exportState(),
    };
  }

  static fromState(state: MinerState): PairMiner {
    if (state.version !== 1) throw new Error(`Stored mining state version ${String(state.version)} is not supported; mine again.`);
    const clip = { rows: state.rows, dim: state.clipDim, data: state.clipUnit };
    const dino = { rows: state.rows, dim: state.dinoDim, data: state.dinoUnit };
    checkPair(clip, dino);
    if (state.screenOrder.length !== state.clipDim || !(state.screenDims >= 1 && state.screenDims <= state.clipDim)) {
      throw new Error('The stored screening plan does not match the CLIP dimension; mine again.');
    }
    if (state.candidates.rows !== state.rows || state.candidates.floor !== state.floor) {
      throw new Error('The stored candidate set does not match the stored embeddings; mine again.');
    }
    const layout = buildScreenLayout(clip, state.screenOrder, state.screenDims);
    return new PairMiner(state.floor, clip, dino, layout, CandidateSet.fromState(state.candidates));
  }
}

/** The buffers of a state, for `postMessage` transfer lists. */
export function stateTransferables(state: MinerState): ArrayBuffer[] {
  const c = state.candidates;
  const buffers = [state.clipUnit, state.dinoUnit, state.screenOrder, c.a, c.b, c.clip, c.dino, c.marginOrder].map((x) => x.buffer as ArrayBuffer);
  return [...new Set(buffers)];
}
