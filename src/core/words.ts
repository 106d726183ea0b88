/** Counts in sentences the user reads, one rule for the app, its views and the CLI. */

const countFormat = new Intl.NumberFormat('en-US');

/** 12345 -> "12,345". */
export function formatCount(value: number): string {
  return countFormat.format(Math.round(value));
}

/** "1 pair", "3 pairs", "1,200 images". */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${formatCount(count)} ${count === 1 ? noun : nouns}`;
}
