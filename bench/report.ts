/** Renders the benchmark JSON as a readable Markdown report. */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function fmt(value: Json): string {
  if (typeof value === 'number') return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
  if (value === null) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function flatten(value: Json, prefix: string, rows: [string, string][]): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, rows);
  } else if (Array.isArray(value) && value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, rows));
  } else {
    rows.push([prefix, fmt(value)]);
  }
}

export function renderMarkdown(result: unknown): string {
  const rows: [string, string][] = [];
  flatten(result as Json, '', rows);
  const lines = [
    '# MediConfusion Explorer benchmark',
    '',
    'Targets (reported, never asserted): browser WASM >= 0.8x native; mining at N = 10k <= 2x numpy;',
    "the miner's answer to a slider move p95 <= 8 ms (remine.n10000.p95_ms in Node, worker_p95_ms in the dragged App);",
    'slider input to painted p95 <= 16 ms (page_p95_ms; a worker answer to rAF-aligned input paints in the next frame at the earliest,',
    'so frames_to_paint = 1 is the bound to hold); 20k images under 2 GB heap.',
    '',
    '| figure | value |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| \`${k}\` | ${v} |`),
    '',
  ];
  return lines.join('\n');
}
