/** Byte counts for people: `0 B`, `812 B`, `14.2 kB`, `27.0 MB` (powers of 1000, as browsers show). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** The host part of an origin, as the panel lists it (`huggingface.co`, `127.0.0.1:4173`). */
export function originLabel(origin: string): string {
  try {
    // The URL parser escapes a wildcard host ("*.cdn.hf.co" becomes "%2A.cdn.hf.co"); show it as written.
    return new URL(origin).host.replace(/^%2A\./i, '*.');
  } catch {
    return origin;
  }
}
