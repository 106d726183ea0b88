/**
 * Mining benchmarks: candidate build time (the core in Node; numpy + OpenBLAS reference; the
 * miner worker in Chromium when a browser rig is given), re-mine latency over random threshold
 * moves at N = 10k, and peak memory at 10k and 20k. Each Node measurement runs in a fresh child
 * process so sizes do not disturb each other's heap or JIT state.
 *
 * `npm run bench` calls `runMiningBench`; alone: `npx tsx bench/mining.ts [--quick] [--out FILE]`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PairMiner, PairViewer, VIEW_SHAPE, simdAvailable, type PairViewRequest } from '../src/core/mining/index.ts';
import { clusteredPair, percentile, thresholdMoves, uniformUnitRows, CLIP_DIM, DINO_DIM } from './mining-data.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

/** What bench/run.ts passes; only the parts this module uses. */
export interface MiningBenchRig {
  origin: string;
  browser: { newContext(): Promise<{ newPage(): Promise<PageLike>; close(): Promise<void> }> };
}
interface PageLike {
  goto(url: string): Promise<unknown>;
  waitForFunction(fn: () => boolean, arg?: unknown, options?: { timeout?: number; polling?: number }): Promise<unknown>;
  evaluate<T>(fn: () => T): Promise<T>;
}

interface BuildFigures {
  ms: number;
  candidates: number;
  peakHeapMb: number;
  peakRssMb: number;
  kernel: string;
}

interface RemineFigures {
  candidates: number;
  buildMs: number;
  moves: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  meanPairs: number;
  controlledP50Ms: number;
  controlledP95Ms: number;
  everythingP50Ms: number;
  everythingP95Ms: number;
  limitedP50Ms: number;
  limitedP95Ms: number;
  gridMs: number;
}

const FLOOR = 0.8;

function memoryMb(): { heap: number; rss: number } {
  const m = process.memoryUsage();
  // Typed arrays live outside the V8 heap ("arrayBuffers"); both count as the JS heap here.
  return { heap: (m.heapUsed + m.arrayBuffers) / 2 ** 20, rss: m.rss / 2 ** 20 };
}

function childBuild(n: number, kind: 'uniform' | 'clustered'): BuildFigures {
  const { clip, dino } = kind === 'uniform' ? { clip: uniformUnitRows(n, CLIP_DIM, 1), dino: uniformUnitRows(n, DINO_DIM, 2) } : clusteredPair(n, 3);
  (globalThis as { gc?: () => void }).gc?.();
  let peak = memoryMb();
  const sample = () => {
    const m = memoryMb();
    peak = { heap: Math.max(peak.heap, m.heap), rss: Math.max(peak.rss, m.rss) };
  };
  const start = performance.now();
  const miner = PairMiner.build(clip, dino, { floor: FLOOR, onProgress: sample });
  const ms = performance.now() - start;
  sample();
  miner.candidates.filter({ clipMin: 0.9, dinoMax: 0.75 });
  sample();
  return { ms, candidates: miner.candidates.size, peakHeapMb: peak.heap, peakRssMb: peak.rss, kernel: simdAvailable() ? 'wasm-simd' : 'js' };
}

function childRemine(n: number): RemineFigures {
  const { clip, dino } = clusteredPair(n, 3);
  const start = performance.now();
  const set = PairMiner.build(clip, dino, { floor: FLOOR }).candidates;
  const buildMs = performance.now() - start;
  const viewer = new PairViewer(set);
  const moves = thresholdMoves(200, FLOOR, 11);
  // What the miner worker does per slider move (MiningService.view): select, then counts, bins and the first page.
  const answer = (request: PairViewRequest) => viewer.view(request, set.select(request));
  // One untimed pass: the first call allocates the reusable buffers and the bin codes, and every
  // path (plain, ruled, gathered) is compiled before it is timed, as in a worker that has run a while.
  for (const move of moves) answer({ ...move, ...VIEW_SHAPE });
  const timed = (run: (move: (typeof moves)[number]) => void) =>
    moves
      .map((move) => {
        const t = performance.now();
        run(move);
        return performance.now() - t;
      })
      .sort((x, y) => x - y);
  let pairs = 0;
  const times = timed((move) => (pairs += answer({ ...move, ...VIEW_SHAPE }).total));
  const controlled = timed((move) => answer({ ...move, ...VIEW_SHAPE, maxPerImage: 5, excludeNearDuplicates: true, duplicateThreshold: 0.95 }));
  // The command line's full list: every confusing pair as arrays.
  const everything = timed((move) => set.filter(move));
  const limited = timed((move) => set.filter({ ...move, limit: 1000 }));
  const g = performance.now();
  set.sensitivityGrid({ size: 50 });
  const gridMs = performance.now() - g;
  return {
    candidates: set.size,
    buildMs,
    moves: moves.length,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    maxMs: times[times.length - 1],
    meanPairs: pairs / moves.length,
    controlledP50Ms: percentile(controlled, 50),
    controlledP95Ms: percentile(controlled, 95),
    everythingP50Ms: percentile(everything, 50),
    everythingP95Ms: percentile(everything, 95),
    limitedP50Ms: percentile(limited, 50),
    limitedP95Ms: percentile(limited, 95),
    gridMs,
  };
}

/** The Node re-mine figures at N = 10,000 (`remine.n10000.*`), measured in a fresh child process. */
export function nodeRemineFigures(): Record<string, unknown> {
  const remine = inChild<RemineFigures>(['remine', '10000']);
  return {
    data: 'clustered',
    measures: "the miner worker's answer to one slider move (select, counts, bins, first page of 500), in Node; default rules (near-duplicates excluded)",
    candidates: remine.candidates,
    moves: remine.moves,
    p50_ms: round(remine.p50Ms),
    p95_ms: round(remine.p95Ms),
    max_ms: round(remine.maxMs),
    mean_pairs: Math.round(remine.meanPairs),
    with_cap_and_duplicates: { p50_ms: round(remine.controlledP50Ms), p95_ms: round(remine.controlledP95Ms) },
    all_pairs_materialised: { p50_ms: round(remine.everythingP50Ms), p95_ms: round(remine.everythingP95Ms) },
    first_1000_materialised: { p50_ms: round(remine.limitedP50Ms), p95_ms: round(remine.limitedP95Ms) },
    sensitivity_grid_50x50_ms: round(remine.gridMs),
  };
}

function inChild<T>(args: string[]): T {
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, 'mining.ts'), '--child', ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (result.status !== 0) throw new Error(`Mining benchmark child ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as T;
}

const NUMPY_SCRIPT = `
import json, sys, time
import numpy as np
n, kind, floor = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
rng = np.random.default_rng(1)
if kind == 'uniform':
    clip = rng.standard_normal((n, ${CLIP_DIM}), dtype=np.float32)
    dino = rng.standard_normal((n, ${DINO_DIM}), dtype=np.float32)
else:
    clip = np.load(sys.argv[4]); dino = np.load(sys.argv[5])
start = time.perf_counter()
clip = clip / np.linalg.norm(clip, axis=1, keepdims=True)
dino = dino / np.linalg.norm(dino, axis=1, keepdims=True)
block = 1024
rows_a, rows_b, sims = [], [], []
for i0 in range(0, n, block):
    s = clip[i0:i0 + block] @ clip[i0:].T          # upper block row only
    ii, jj = np.nonzero(s >= floor)
    keep = jj > ii                                  # j index is relative to i0
    rows_a.append(ii[keep] + i0); rows_b.append(jj[keep] + i0); sims.append(s[ii[keep], jj[keep]])
a = np.concatenate(rows_a); b = np.concatenate(rows_b); c = np.concatenate(sims)
d = np.einsum('ij,ij->i', dino[a], dino[b])         # DINO only for candidates
order = np.lexsort((b, a, -c))                      # CLIP descending, then a, then b
a, b, c, d = a[order], b[order], c[order], d[order]
seconds = time.perf_counter() - start
try:
    from threadpoolctl import threadpool_info
    threads = max(x.get('num_threads', 0) for x in threadpool_info())
except Exception:
    threads = None
print(json.dumps({'seconds': seconds, 'candidates': int(len(a)), 'numpy': np.__version__, 'threads': threads}))
`;

function numpyAvailable(): string | null {
  try {
    return execFileSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

function numpyBuild(n: number, kind: 'uniform' | 'clustered', dir: string): { seconds: number; candidates: number; threads: number | null } {
  const args = ['-c', NUMPY_SCRIPT, String(n), kind, String(FLOOR)];
  if (kind === 'clustered') {
    const { clip, dino } = clusteredPair(n, 3);
    const npy = (name: string, m: { rows: number; dim: number; data: Float32Array }) => {
      const path = join(dir, name);
      writeFileSync(path, encodeNpyF32(m.rows, m.dim, m.data));
      return path;
    };
    args.push(npy('clip.npy', clip), npy('dino.npy', dino));
  }
  const out = execFileSync('python3', args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as { seconds: number; candidates: number; threads: number | null };
}

function encodeNpyF32(rows: number, cols: number, data: Float32Array): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

interface BuildTiming {
  ms: number;
  candidates: number;
  kernel: string;
}
/** What bench/browser/mining.ts publishes: CPU builds by size, the WebGPU section, re-mining. */
type BrowserFigures = Record<string, BuildTiming> & {
  clustered_10000?: BuildTiming;
  remine?: Record<string, number>;
  webgpu?: { adapter: Record<string, unknown> | null; note?: string; first_build_n1000_ms?: number; builds?: Record<string, BuildTiming & { overflowBlocks: number }> };
};

async function browserBuilds(rig: MiningBenchRig, sizes: number[], remine: boolean): Promise<BrowserFigures | { error: string }> {
  const context = await rig.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${rig.origin}/bench/browser/mining.html?sizes=${sizes.join(',')}&remine=${remine ? 1 : 0}`);
    // Function predicates, not strings: the dev server's CSP forbids string evaluation.
    await page.waitForFunction(() => (window as unknown as { miningBenchResult?: unknown }).miningBenchResult !== undefined, undefined, {
      timeout: 10 * 60_000,
      polling: 500,
    });
    return await page.evaluate(() => (window as unknown as { miningBenchResult: BrowserFigures }).miningBenchResult);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    await context.close();
  }
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

/** Runs every mining figure; the keys are merged into bench/results/latest.json. */
export async function runMiningBench(options: { quick: boolean; rig?: MiningBenchRig | null; log?: (line: string) => void }): Promise<Record<string, unknown>> {
  const log = options.log ?? ((line: string) => console.error(line));
  const sizes = [1000, 5000, 10000, 20000];
  const numpySizes = options.quick ? [1000, 5000, 10000] : sizes;
  const numpy = numpyAvailable();
  const dir = mkdtempSync(join(tmpdir(), 'mining-bench-'));
  const mine: Record<string, unknown> = {
    floor: FLOOR,
    dims: { clip: CLIP_DIM, dino: DINO_DIM },
    numpy: numpy
      ? { version: numpy, note: 'numpy/OpenBLAS uses its default thread count (all cores); the mining core runs on one thread (Node main thread or one worker).' }
      : { note: 'python3 with numpy was not found: the numpy reference was skipped.' },
    note:
      'uniform = independent random unit vectors: almost no pair reaches the floor, so the Cauchy-Schwarz screen (first ~30% of the dimensions, WebAssembly SIMD) discards nearly every pair early; ' +
      'clustered (quick and full runs) = about 2% of pairs above the floor, where exact float64 refinement of the survivors dominates. numpy computes the full blocked matrix product either way.',
  };
  const memory: Record<string, unknown> = {};
  let browser: Awaited<ReturnType<typeof browserBuilds>> | null = null;
  try {
    if (options.rig) {
      log('bench: mining in a Chromium worker…');
      browser = await browserBuilds(options.rig, options.quick ? [1000, 5000, 10000] : sizes, !options.quick);
    }
    const runs: [number, 'uniform' | 'clustered'][] = sizes.map((n) => [n, 'uniform']);
    runs.push([10000, 'clustered']);
    for (const [n, kind] of runs) {
      log(`bench: mining N = ${n} (${kind}) in Node…`);
      const node = inChild<BuildFigures>(['build', String(n), kind]);
      let reference: { seconds: number; candidates: number; threads: number | null } | null = null;
      if (numpy && (kind === 'clustered' || numpySizes.includes(n))) {
        log(`bench: mining N = ${n} (${kind}) with numpy…`);
        reference = numpyBuild(n, kind, dir);
      }
      const fromBrowser = browser && !('error' in browser) ? (kind === 'uniform' ? browser[n] : browser.clustered_10000) : undefined;
      const onGpu = kind === 'uniform' && browser && !('error' in browser) ? browser.webgpu?.builds?.[n] : undefined;
      mine[kind === 'uniform' ? `n${n}` : `clustered_n${n}`] = {
        data: kind,
        node_s: round(node.ms / 1000),
        kernel: node.kernel,
        candidates: node.candidates,
        numpy_s: reference ? round(reference.seconds) : null,
        numpy_candidates: reference?.candidates ?? null,
        numpy_threads: reference?.threads ?? null,
        node_over_numpy: reference ? round(node.ms / 1000 / reference.seconds) : null,
        browser_s: fromBrowser ? round(fromBrowser.ms / 1000) : null,
        browser_candidates: fromBrowser?.candidates ?? null,
        browser_over_numpy: fromBrowser && reference ? round(fromBrowser.ms / 1000 / reference.seconds) : null,
        // The WebGPU kernel's row: only where a hardware adapter exists (see mine.webgpu).
        ...(onGpu
          ? {
              browser_webgpu_s: round(onGpu.ms / 1000),
              browser_webgpu_candidates: onGpu.candidates,
              browser_webgpu_overflow_blocks: onGpu.overflowBlocks,
              browser_webgpu_over_numpy: reference ? round(onGpu.ms / 1000 / reference.seconds) : null,
            }
          : {}),
      };
      if (kind === 'uniform' && n >= 10000) memory[`n${n}`] = { peak_heap_mb: round(node.peakHeapMb, 1), peak_rss_mb: round(node.peakRssMb, 1) };
    }
    if (browser && !('error' in browser) && browser.webgpu) {
      const { adapter, note, first_build_n1000_ms } = browser.webgpu;
      mine.webgpu = {
        adapter,
        ...(note ? { note } : {}),
        ...(first_build_n1000_ms !== undefined ? { first_build_n1000_ms: round(first_build_n1000_ms) } : {}),
      };
    }
    if (browser && 'error' in browser) mine.browser_error = browser.error;
    else if (!options.rig) mine.browser_note = 'No browser rig was given: browser figures are null.';
    log('bench: re-mining at N = 10000 (clustered)…');
    return {
      mine,
      remine: { n10000: { ...nodeRemineFigures(), browser_worker: browser && !('error' in browser) ? (browser.remine ?? null) : null } },
      memory,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (invokedDirectly) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const [, what, n, kind] = argv;
    const figures = what === 'build' ? childBuild(Number(n), kind as 'uniform' | 'clustered') : childRemine(Number(n));
    console.log(JSON.stringify(figures));
  } else {
    const result = await runMiningBench({ quick: argv.includes('--quick') });
    const out = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : undefined;
    if (out) writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    console.log(JSON.stringify(result, null, 2));
  }
}
