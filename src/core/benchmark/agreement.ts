/**
 * How closely the similarities computed here reproduce the ones a benchmark publishes: per
 * encoder, Pearson's r, the mean and largest absolute difference, and how many published pairs
 * are still confusing at the thresholds in use. The Benchmark tab's agreement panel and the
 * DINOv2 size comparison both summarise with these, so one number means one thing everywhere.
 *
 * Written here rather than taken from a statistics package: d3 (already a dependency) has no
 * correlation, and Pearson's r over a few hundred pairs is one pass of sums; a second dependency
 * for it would not pay for itself.
 */
import { normalizeInto, pairSimilarity, type EmbeddingMatrix } from '../mining/matrix.ts';
import { isConfusing } from '../mining/defaults.ts';

/** One pair's similarity as published beside the one computed here. */
export interface AgreementPoint {
  published: number;
  computed: number;
}

export interface AgreementSummary {
  /** Pairs with both a published and a computed similarity (finite). */
  pairs: number;
  /** Pearson's correlation coefficient; null under two pairs or when either side is constant. */
  pearson: number | null;
  /** Mean of |computed - published|; null without pairs. */
  meanAbsDifference: number | null;
  /** Largest |computed - published|; null without pairs. */
  maxAbsDifference: number | null;
}

/** Pearson's r and the absolute differences of the finite points (others are left out). */
export function summariseAgreement(points: readonly AgreementPoint[]): AgreementSummary {
  const finite = points.filter((p) => Number.isFinite(p.published) && Number.isFinite(p.computed));
  const n = finite.length;
  if (n === 0) return { pairs: 0, pearson: null, meanAbsDifference: null, maxAbsDifference: null };
  let sumAbs = 0;
  let maxAbs = 0;
  let meanX = 0;
  let meanY = 0;
  for (const p of finite) {
    const difference = Math.abs(p.computed - p.published);
    sumAbs += difference;
    maxAbs = Math.max(maxAbs, difference);
    meanX += p.computed;
    meanY += p.published;
  }
  meanX /= n;
  meanY /= n;
  // Centred sums (two passes) rather than the one-pass formula, which loses every digit when
  // similarities cluster near 0.9 and differ in the fourth decimal.
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const p of finite) {
    const dx = p.computed - meanX;
    const dy = p.published - meanY;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  const pearson = n >= 2 && sxx > 0 && syy > 0 ? Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy))) : null;
  return { pairs: n, pearson, meanAbsDifference: sumAbs / n, maxAbsDifference: maxAbs };
}

/** Computed similarities of a pair on both sides. */
export interface PairSimilarities {
  clip: number;
  dino: number;
}

/** How many pairs pass each side's threshold and both (the confusing rule), out of `pairs`. */
export interface ThresholdPasses {
  pairs: number;
  clip: number;
  dino: number;
  both: number;
}

/** Counts the pairs whose computed similarities still pass the thresholds (clip > clipMin, dino < dinoMax). */
export function countPasses(similarities: readonly PairSimilarities[], thresholds: { clipMin: number; dinoMax: number }): ThresholdPasses {
  const passes: ThresholdPasses = { pairs: 0, clip: 0, dino: 0, both: 0 };
  for (const s of similarities) {
    if (!Number.isFinite(s.clip) || !Number.isFinite(s.dino)) continue;
    passes.pairs++;
    if (s.clip > thresholds.clipMin) passes.clip++;
    if (s.dino < thresholds.dinoMax) passes.dino++;
    if (isConfusing(s.clip, s.dino, thresholds.clipMin, thresholds.dinoMax)) passes.both++;
  }
  return passes;
}

/** Stored embeddings of some images: the SHA-256 of each row and the rows (any norm). */
export interface HashedRows {
  rows: readonly string[];
  dim: number;
  matrix: Float32Array;
}

/**
 * The similarity of each hash pair, by the miner's rule (rows normalised in float64, float64 dot
 * in a fixed order, rounded to float32), so a pair gets the number the Pairs tab would show were
 * this encoder the chosen one. NaN where either image has no row.
 */
export function similaritiesOfPairs(stored: HashedRows, pairs: readonly (readonly [string, string])[]): Float32Array {
  const wanted = new Map<string, number>();
  for (const [a, b] of pairs) for (const hash of [a, b]) if (!wanted.has(hash)) wanted.set(hash, wanted.size);
  const rowOf = new Map<string, number>();
  stored.rows.forEach((hash, row) => rowOf.set(hash, row));
  const dim = Math.max(1, stored.dim);
  const unit: EmbeddingMatrix = { rows: wanted.size, dim, data: new Float32Array(wanted.size * dim) };
  const present = new Set<string>();
  for (const [hash, at] of wanted) {
    const row = rowOf.get(hash);
    if (row === undefined || stored.dim === 0) continue;
    const sum = normalizeInto(stored.matrix, row * stored.dim, stored.dim, unit.data, at * dim);
    if (Number.isFinite(sum) && sum > 0) present.add(hash);
  }
  const out = new Float32Array(pairs.length);
  pairs.forEach(([a, b], k) => {
    out[k] = present.has(a) && present.has(b) ? pairSimilarity(unit, wanted.get(a)!, wanted.get(b)!) : NaN;
  });
  return out;
}
