/** Number and time formatting shared by the views (no DOM). */

/** Counts and plurals are worded by the one core rule (see core/words.ts). */
export { formatCount, formatDuration, plural } from '../../core/words.ts';

/** Similarities and thresholds are formatted by the one core rule (see core/mining/defaults.ts). */
export { formatSimilarity } from '../../core/mining/defaults.ts';

/** Signed difference: 0.18 -> "+0.180". */
export function formatMargin(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(3)}`;
}

/** Items per second with sensible precision: 0.42 -> "0.42/s", 37.5 -> "38/s". */
export function formatRate(perSecond: number, unit = ''): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '–';
  const digits = perSecond < 1 ? 2 : perSecond < 10 ? 1 : 0;
  return `${perSecond.toFixed(digits)}${unit ? ` ${unit}` : ''}/s`;
}

/** Seconds left at the current rate, or NaN when it cannot be estimated yet. */
export function estimateRemaining(done: number, total: number, perSecond: number): number {
  if (!(perSecond > 0) || total <= 0) return Number.NaN;
  return Math.max(0, total - done) / perSecond;
}

/** Percentage with no decimals below 100 unless tiny: 0.004 -> "0.4%", 0.5 -> "50%". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '–';
  const p = fraction * 100;
  return `${p > 0 && p < 1 ? p.toFixed(1) : Math.floor(p)}%`;
}

/**
 * Splits a file name for a middle ellipsis: the tail (the end of the stem and the extension, where
 * "20192.jpg" and "20193.jpg" differ) never shrinks; the head gives way. At most half the name is
 * tail, so a short name still truncates from its middle.
 */
export function splitFileName(name: string, tailLength = 12): { head: string; tail: string } {
  const cut = name.length - Math.min(tailLength, Math.floor(name.length / 2));
  return { head: name.slice(0, cut), tail: name.slice(cut) };
}
