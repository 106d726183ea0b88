/**
 * The one table of mining defaults. The app's session, the miner, the CLI and the benchmark all
 * read it, so the same thresholds give the same pairs everywhere.
 *
 * Near-duplicates are excluded by default at 0.97: a pair both encoders find nearly identical is
 * the same figure twice, not a blind spot. With MediConfusion's thresholds (DINO < 0.75) the rule
 * never fires, so the default reproduces the paper's rule exactly; it matters only when the DINO
 * threshold is raised above 0.97.
 */
export const MINING_DEFAULTS = {
  /** Candidate floor: pairs with CLIP similarity below it are never kept. */
  floor: 0.8,
  clipMin: 0.9,
  dinoMax: 0.75,
  /** 0 = no per-image cap. */
  maxPerImage: 0,
  excludeNearDuplicates: true,
  duplicateThreshold: 0.97,
  sameCategoryOnly: false,
} as const;

/**
 * The confusing rule itself: CLIP similarity strictly above its threshold and DINO similarity
 * strictly below its own. Views that count a quadrant and the agreement summary call it; the
 * candidate set applies the same comparisons in its sorted scan.
 */
export function isConfusing(clip: number, dino: number, clipMin: number, dinoMax: number): boolean {
  return clip > clipMin && dino < dinoMax;
}

/** Thresholds move in steps of 0.001: what the labels show is exactly what the filter uses. */
export const THRESHOLD_STEP = 0.001;

/** The one rounding rule for thresholds (sliders, draggable lines, presets, CLI options). */
export function roundThreshold(value: number): number {
  // `+ 0` turns -0 into 0, so a rounded threshold prints as "0.000", never "-0.000".
  return Math.round(value * 1000) / 1000 + 0;
}

/**
 * A similarity as text with three decimals, or more when three would print the threshold it is
 * compared with: 0.7496 shown against "< 0.750" reads "0.7496", never "0.750", so a displayed
 * value never sits on the wrong side of a displayed threshold.
 */
export function formatSimilarity(value: number, threshold?: number): string {
  if (!Number.isFinite(value)) return '–';
  let digits = 3;
  if (threshold !== undefined && value !== threshold) {
    while (digits < 10 && Number(value.toFixed(digits)) === Number(threshold.toFixed(3))) digits++;
  }
  return value.toFixed(digits);
}
