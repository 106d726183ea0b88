/**
 * The candidate set: every pair whose CLIP-side similarity reaches the floor, in compact typed
 * arrays sorted by CLIP similarity (descending; ties by a, then b). Filtering at new thresholds
 * reads this order (binary search for the CLIP cut) and a precomputed margin order, so moving a
 * slider costs O(matching pairs) with no allocation.
 */
import { ascendingKeyF32, ascendingKeyF64, identityPermutation, radixSortPermutation } from './radix.ts';
import { MINING_DEFAULTS } from './defaults.ts';
import { computeSensitivityGrid, type SensitivityGrid, type SensitivityGridOptions } from './grid.ts';

/** Thresholds and controls for one re-mine. */
export interface FilterOptions {
  /** Keep pairs with CLIP similarity strictly above this (>= the floor). Default 0.90. */
  clipMin?: number;
  /** Keep pairs with DINO similarity strictly below this. Default 0.75. */
  dinoMax?: number;
  /** At most this many pairs per image, chosen greedily by margin; 0 = unlimited (default). */
  maxPerImage?: number;
  /** Move pairs with both similarities >= duplicateThreshold to `nearDuplicates`. Default true (see defaults.ts). */
  excludeNearDuplicates?: boolean;
  /** Default 0.97. */
  duplicateThreshold?: number;
  /** Keep only pairs whose two images share a known category (see `categories`). Default false. */
  sameCategoryOnly?: boolean;
  /** Category id per row, -1 = unknown; overrides the set given to `setCategories`. */
  categories?: Int32Array;
  /** Materialise only the first `limit` pairs (in order); `total` still counts them all. Default: all. */
  limit?: number;
}

/** Parallel arrays of pairs; views into buffers the next `filter` call reuses (copy to keep). */
export interface PairArrays {
  count: number;
  /** Candidate-set positions of the pairs. */
  index: Uint32Array;
  a: Uint32Array;
  b: Uint32Array;
  clip: Float32Array;
  dino: Float32Array;
}

export interface FilterResult {
  /** Confusing pairs (clip > clipMin, dino < dinoMax, after the controls), margin descending, ties by lower DINO. */
  pairs: PairArrays;
  /** Confusing pairs in all (pairs.count is smaller when `limit` cut the list). */
  total: number;
  /** Pairs that matched the thresholds and controls before the per-image cap removed some. */
  matchedBeforeCap: number;
  /** When near-duplicates are excluded: pairs with clip > clipMin and both similarities >= the duplicate threshold, CLIP descending. */
  nearDuplicates: PairArrays;
}

/** The candidate pairs in margin order. */
export interface MarginOrdered {
  a: Uint32Array;
  b: Uint32Array;
  clip: Float32Array;
  dino: Float32Array;
}

/** What `select` found: the kept pairs as margin ranks, in result order. */
export interface Selection {
  ranks: Uint32Array;
  /** Pairs that matched the thresholds and controls before the per-image cap removed some. */
  matchedBeforeCap: number;
  /** Pairs with clip > clipMin and dino < dinoMax, before any rule (what a sensitivity-grid cell counts). */
  byThresholdsAlone: number;
  /** Candidates with clip above the CLIP threshold (a prefix of the CLIP order). */
  clipPrefix: number;
  clipMin: number;
  excludeDup: boolean;
  dupAt: number;
  /** Whether the kept pairs were counted into the tally `select` was given. */
  tallied: boolean;
}

/** Per margin rank a cell, and counts (one more than the cells) that `select` adds the kept pairs to. */
export interface SelectTally {
  cell: Uint16Array | Uint32Array;
  counts: Uint32Array;
}

/** Plain typed arrays that restore a candidate set without recomputation (structured-clone and transfer friendly). */
export interface CandidateSetState {
  version: 1;
  rows: number;
  floor: number;
  a: Uint32Array;
  b: Uint32Array;
  clip: Float32Array;
  dino: Float32Array;
  marginOrder: Uint32Array;
}

/** The filter's defaults: the shared table (see defaults.ts). */
export const DEFAULT_FILTER = MINING_DEFAULTS;

function emptyPairs(): PairArrays {
  return { count: 0, index: new Uint32Array(0), a: new Uint32Array(0), b: new Uint32Array(0), clip: new Float32Array(0), dino: new Float32Array(0) };
}

class PairBuffers {
  index: Uint32Array;
  a: Uint32Array;
  b: Uint32Array;
  clip: Float32Array;
  dino: Float32Array;
  constructor(size: number) {
    this.index = new Uint32Array(size);
    this.a = new Uint32Array(size);
    this.b = new Uint32Array(size);
    this.clip = new Float32Array(size);
    this.dino = new Float32Array(size);
  }
  view(count: number): PairArrays {
    return {
      count,
      index: this.index.subarray(0, count),
      a: this.a.subarray(0, count),
      b: this.b.subarray(0, count),
      clip: this.clip.subarray(0, count),
      dino: this.dino.subarray(0, count),
    };
  }
}

/** Order of candidates by margin (clip - dino) descending, ties by lower DINO, then a, then b. */
export function marginOrderOf(a: Uint32Array, b: Uint32Array, clip: Float32Array, dino: Float32Array): Uint32Array {
  const n = clip.length;
  const perm = identityPermutation(n);
  const scratch = new Uint32Array(n);
  radixSortPermutation(perm, b, scratch);
  radixSortPermutation(perm, a, scratch);
  const keys = new Uint32Array(n * 2);
  for (let i = 0; i < n; i++) keys[i] = ascendingKeyF32(dino[i]);
  radixSortPermutation(perm, keys, scratch);
  for (let i = 0; i < n; i++) {
    ascendingKeyF64(clip[i] - dino[i], keys, 2 * i);
    keys[2 * i] = ~keys[2 * i] >>> 0; // descending margin
    keys[2 * i + 1] = ~keys[2 * i + 1] >>> 0;
  }
  radixSortPermutation(perm, keys, scratch, 2, 1);
  radixSortPermutation(perm, keys, scratch, 2, 0);
  return perm;
}

export class CandidateSet {
  /** Rows (images) the pairs index into. */
  readonly rows: number;
  /** Every pair with clip >= floor is present. */
  readonly floor: number;
  readonly a: Uint32Array;
  readonly b: Uint32Array;
  readonly clip: Float32Array;
  readonly dino: Float32Array;
  /** Candidate positions in margin order. */
  readonly marginOrder: Uint32Array;
  private categories: Int32Array | undefined;
  private marginRank: Uint32Array | undefined;
  /** The pairs again in margin order, so a re-mine reads memory sequentially. */
  private marginCopy: MarginOrdered | undefined;
  private scratch: Uint32Array | undefined;
  private out: PairBuffers | undefined;
  private dupOut: PairBuffers | undefined;
  private perImage: Uint32Array | undefined;
  private gridCache: { key: string; grid: SensitivityGrid } | undefined;

  constructor(rows: number, floor: number, a: Uint32Array, b: Uint32Array, clip: Float32Array, dino: Float32Array, marginOrder?: Uint32Array) {
    const n = clip.length;
    if (a.length !== n || b.length !== n || dino.length !== n || (marginOrder && marginOrder.length !== n)) {
      throw new Error('The candidate arrays have different lengths; the stored candidate set is damaged, so mine again.');
    }
    this.rows = rows;
    this.floor = floor;
    this.a = a;
    this.b = b;
    this.clip = clip;
    this.dino = dino;
    this.marginOrder = marginOrder ?? marginOrderOf(a, b, clip, dino);
  }

  get size(): number {
    return this.clip.length;
  }

  /** Category id per row (-1 = unknown), used by `sameCategoryOnly`. */
  setCategories(categories: Int32Array | undefined): void {
    if (categories && categories.length !== this.rows) {
      throw new Error(`Categories were given for ${categories.length} images but the set has ${this.rows}; give one per image (-1 when unknown).`);
    }
    this.categories = categories;
  }

  /** Number of candidates with clip strictly above `threshold` (they form a prefix). */
  countAbove(threshold: number): number {
    const clip = this.clip;
    let lo = 0;
    let hi = clip.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (clip[mid] > threshold) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Number of candidates with clip >= `threshold`. */
  countAtLeast(threshold: number): number {
    const clip = this.clip;
    let lo = 0;
    let hi = clip.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (clip[mid] >= threshold) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The confusing pairs at these thresholds and controls as margin ranks (positions in the
   * margin-ordered arrays of `byMargin()`), in result order, without materialising them: what
   * the views need (counts, bins, one page) costs one pass over the matches. The ranks are a
   * view into a buffer the next call reuses. Given a tally, the plain pass (no cap, no rule that
   * can apply) also counts each kept pair's cell, so the views need no second pass.
   */
  select(options: FilterOptions = {}, tally?: SelectTally): Selection {
    const clipMin = options.clipMin ?? DEFAULT_FILTER.clipMin;
    const dinoMax = options.dinoMax ?? DEFAULT_FILTER.dinoMax;
    const maxPerImage = options.maxPerImage ?? DEFAULT_FILTER.maxPerImage;
    const excludeDuplicates = options.excludeNearDuplicates ?? DEFAULT_FILTER.excludeNearDuplicates;
    const dupAt = options.duplicateThreshold ?? DEFAULT_FILTER.duplicateThreshold;
    const sameCategory = options.sameCategoryOnly ?? DEFAULT_FILTER.sameCategoryOnly;
    const categories = options.categories ?? this.categories;
    if (!(clipMin >= this.floor)) {
      throw new Error(
        `The CLIP threshold ${clipMin} is below the mining floor ${this.floor}; pairs under the floor were not kept, so lower the floor and mine again.`,
      );
    }
    if (Number.isNaN(dinoMax)) throw new Error('The DINO threshold must be a number.');
    if (!Number.isInteger(maxPerImage) || maxPerImage < 0) throw new Error('The per-image cap must be a whole number >= 0 (0 means no cap).');
    if (sameCategory && !categories) throw new Error('"Same category only" needs a category per image; set categories first.');
    if (categories && categories.length !== this.rows) {
      throw new Error(`Categories were given for ${categories.length} images but the set has ${this.rows}; give one per image (-1 when unknown).`);
    }

    const size = this.size;
    const m = this.byMargin();
    const prefix = this.countAbove(clipMin);
    const ranks = (this.scratch ??= new Uint32Array(size));
    const { a, b, clip, dino } = m;
    const category = sameCategory ? categories : undefined;
    // Below the duplicate threshold on DINO, no match can be a near-duplicate: the rule cannot
    // change the result, so the plain pass runs (the default thresholds take this path).
    const excludeDup = excludeDuplicates && dinoMax > dupAt;
    let kept = 0;
    let alone = 0;
    let tallied = false;
    if (prefix * 16 < size) {
      // Few pairs above the CLIP cut: gather their margin ranks, sort those numbers natively, then test.
      const rank = this.marginRanks();
      let gathered = 0;
      for (let c = 0; c < prefix; c++) ranks[gathered++] = rank[c];
      ranks.subarray(0, gathered).sort();
      for (let i = 0; i < gathered; i++) {
        const r = ranks[i];
        if (dino[r] >= dinoMax) continue;
        alone++;
        if (this.passes(r, dinoMax, excludeDup, dupAt, category)) ranks[kept++] = r;
      }
    } else {
      // Every match has margin clip - dino > clipMin - dinoMax, and margin ranks run down the
      // margins, so the scan stops at the first rank below that bound: exact, and it skips the
      // tail of the set on every slider move. (Rounded, the bound can only tie: hence >=.)
      const end = this.marginPrefix(clipMin - dinoMax);
      if (!excludeDup && !category && tally && maxPerImage === 0) {
        // The plain slider move, counted as it goes.
        const { cell, counts } = tally;
        for (let r = 0; r < end; r++) {
          if (clip[r] > clipMin && dino[r] < dinoMax) {
            ranks[kept++] = r;
            counts[cell[r]]++;
          }
        }
        alone = kept;
        tallied = true;
      } else if (!excludeDup && !category) {
        // The plain slider move: one sequential pass, no rule checks.
        for (let r = 0; r < end; r++) if (clip[r] > clipMin && dino[r] < dinoMax) ranks[kept++] = r;
        alone = kept;
      } else {
        for (let r = 0; r < end; r++) {
          const c = clip[r];
          const d = dino[r];
          if (!(c > clipMin && d < dinoMax)) continue;
          alone++;
          if (excludeDup && d >= dupAt && c >= dupAt) continue;
          if (category) {
            const ca = category[a[r]];
            if (ca < 0 || ca !== category[b[r]]) continue;
          }
          ranks[kept++] = r;
        }
      }
    }
    const matched = kept;
    let count = matched;
    if (maxPerImage > 0) {
      const used = (this.perImage ??= new Uint32Array(this.rows));
      used.fill(0);
      count = 0;
      for (let i = 0; i < matched; i++) {
        const r = ranks[i];
        if (used[a[r]] < maxPerImage && used[b[r]] < maxPerImage) {
          used[a[r]]++;
          used[b[r]]++;
          ranks[count++] = r;
        }
      }
    }
    return { ranks: ranks.subarray(0, count), matchedBeforeCap: matched, byThresholdsAlone: alone, clipPrefix: prefix, clipMin, excludeDup: excludeDuplicates, dupAt, tallied };
  }

  /** Pairs `from`..`to` of a selection as parallel arrays (a view into a reused buffer). */
  materialise(ranks: Uint32Array, from = 0, to = ranks.length): PairArrays {
    const count = Math.max(0, Math.min(to, ranks.length) - from);
    const out = (this.out ??= new PairBuffers(this.size));
    const m = this.byMargin();
    const marginOrder = this.marginOrder;
    for (let i = 0; i < count; i++) {
      const r = ranks[from + i];
      out.index[i] = marginOrder[r];
      out.a[i] = m.a[r];
      out.b[i] = m.b[r];
      out.clip[i] = m.clip[r];
      out.dino[i] = m.dino[r];
    }
    return out.view(count);
  }

  /** Pairs with clip > clipMin and both similarities >= the duplicate threshold, CLIP descending. */
  nearDuplicates(selection: Selection): PairArrays {
    if (!selection.excludeDup) return emptyPairs();
    const { a, b, clip, dino } = this;
    const dupAt = selection.dupAt;
    const dup = (this.dupOut ??= new PairBuffers(this.size));
    const end = Math.min(selection.clipPrefix, this.countAtLeast(dupAt));
    let k = 0;
    for (let c = 0; c < end; c++) {
      if (dino[c] < dupAt) continue;
      dup.index[k] = c;
      dup.a[k] = a[c];
      dup.b[k] = b[c];
      dup.clip[k] = clip[c];
      dup.dino[k] = dino[c];
      k++;
    }
    return dup.view(k);
  }

  filter(options: FilterOptions = {}): FilterResult {
    const limit = options.limit ?? Infinity;
    if (!(limit >= 0)) throw new Error('The result limit must be a number >= 0.');
    const selection = this.select(options);
    const total = selection.ranks.length;
    return {
      pairs: this.materialise(selection.ranks, 0, Math.min(total, limit)),
      total,
      matchedBeforeCap: selection.matchedBeforeCap,
      nearDuplicates: this.nearDuplicates(selection),
    };
  }

  /**
   * Confusing-pair counts (clip > clipMin, dino < dinoMax; no caps or exclusions) over a grid of
   * thresholds, for the heat map. Cached per grid shape.
   */
  sensitivityGrid(options: SensitivityGridOptions = {}): SensitivityGrid {
    const key = JSON.stringify(options);
    if (this.gridCache?.key === key) return this.gridCache.grid;
    const grid = computeSensitivityGrid(this.clip, this.dino, this.floor, options);
    this.gridCache = { key, grid };
    return grid;
  }

  exportState(): CandidateSetState {
    return { version: 1, rows: this.rows, floor: this.floor, a: this.a, b: this.b, clip: this.clip, dino: this.dino, marginOrder: this.marginOrder };
  }

  static fromState(state: CandidateSetState): CandidateSet {
    if (state.version !== 1) throw new Error(`Stored candidate set version ${String(state.version)} is not supported; mine again.`);
    const set = new CandidateSet(state.rows, state.floor, state.a, state.b, state.clip, state.dino, state.marginOrder);
    for (let c = 0; c < set.size; c++) {
      if (set.a[c] >= set.b[c] || set.b[c] >= set.rows) throw new Error('The stored candidate set refers to images it does not have; mine again.');
    }
    return set;
  }

  /** The rules after the CLIP cut, for the pair at margin rank r. */
  private passes(r: number, dinoMax: number, excludeDup: boolean, dupAt: number, categories: Int32Array | undefined): boolean {
    const m = this.byMargin();
    const d = m.dino[r];
    if (d >= dinoMax) return false;
    if (excludeDup && d >= dupAt && m.clip[r] >= dupAt) return false;
    if (categories) {
      const ca = categories[m.a[r]];
      if (ca < 0 || ca !== categories[m.b[r]]) return false;
    }
    return true;
  }

  /** The pairs again in margin order (what `select` ranks index), built once. */
  byMargin(): MarginOrdered {
    if (!this.marginCopy) {
      const n = this.size;
      const m = { a: new Uint32Array(n), b: new Uint32Array(n), clip: new Float32Array(n), dino: new Float32Array(n) };
      const order = this.marginOrder;
      for (let r = 0; r < n; r++) {
        const c = order[r];
        m.a[r] = this.a[c];
        m.b[r] = this.b[c];
        m.clip[r] = this.clip[c];
        m.dino[r] = this.dino[c];
      }
      this.marginCopy = m;
    }
    return this.marginCopy;
  }

  /** Margin ranks whose margin (clip - dino, as marginOrderOf computes it) is at least `bound`: a prefix. */
  private marginPrefix(bound: number): number {
    const { clip, dino } = this.byMargin();
    let lo = 0;
    let hi = clip.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (clip[mid] - dino[mid] >= bound) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private marginRanks(): Uint32Array {
    if (!this.marginRank) {
      const rank = new Uint32Array(this.size);
      for (let r = 0; r < rank.length; r++) rank[this.marginOrder[r]] = r;
      this.marginRank = rank;
    }
    return this.marginRank;
  }
}
