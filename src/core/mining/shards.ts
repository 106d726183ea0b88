/**
 * Shards and unions of candidate pairs. A shard computes the pairs of a slice of rows against all
 * rows; any batch engine can run the slices, and `candidatesFromPairs` puts parts (or the
 * directed lists of one run) back together into the same candidate set one run would build.
 */
import { CandidateSet } from './candidates.ts';
import { checkMatrix, normalizeRows, rowDot, type EmbeddingMatrix } from './matrix.ts';
import { ascendingKeyF32, identityPermutation, radixSortPermutation } from './radix.ts';
import { buildScreenLayout, PairList, planScreen, screenPairs } from './screen.ts';

/** Candidate pairs as parallel arrays, any order, duplicates allowed (the same pair from both directions). */
export interface PairRecords {
  a: Uint32Array;
  b: Uint32Array;
  clip: Float32Array;
  dino: Float32Array;
  /** k-NN rank of b in a's list (1 = nearest), 0 = not listed or not k-NN. */
  rankAB: Uint32Array;
  /** k-NN rank of a in b's list, 0 = not listed. */
  rankBA: Uint32Array;
}

/** A candidate set with the k-NN ranks of each candidate (indexed by candidate position). */
export interface KnnCandidates {
  set: CandidateSet;
  rankAB: Uint32Array;
  rankBA: Uint32Array;
}

/** A shard "i/n": index in [0, n). */
export interface Shard {
  index: number;
  count: number;
}

/** Parses "i/n" (0 <= i < n, as Spark partitions, Ray tasks and Kubernetes job indexes count); a sentence when it is not one. */
export function parseShard(text: string): Shard | string {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return `A shard is written i/n with 0 <= i < n (for example 0/4); got "${text}".`;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index >= count) return `Shard ${text}: the index must be at least 0 and below the count (0/${Math.max(1, count)} to ${Math.max(1, count) - 1}/${Math.max(1, count)}).`;
  return { index, count };
}

/**
 * Rows [start, end) of a shard. k-NN rows each cost one pass over all rows, so the slices are
 * equal; in all-pairs mode row i pairs with the i rows before it, so the boundaries split the
 * triangle into equal areas (round(N sqrt(s / n))).
 */
export function shardRows(rows: number, shard: Shard, mode: 'knn' | 'all-pairs'): { start: number; end: number } {
  const at = (s: number) => (mode === 'knn' ? Math.round((rows * s) / shard.count) : Math.round(rows * Math.sqrt(s / shard.count)));
  return { start: at(shard.index), end: at(shard.index + 1) };
}

/**
 * Sorts pairs into candidate order (CLIP descending, then a, then b), drops repeats of a pair
 * (keeping the ranks either copy knows) and builds the candidate set.
 */
export function candidatesFromPairs(rows: number, floor: number, pairs: PairRecords): KnnCandidates {
  const n = pairs.a.length;
  for (const key of ['b', 'clip', 'dino', 'rankAB', 'rankBA'] as const) {
    if (pairs[key].length !== n) throw new Error('The pair columns have different lengths; the pairs file is damaged, so write it again.');
  }
  for (let p = 0; p < n; p++) {
    if (!(pairs.a[p] < pairs.b[p] && pairs.b[p] < rows)) {
      throw new Error(`Pair ${p} (${pairs.a[p]}, ${pairs.b[p]}) is not two different images among ${rows} with a < b; the pairs file does not belong to these rows.`);
    }
  }
  const perm = identityPermutation(n);
  const scratch = new Uint32Array(n);
  radixSortPermutation(perm, pairs.b, scratch);
  radixSortPermutation(perm, pairs.a, scratch);
  const keys = new Uint32Array(n);
  for (let p = 0; p < n; p++) keys[p] = ~ascendingKeyF32(pairs.clip[p]) >>> 0;
  radixSortPermutation(perm, keys, scratch);
  let m = 0;
  const a = new Uint32Array(n);
  const b = new Uint32Array(n);
  const clip = new Float32Array(n);
  const dino = new Float32Array(n);
  const rankAB = new Uint32Array(n);
  const rankBA = new Uint32Array(n);
  for (let r = 0; r < n; r++) {
    const p = perm[r];
    if (m > 0 && a[m - 1] === pairs.a[p] && b[m - 1] === pairs.b[p]) {
      rankAB[m - 1] = Math.max(rankAB[m - 1], pairs.rankAB[p]);
      rankBA[m - 1] = Math.max(rankBA[m - 1], pairs.rankBA[p]);
      continue;
    }
    a[m] = pairs.a[p];
    b[m] = pairs.b[p];
    clip[m] = pairs.clip[p];
    dino[m] = pairs.dino[p];
    rankAB[m] = pairs.rankAB[p];
    rankBA[m] = pairs.rankBA[p];
    m++;
  }
  const set = new CandidateSet(rows, floor, a.slice(0, m), b.slice(0, m), clip.slice(0, m), dino.slice(0, m));
  return { set, rankAB: rankAB.slice(0, m), rankBA: rankBA.slice(0, m) };
}

/**
 * All-pairs candidates of a shard: every pair (j, i), j < i, with i in [start, end) and CLIP
 * similarity >= floor. The screen is the all-pairs miner's (planned on all rows, as a full build
 * plans it); each screened pair is then computed exactly as the miner computes it.
 */
export function allPairsSlice(clip: EmbeddingMatrix, dino: EmbeddingMatrix, floor: number, start: number, end: number, kernel: 'auto' | 'js' = 'auto'): KnnCandidates {
  checkMatrix(clip, 'CLIP-side');
  checkMatrix(dino, 'DINO-side');
  if (clip.rows !== dino.rows) {
    throw new Error(`The CLIP-side matrix has ${clip.rows} rows but the DINO-side one has ${dino.rows}; both need one row per image, in the same order.`);
  }
  if (!(floor > -1 && floor <= 1)) throw new Error(`The floor must be a similarity in (-1, 1]; got ${floor}.`);
  const clipUnit = normalizeRows(clip);
  const dinoUnit = normalizeRows(dino);
  const plan = planScreen(clipUnit, floor);
  const layout = buildScreenLayout(clipUnit, plan.order, plan.dims);
  const survivors = new PairList();
  screenPairs(layout, start, end, floor, survivors, undefined, kernel);
  const n = survivors.length;
  const out = { a: new Uint32Array(n), b: new Uint32Array(n), clip: new Float32Array(n), dino: new Float32Array(n), rankAB: new Uint32Array(n), rankBA: new Uint32Array(n) };
  const cd = clipUnit.dim;
  const dd = dinoUnit.dim;
  let k = 0;
  for (let s = 0; s < n; s++) {
    // PairList holds (earlier, later): the earlier row is a.
    const lo = survivors.i[s];
    const hi = survivors.j[s];
    // The miner's exact rule (engine.ts `refine`): float64 dot of unit rows, stored as float32.
    const sim = Math.fround(rowDot(clipUnit.data, lo * cd, clipUnit.data, hi * cd, cd));
    if (sim < floor) continue;
    out.a[k] = lo;
    out.b[k] = hi;
    out.clip[k] = sim;
    out.dino[k] = Math.fround(rowDot(dinoUnit.data, lo * dd, dinoUnit.data, hi * dd, dd));
    k++;
  }
  const trim = { a: out.a.subarray(0, k), b: out.b.subarray(0, k), clip: out.clip.subarray(0, k), dino: out.dino.subarray(0, k), rankAB: out.rankAB.subarray(0, k), rankBA: out.rankBA.subarray(0, k) };
  return candidatesFromPairs(clip.rows, floor, trim);
}

/** Thresholds of a mining run (the same for every shard of it). */
export interface PairFilter {
  clipMin: number;
  dinoMax: number;
  maxPerImage: number;
}

/** A candidate set's records, optionally only those at the thresholds (what a shard's part holds). */
export function recordsOf(c: KnnCandidates, filter?: { clipMin: number; dinoMax: number }): PairRecords {
  const { set } = c;
  const keep: number[] = [];
  for (let p = 0; p < set.size; p++) if (!filter || (set.clip[p] > filter.clipMin && set.dino[p] < filter.dinoMax)) keep.push(p);
  return {
    a: Uint32Array.from(keep, (p) => set.a[p]),
    b: Uint32Array.from(keep, (p) => set.b[p]),
    clip: Float32Array.from(keep, (p) => set.clip[p]),
    dino: Float32Array.from(keep, (p) => set.dino[p]),
    rankAB: Uint32Array.from(keep, (p) => c.rankAB[p]),
    rankBA: Uint32Array.from(keep, (p) => c.rankBA[p]),
  };
}

/** Concatenates the records of parts (repeats are dropped later by `candidatesFromPairs`). */
export function concatRecords(parts: PairRecords[]): PairRecords {
  const total = parts.reduce((s, p) => s + p.a.length, 0);
  const out: PairRecords = { a: new Uint32Array(total), b: new Uint32Array(total), clip: new Float32Array(total), dino: new Float32Array(total), rankAB: new Uint32Array(total), rankBA: new Uint32Array(total) };
  let at = 0;
  for (const part of parts) {
    out.a.set(part.a, at);
    out.b.set(part.b, at);
    out.clip.set(part.clip, at);
    out.dino.set(part.dino, at);
    out.rankAB.set(part.rankAB, at);
    out.rankBA.set(part.rankBA, at);
    at += part.a.length;
  }
  return out;
}

/**
 * The mined pairs in result order (margin descending, per-image cap applied) from the matching
 * records of one run or of all its shards: one run and merged shards go through this same step,
 * so their outputs are identical. The cap is greedy over the whole set, which is why shards
 * write the matches before the cap.
 */
export function finalPairs(rows: number, floor: number, records: PairRecords, filter: PairFilter): PairRecords {
  const c = candidatesFromPairs(rows, floor, records);
  const { pairs } = c.set.filter({ clipMin: filter.clipMin, dinoMax: filter.dinoMax, maxPerImage: filter.maxPerImage });
  return {
    a: pairs.a.slice(),
    b: pairs.b.slice(),
    clip: pairs.clip.slice(),
    dino: pairs.dino.slice(),
    rankAB: Uint32Array.from(pairs.index, (p) => c.rankAB[p]),
    rankBA: Uint32Array.from(pairs.index, (p) => c.rankBA[p]),
  };
}
