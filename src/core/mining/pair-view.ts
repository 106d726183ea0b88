/**
 * What the views draw of a filtered candidate set, computed where the candidates live (the miner
 * worker, or Node): the counts, histogram and pair-space bins of the candidates and of the
 * confusing pairs, and one page of pairs. The page never receives the candidate set itself, so
 * every number a view shows comes from one selection and they cannot disagree.
 */
import type { CandidateSet, FilterOptions, PairArrays, SelectTally, Selection } from './candidates.ts';
import { MINING_DEFAULTS } from './defaults.ts';
import { countBelow } from './grid.ts';

/** How the views want the selection binned. */
export interface PairViewRequest extends Omit<FilterOptions, 'limit' | 'categories'> {
  /** Pairs materialised from the top of the list (the gallery's first page). */
  pageSize: number;
  /** Bars per histogram. */
  histogramBins: number;
  /** Pair-space density cells across (CLIP) and up (DINO): power-of-two multiples of `histogramBins`. */
  densityColumns: number;
  densityRows: number;
  /** Candidates are sent as single points (not density) when the set has at most this many. */
  pointsUpTo: number;
  /** Lowest similarity of marks the page draws too (imported pairs), so the axes include them. */
  marksLowest?: { clip: number; dino: number };
}

/** Bins and page size the app's views draw with (one table, so every view and benchmark reads the same answer). */
export const VIEW_SHAPE = { pageSize: 500, histogramBins: 40, densityColumns: 80, densityRows: 40, pointsUpTo: 2000 } as const;

/** Counts per bin over [lo, hi]: bin k covers [lo + k·w, lo + (k+1)·w), the last one includes hi. */
export interface Bins {
  lo: number;
  hi: number;
  candidates: Uint32Array;
  confusing: Uint32Array;
}

export interface PairView {
  /** Candidates in the set (every pair at or above the floor). */
  candidates: number;
  /** Confusing pairs after every rule (the one number shown everywhere). */
  total: number;
  /** Pairs passing thresholds and rules before the per-image cap. */
  matchedBeforeCap: number;
  /** Pairs passing the thresholds alone (what a sensitivity-grid cell counts). */
  byThresholdsAlone: number;
  /** Pairs moved aside as near-duplicates (when excluded). */
  nearDuplicates: number;
  /** The first `pageSize` confusing pairs, in list order. */
  page: PairArrays;
  /** Axis ranges shared by the histograms and the pair-space plot. */
  clipRange: [number, number];
  dinoRange: [number, number];
  clipHistogram: Bins;
  dinoHistogram: Bins;
  /** Pair-space density: cell (column, row) at row * columns + column, row 0 at the lowest DINO. */
  density: { columns: number; rows: number; candidates: Uint32Array; confusing: Uint32Array };
  /** Every candidate as a point when the set is small; `confusing[c]` is 1 for pairs in the list. */
  points: { clip: Float32Array; dino: Float32Array; confusing: Uint8Array } | null;
}

/**
 * Axis ranges: from a rounded value below the floor (CLIP) or below the lowest candidate and the
 * default DINO threshold (DINO), and any marks, to 1. They do not follow the thresholds, so a
 * slider move never re-bins the candidates; a threshold outside an axis is drawn at its edge.
 */
export function axisRanges(
  floor: number,
  lowest: { clip: number; dino: number },
  marksLowest: { clip: number; dino: number } = { clip: 1, dino: 1 },
): { clip: [number, number]; dino: [number, number] } {
  const clipLo = Math.floor(Math.min(floor - 0.02, marksLowest.clip - 0.01) * 50) / 50;
  const dinoLo = Math.floor(Math.min(lowest.dino, MINING_DEFAULTS.dinoMax - 0.05, marksLowest.dino - 0.02) * 20) / 20;
  return { clip: [Math.max(-1, clipLo), 1], dino: [Math.max(-1, dinoLo), 1] };
}

/** Bin of `value` among `bins` equal bins over [lo, hi]; -1 outside. */
export function binOf(value: number, lo: number, hi: number, bins: number): number {
  if (!(value >= lo && value <= hi)) return -1;
  const k = Math.floor(((value - lo) / (hi - lo)) * bins);
  return k >= bins ? bins - 1 : k;
}

/**
 * The bins of every candidate for one axis range and shape, computed once per key so a slider
 * move only counts: per margin rank its density cell (`cells`, the sink, when outside the axes),
 * and the counts of all candidates. Histogram bars are sums of density columns (CLIP) or rows
 * (DINO): the grid is a power-of-two multiple of the bars, so the sums are exactly binOf's bars.
 * The rare candidates outside the grid (a similarity a hair above 1) keep their own bars.
 */
interface BinCodes {
  key: string;
  ranges: { clip: [number, number]; dino: [number, number] };
  cell: Uint16Array | Uint32Array;
  /** Density columns per CLIP bar and rows per DINO bar, as shifts. */
  columnShift: number;
  rowShift: number;
  outside: { ranks: number[]; clipBar: number[]; dinoBar: number[] };
  clip: Uint32Array;
  dino: Uint32Array;
  density: Uint32Array;
}

/** Axis ranges whose codes stay cached (2 bytes per candidate each: ~1.9 MB at 940k). */
const CODES_KEPT = 4;

/** log2 of `multiple / of` when it is a power of two >= 1; else -1. */
function powerOfTwoShift(multiple: number, of: number): number {
  const ratio = multiple / of;
  if (!Number.isInteger(ratio) || ratio < 1 || (ratio & (ratio - 1)) !== 0) return -1;
  return Math.log2(ratio);
}

/** Bins of the candidates (threshold-independent, cached) and of each selection. */
export class PairViewer {
  private cached: BinCodes[] = [];
  private lowestCache: { clip: number; dino: number } | undefined;

  constructor(private readonly set: CandidateSet) {}

  /** Lowest CLIP and DINO similarity among the candidates (1 when there are none). */
  lowest(): { clip: number; dino: number } {
    if (!this.lowestCache) {
      let [c, d] = [1, 1];
      const { clip, dino } = this.set;
      for (let i = 0; i < clip.length; i++) {
        if (clip[i] < c) c = clip[i];
        if (dino[i] < d) d = dino[i];
      }
      this.lowestCache = { clip: c, dino: d };
    }
    return this.lowestCache;
  }

  /** Cells and fresh counts for `select` to fill while it selects (see `view`). */
  tally(request: PairViewRequest): SelectTally {
    const codes = this.codesFor(request);
    return { cell: codes.cell, counts: new Uint32Array(codes.density.length + 1) };
  }

  /**
   * Everything the views draw for one request, from the selection `select` made with it (and
   * the tally it filled, when it was given one).
   */
  view(request: PairViewRequest, selection: Selection, tally?: SelectTally): PairView {
    const set = this.set;
    const codes = this.codesFor(request);
    const { histogramBins: hb, densityColumns: cols, densityRows: rows } = request;
    const cells = cols * rows;
    const ranks = selection.ranks;
    let counts: Uint32Array;
    if (tally && selection.tallied && tally.cell === codes.cell) counts = tally.counts;
    else {
      // The hot loop of a capped or ruled selection: one counter per pair.
      counts = new Uint32Array(cells + 1);
      const cell = codes.cell;
      for (let i = 0; i < ranks.length; i++) counts[cell[ranks[i]]]++;
    }
    const densityConfusing = counts.subarray(0, cells);
    const clipConfusing = new Uint32Array(hb);
    const dinoConfusing = new Uint32Array(hb);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        const n = densityConfusing[y * cols + x];
        clipConfusing[x >> codes.columnShift] += n;
        dinoConfusing[y >> codes.rowShift] += n;
      }
    }
    const outside = codes.outside;
    for (let k = 0; k < outside.ranks.length; k++) {
      if (!contains(ranks, outside.ranks[k])) continue;
      if (outside.clipBar[k] >= 0) clipConfusing[outside.clipBar[k]]++;
      if (outside.dinoBar[k] >= 0) dinoConfusing[outside.dinoBar[k]]++;
    }
    let points: PairView['points'] = null;
    if (set.size <= request.pointsUpTo) {
      const confusing = new Uint8Array(set.size);
      for (let i = 0; i < ranks.length; i++) confusing[set.marginOrder[ranks[i]]] = 1;
      points = { clip: set.clip.slice(), dino: set.dino.slice(), confusing };
    }
    const { ranges } = codes;
    const [cLo, cHi] = ranges.clip;
    const [dLo, dHi] = ranges.dino;
    return {
      candidates: set.size,
      total: ranks.length,
      matchedBeforeCap: selection.matchedBeforeCap,
      byThresholdsAlone: selection.byThresholdsAlone,
      nearDuplicates: set.nearDuplicates(selection).count,
      page: copyPairs(set.materialise(ranks, 0, request.pageSize)),
      clipRange: ranges.clip,
      dinoRange: ranges.dino,
      clipHistogram: { lo: cLo, hi: cHi, candidates: codes.clip.slice(), confusing: clipConfusing },
      dinoHistogram: { lo: dLo, hi: dHi, candidates: codes.dino.slice(), confusing: dinoConfusing },
      density: { columns: cols, rows, candidates: codes.density.slice(), confusing: densityConfusing.slice() },
      points,
    };
  }

  private codesFor(request: PairViewRequest): BinCodes {
    const ranges = axisRanges(this.set.floor, this.lowest(), request.marksLowest);
    const { histogramBins: hb, densityColumns: cols, densityRows: rows } = request;
    const key = JSON.stringify([ranges, hb, cols, rows]);
    const hit = this.cached.find((c) => c.key === key);
    if (hit) {
      // Most recently used first: imported marks that widen the axes and back reuse both.
      this.cached = [hit, ...this.cached.filter((c) => c !== hit)];
      return hit;
    }
    const columnShift = powerOfTwoShift(cols, hb);
    const rowShift = powerOfTwoShift(rows, hb);
    if (columnShift < 0 || rowShift < 0) {
      throw new Error(`The density grid (${cols} x ${rows}) must be a power-of-two multiple of the ${hb} histogram bars on both axes, so both views count the same pairs.`);
    }
    const { clip, dino } = this.set.byMargin();
    const n = clip.length;
    const cells = cols * rows;
    const out: BinCodes = {
      key,
      ranges,
      cell: cells < 65535 ? new Uint16Array(n) : new Uint32Array(n),
      columnShift,
      rowShift,
      outside: { ranks: [], clipBar: [], dinoBar: [] },
      clip: new Uint32Array(hb),
      dino: new Uint32Array(hb),
      density: new Uint32Array(cells),
    };
    const [cLo, cHi] = ranges.clip;
    const [dLo, dHi] = ranges.dino;
    const [cSpan, dSpan] = [cHi - cLo, dHi - dLo];
    // binOf inlined (the same arithmetic, so the same cells and bars).
    for (let r = 0; r < n; r++) {
      const c = clip[r];
      const d = dino[r];
      const inClip = c >= cLo && c <= cHi;
      const inDino = d >= dLo && d <= dHi;
      if (inClip && inDino) {
        const x = Math.min(cols - 1, Math.floor(((c - cLo) / cSpan) * cols));
        const y = Math.min(rows - 1, Math.floor(((d - dLo) / dSpan) * rows));
        out.cell[r] = y * cols + x;
        out.density[y * cols + x]++;
        continue;
      }
      out.cell[r] = cells;
      const clipBar = binOf(c, cLo, cHi, hb);
      const dinoBar = binOf(d, dLo, dHi, hb);
      out.outside.ranks.push(r);
      out.outside.clipBar.push(clipBar);
      out.outside.dinoBar.push(dinoBar);
    }
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        out.clip[x >> columnShift] += out.density[y * cols + x];
        out.dino[y >> rowShift] += out.density[y * cols + x];
      }
    }
    for (let k = 0; k < out.outside.ranks.length; k++) {
      if (out.outside.clipBar[k] >= 0) out.clip[out.outside.clipBar[k]]++;
      if (out.outside.dinoBar[k] >= 0) out.dino[out.outside.dinoBar[k]]++;
    }
    this.cached = [out, ...this.cached].slice(0, CODES_KEPT);
    return out;
  }
}

/** Whether the ascending `sorted` holds `value` (binary search). */
function contains(sorted: Uint32Array, value: number): boolean {
  const at = countBelow(sorted, value);
  return at < sorted.length && sorted[at] === value;
}

/** A copy that owns its buffers (the set's result buffers are reused by the next call). */
export function copyPairs(p: PairArrays): PairArrays {
  return { count: p.count, index: p.index.slice(), a: p.a.slice(), b: p.b.slice(), clip: p.clip.slice(), dino: p.dino.slice() };
}

/** The buffers of a pair list, for transferring it between threads. */
export function pairBuffers(p: PairArrays): ArrayBuffer[] {
  return [p.index, p.a, p.b, p.clip, p.dino].map((x) => x.buffer as ArrayBuffer);
}
