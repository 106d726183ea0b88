/**
 * `npx tsx bench/ingest-scale.ts [--count 10000] [--embed] [--chunk 200]`: ingests many generated
 * images in headless Chromium through the app's real ingest worker and IndexedDB store (and, with
 * --embed, the fixture encoders through the durable job queue; see bench/browser/ingest-scale.ts),
 * and measures memory while it runs:
 *
 * - in the page: JS heap of the page (performance.memory, precise) after every chunk, and once at
 *   the end the page with its workers (performance.measureUserAgentSpecificMemory; it waits for a
 *   garbage collection, up to a minute, so it is too slow to sample often);
 * - from /proc: RSS and PSS of every Chromium process (the page and its dedicated workers share
 *   the renderer process), sampled every 500 ms.
 *
 * Writes bench/results/ingest-scale.json and .md (or ingest-scale-embed.* with --embed).
 * Figures are reported, never asserted.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { runPage, startBrowserRig } from './browser-runner.ts';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const argValue = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const count = Number(argValue('--count', '10000'));
const chunk = Number(argValue('--chunk', '500'));
const embed = process.argv.includes('--embed');

interface ProcessMemory {
  pid: number;
  type: string;
  rssMb: number;
  pssMb: number;
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** Every live descendant of this Node process whose command is Chromium, with its memory. */
function chromiumProcesses(): ProcessMemory[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProc(Number(name), 'stat');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.length > 1) parentOf.set(Number(name), Number(fields[1]));
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parentOf.get(pid), depth = 0; p && depth < 20; p = parentOf.get(p), depth++) if (p === process.pid) return true;
    return false;
  };
  const out: ProcessMemory[] = [];
  for (const pid of parentOf.keys()) {
    if (!isDescendant(pid)) continue;
    // Zygote-forked processes rewrite their title into one space-separated string.
    const cmdline = readProc(pid, 'cmdline').split(/[\0 ]/);
    if (!/chrom/i.test(cmdline[0] ?? '')) continue;
    const type = cmdline.find((a) => a.startsWith('--type='))?.slice(7) ?? 'browser';
    const kb = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    out.push({ pid, type, rssMb: kb(readProc(pid, 'status'), 'VmRSS') / 1024, pssMb: kb(readProc(pid, 'smaps_rollup'), 'Pss') / 1024 });
  }
  return out;
}

interface ProcessPeaks {
  totalPssMb: number;
  totalRssMb: number;
  byType: Record<string, { rssMb: number; pssMb: number }>;
  samples: number;
  /** [seconds, renderer RSS MB, all-process PSS MB], every 500 ms. */
  timeline: [number, number, number][];
}

function startSampling(): { stop(): ProcessPeaks } {
  const peaks: ProcessPeaks = { totalPssMb: 0, totalRssMb: 0, byType: {}, samples: 0, timeline: [] };
  const t0 = Date.now();
  const take = () => {
    const procs = chromiumProcesses();
    if (procs.length === 0) return;
    peaks.samples++;
    const renderer = Math.max(0, ...procs.filter((p) => p.type === 'renderer').map((p) => p.rssMb));
    peaks.timeline.push([(Date.now() - t0) / 1000, renderer, procs.reduce((a, p) => a + p.pssMb, 0)]);
    peaks.totalPssMb = Math.max(peaks.totalPssMb, procs.reduce((a, p) => a + p.pssMb, 0));
    peaks.totalRssMb = Math.max(peaks.totalRssMb, procs.reduce((a, p) => a + p.rssMb, 0));
    for (const p of procs) {
      const seen = (peaks.byType[p.type] ??= { rssMb: 0, pssMb: 0 });
      seen.rssMb = Math.max(seen.rssMb, p.rssMb);
      seen.pssMb = Math.max(seen.pssMb, p.pssMb);
    }
  };
  const timer = setInterval(take, 500);
  take();
  return {
    stop() {
      clearInterval(timer);
      // About 120 rows are enough to see whether memory grows with the item count.
      const step = Math.max(1, Math.ceil(peaks.timeline.length / 120));
      peaks.timeline = peaks.timeline.filter((_, i, all) => i % step === 0 || i === all.length - 1);
      return peaks;
    },
  };
}

const round = (v: unknown): unknown =>
  typeof v === 'number' ? Math.round(v * 10) / 10 : Array.isArray(v) ? v.map(round) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round(x)])) : v;

function markdown(result: Record<string, unknown>): string {
  const page = result.page as Record<string, unknown>;
  const procs = result.processes as ProcessPeaks;
  const rows: [string, unknown][] = [
    ['date', result.date],
    ['machine', `${(result.machine as { cpus: number }).cpus} CPUs, ${(result.machine as { memoryGb: number }).memoryGb} GB`],
    ['Chromium', result.chromium],
    ['images', `${page.items} stored of ${result.count} (${page.skipped} skipped), PNG and JPEG, ${(page.sides as number[]).join('/')} px long side`],
    ['embedded with fixture encoders', page.embedded ? JSON.stringify(page.embeddings) : 'no (ingest, store and thumbnails only)'],
    ['ingest time', `${((page.ingestMs as number) / 1000).toFixed(1)} s (${(page.itemsPerSecond as number).toFixed(1)} images/s)`],
    ['peak JS heap, page', `${(page.peakPageHeapMb as number).toFixed(1)} MB`],
    ['JS memory, page + workers, at the end before closing encoders (measureUserAgentSpecificMemory)', page.endPageAndWorkersMb === null ? 'n/a' : `${(page.endPageAndWorkersMb as number).toFixed(1)} MB`],
    ['peak renderer process RSS (page + workers)', `${procs.byType.renderer?.rssMb.toFixed(1) ?? 'n/a'} MB`],
    ['peak PSS, all Chromium processes', `${procs.totalPssMb.toFixed(1)} MB`],
    ['IndexedDB + caches at the end (storage.estimate)', page.storageUsageMb === null ? 'n/a' : `${(page.storageUsageMb as number).toFixed(1)} MB`],
    ['mean thumbnail', `${(page.meanThumbnailBytes as number).toFixed(0)} bytes`],
  ];
  const samples = (page.samples as { items: number; ms: number; pageHeapMb: number }[]).filter((_, i, all) => i % Math.max(1, Math.floor(all.length / 10)) === 0 || i === all.length - 1);
  return [
    '# Ingest at scale (Chromium)',
    '',
    'Generated by `npx tsx bench/ingest-scale.ts' + (embed ? ' --embed' : '') + ` --count ${result.count}\`. Each file is one of ${page.poolImages} pool images`,
    'with a unique comment (its own SHA-256, decoded in full); decode -> RGB -> thumbnail -> release per image.',
    "The page and its dedicated workers (ingest, encoders) are threads of the renderer process; Playwright's",
    'fresh context keeps IndexedDB in memory, so the store is counted in the browser process, not on disk.',
    '',
    '| figure | value |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '| seconds | renderer RSS MB | all Chromium PSS MB |',
    '| --- | --- | --- |',
    ...procs.timeline
      .filter((_, i, all) => i % Math.max(1, Math.floor(all.length / 15)) === 0 || i === all.length - 1)
      .map(([t, r, p]) => `| ${t.toFixed(0)} | ${r.toFixed(0)} | ${p.toFixed(0)} |`),
    '',
    '| items | seconds | page JS heap MB |',
    '| --- | --- | --- |',
    ...samples.map((s) => `| ${s.items} | ${(s.ms / 1000).toFixed(0)} | ${s.pageHeapMb.toFixed(1)} |`),
    '',
  ].join('\n');
}

const started = new Date();
const rig = await startBrowserRig(root, ['--enable-precise-memory-info', '--enable-blink-features=ForceEagerMeasureMemory']);
const sampling = startSampling();
let stopped = false;
try {
  console.error(`ingest-scale: ${count} images${embed ? ' with the fixture encoders' : ''}…`);
  const query = new URLSearchParams({ count: String(count), chunk: String(chunk), embed: embed ? '1' : '0' });
  const page = await runPage<Record<string, unknown>>(rig, `/bench/browser/ingest-scale.html?${query}`, 'benchResult', 60 * 60_000);
  const processes = sampling.stop();
  stopped = true;
  if (page.error) throw new Error(String(page.error));
  const result = {
    date: started.toISOString(),
    count,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30) },
    chromium: rig.chromiumVersion,
    page,
    processes,
    wallSeconds: (Date.now() - started.getTime()) / 1000,
  };
  const name = embed ? 'ingest-scale-embed' : 'ingest-scale';
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', `${name}.json`), JSON.stringify(round(result), null, 2) + '\n');
  writeFileSync(join(root, 'bench', 'results', `${name}.md`), markdown(result));
  console.error(markdown(result));
  console.error(`ingest-scale: done in ${result.wallSeconds.toFixed(0)} s -> bench/results/${name}.{json,md}`);
} finally {
  if (!stopped) sampling.stop();
  await rig.close();
}
