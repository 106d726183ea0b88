/** Counts and durations in sentences the user reads, one rule for the app, its views and the CLI. */

const countFormat = new Intl.NumberFormat('en-US');

/** 12345 -> "12,345". */
export function formatCount(value: number): string {
  return countFormat.format(Math.round(value));
}

/** "1 pair", "3 pairs", "1,200 images". */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${formatCount(count)} ${count === 1 ? noun : nouns}`;
}

/** Seconds as a short duration: 5 -> "5 s", 125 -> "2 min 05 s", 7300 -> "2 h 01 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
