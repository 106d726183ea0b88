/**
 * Measures ingest in Node over a folder (default ../shared/data/radiology): time per image and
 * peak memory (process.memoryUsage sampled after every file). Usage:
 *   npx tsx scripts/ingest-memory.ts [folder]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestFile } from '../src/core/ingest/index.ts';

const folder = process.argv[2] ?? join(import.meta.dirname, '../../shared/data/radiology');
const files = readdirSync(folder).sort();
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const baseline = process.memoryUsage();
let peakRss = baseline.rss;
let peakHeap = baseline.heapUsed + baseline.arrayBuffers;
const times: number[] = [];
let failed = 0;
for (const name of files) {
  const bytes = new Uint8Array(readFileSync(join(folder, name)));
  const started = performance.now();
  const result = await ingestFile(bytes, { name });
  times.push(performance.now() - started);
  if (!result.ok) failed++;
  const usage = process.memoryUsage();
  peakRss = Math.max(peakRss, usage.rss);
  peakHeap = Math.max(peakHeap, usage.heapUsed + usage.arrayBuffers);
}
times.sort((a, b) => a - b);
const total = times.reduce((a, b) => a + b, 0);
console.log(`${files.length} files, ${failed} failed, ${(total / 1000).toFixed(2)} s`);
console.log(`per image: mean ${(total / files.length).toFixed(1)} ms, median ${times[Math.floor(times.length / 2)].toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`);
console.log(`memory: baseline rss ${mb(baseline.rss)} MiB, peak rss ${mb(peakRss)} MiB, peak heap+arrayBuffers ${mb(peakHeap)} MiB`);
