/**
 * What the views draw of a filtered candidate set, computed where the candidates live (the miner
 * worker, or Node): the counts, histogram and pair-space bins of the candidates and of the
 * confusing pairs, and one page of pairs. The page never receives the candidate set itself, so
 * every number a view shows comes from one selection and they cannot disagree.
 */
import type { CandidateSet, FilterOptions, PairArrays, Selection } from './candidates.ts';
import { MINING_DEFAULTS } from './defaults.ts';

/** How the views want the selection binned. */
export interface PairViewRequest extends Omit<FilterOptions, 'limit' | 'categories'> {
  /** Pairs materialised from the top of the list (the gallery's first page). */
  pageSize: number;
  /** Bars per histogram. */
  histogramBins: number;
  /** Pair-space density cells across (CLIP) and up (DINO). */
  densityColumns: number;
  densityRows: number;
  /** Candidates are sent as single points (not density) when the set has at most this many. */
  pointsUpTo: number;
  /** Lowest similarity of marks the page draws too (imported pairs), so the axes include them. */
  marksLowest?: { clip: number; dino: number };
}

/** Bins and page size the app's views draw with (one table, so every view and benchmark reads the same answer). */
export const VIEW_SHAPE = { pageSize: 500, histogramBins: 40, densityColumns: 64, densityRows: 48, pointsUpTo: 2000 } as const;

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
 * The bins of every candidate for one axis range and shape: per margin rank, its histogram bin on
 * each axis and its density cell (the sink index `bins` or `cells` when outside), and the counts
 * of all candidates. Computed once per key, so a slider move only counts codes.
 */
interface BinCodes {
  key: string;
  clipBin: Uint8Array | Uint16Array;
  dinoBin: Uint8Array | Uint16Array;
  cell: Uint16Array | Uint32Array;
  clip: Uint32Array;
  dino: Uint32Array;
  density: Uint32Array;
}

/** Axis ranges whose codes stay cached (about 4 bytes per candidate each: ~3.7 MB at 940k). */
const CODES_KEPT = 4;

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

  /** Everything the views draw for one request, from the selection `select` made with it. */
  view(request: PairViewRequest, selection: Selection): PairView {
    const set = this.set;
    const ranges = axisRanges(set.floor, this.lowest(), request.marksLowest);
    const { histogramBins: hb, densityColumns: cols, densityRows: rows } = request;
    const codes = this.codes(ranges, hb, cols, rows);
    // The hot loop of a slider move (up to ~450k pairs at N = 10k): three counters per pair, the
    // last slot of each a sink for pairs outside the axes.
    const clipConfusing = new Uint32Array(hb + 1);
    const dinoConfusing = new Uint32Array(hb + 1);
    const densityConfusing = new Uint32Array(cols * rows + 1);
    const { clipBin, dinoBin, cell } = codes;
    const ranks = selection.ranks;
    for (let i = 0; i < ranks.length; i++) {
      const r = ranks[i];
      clipConfusing[clipBin[r]]++;
      dinoConfusing[dinoBin[r]]++;
      densityConfusing[cell[r]]++;
    }
    let points: PairView['points'] = null;
    if (set.size <= request.pointsUpTo) {
      const confusing = new Uint8Array(set.size);
      for (let i = 0; i < ranks.length; i++) confusing[set.marginOrder[ranks[i]]] = 1;
      points = { clip: set.clip.slice(), dino: set.dino.slice(), confusing };
    }
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
      clipHistogram: { lo: cLo, hi: cHi, candidates: codes.clip.slice(), confusing: clipConfusing.subarray(0, hb) },
      dinoHistogram: { lo: dLo, hi: dHi, candidates: codes.dino.slice(), confusing: dinoConfusing.subarray(0, hb) },
      density: { columns: cols, rows, candidates: codes.density.slice(), confusing: densityConfusing.subarray(0, cols * rows) },
      points,
    };
  }

  private codes(ranges: { clip: [number, number]; dino: [number, number] }, hb: number, cols: number, rows: number): BinCodes {
    const key = JSON.stringify([ranges, hb, cols, rows]);
    const hit = this.cached.find((c) => c.key === key);
    if (hit) {
      // Most recently used first: a drag back and forth across an axis change reuses both.
      this.cached = [hit, ...this.cached.filter((c) => c !== hit)];
      return hit;
    }
    const { clip, dino } = this.set.byMargin();
    const n = clip.length;
    const cells = cols * rows;
    if (hb >= 65535) throw new Error(`A histogram of ${hb} bars is more than the views draw; ask for fewer than 65,535.`);
    const bins = hb < 255 ? () => new Uint8Array(n) : () => new Uint16Array(n);
    const out: BinCodes = {
      key,
      clipBin: bins(),
      dinoBin: bins(),
      cell: cells < 65535 ? new Uint16Array(n) : new Uint32Array(n),
      clip: new Uint32Array(hb),
      dino: new Uint32Array(hb),
      density: new Uint32Array(cells),
    };
    const [cLo, cHi] = ranges.clip;
    const [dLo, dHi] = ranges.dino;
    const [cSpan, dSpan] = [cHi - cLo, dHi - dLo];
    // binOf inlined (same arithmetic, so the same bins): each value's position along its axis
    // is computed once for its histogram bar and its density cell.
    for (let r = 0; r < n; r++) {
      const c = clip[r];
      const d = dino[r];
      const inClip = c >= cLo && c <= cHi;
      const inDino = d >= dLo && d <= dHi;
      const u = (c - cLo) / cSpan;
      const v = (d - dLo) / dSpan;
      const hc = inClip ? Math.min(hb - 1, Math.floor(u * hb)) : hb;
      const hd = inDino ? Math.min(hb - 1, Math.floor(v * hb)) : hb;
      const cell = inClip && inDino ? Math.min(rows - 1, Math.floor(v * rows)) * cols + Math.min(cols - 1, Math.floor(u * cols)) : cells;
      out.clipBin[r] = hc;
      out.dinoBin[r] = hd;
      out.cell[r] = cell;
      if (hc < hb) out.clip[hc]++;
      if (hd < hb) out.dino[hd]++;
      if (cell < cells) out.density[cell]++;
    }
    this.cached = [out, ...this.cached].slice(0, CODES_KEPT);
    return out;
  }
}

/** A copy that owns its buffers (the set's result buffers are reused by the next call). */
export function copyPairs(p: PairArrays): PairArrays {
  return { count: p.count, index: p.index.slice(), a: p.a.slice(), b: p.b.slice(), clip: p.clip.slice(), dino: p.dino.slice() };
}

/** The buffers of a pair list, for transferring it between threads. */
export function pairBuffers(p: PairArrays): ArrayBuffer[] {
  return [p.index, p.a, p.b, p.clip, p.dino].map((x) => x.buffer as ArrayBuffer);
}
