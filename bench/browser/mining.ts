/**
 * Browser side of the mining benchmark: builds candidate sets of random unit vectors in the
 * miner worker (the app's worker) on the CPU kernel and, where a hardware (non-fallback) WebGPU
 * adapter exists, on the WebGPU kernel too; with `remine=1`, times the page's view round trips (counts, bins, first page) at N = 10k.
 * Query: ?sizes=1000,5000&remine=1 (&webgpu=force measures WebGPU on a software adapter too: manual
 * runs only, `npm run bench` never does). Publishes `window.miningBenchResult`.
 */
import * as Comlink from 'comlink';
import type { MinerApi } from '../../src/workers/miner.protocol.ts';
import { VIEW_SHAPE } from '../../src/app/mining.svelte.ts';
import { requestMiningAdapter } from '../../src/workers/miner-webgpu.ts';
import { clusteredPair, percentile, thresholdMoves, uniformUnitRows, CLIP_DIM, DINO_DIM } from '../mining-data.ts';

type Result = Record<string, unknown>;

declare global {
  interface Window {
    miningBenchResult?: Result;
  }
}

const params = new URLSearchParams(location.search);
const sizes = (params.get('sizes') ?? '1000').split(',').map(Number);
const log = document.getElementById('log')!;

async function run(): Promise<Result> {
  const worker = new Worker(new URL('../../src/workers/miner.worker.ts', import.meta.url), { type: 'module' });
  const host = Comlink.wrap<MinerApi>(worker);
  const result: Result = {};
  try {
    for (const n of sizes) {
      log.textContent = `building N = ${n}…`;
      const summary = await host.build(uniformUnitRows(n, CLIP_DIM, 1), uniformUnitRows(n, DINO_DIM, 2), { floor: 0.8, kernel: 'wasm-simd' });
      result[n] = { ms: summary.elapsedMs, candidates: summary.candidates, kernel: summary.kernel };
    }
    result.webgpu = await webgpuBuilds(host);
    // Clustered data (about 2% of pairs above the floor) at N = 10k: what users' corpora look
    // like, where refining the survivors dominates. Timed in quick and full runs alike; the
    // re-mining figures below reuse this candidate set.
    log.textContent = 'building N = 10000 (clustered)…';
    const { clip, dino } = clusteredPair(10000, 3);
    const summary = await host.build(clip, dino, { floor: 0.8, kernel: 'wasm-simd' });
    result.clustered_10000 = { ms: summary.elapsedMs, candidates: summary.candidates, kernel: summary.kernel };
    if (params.get('remine') === '1') {
      log.textContent = 're-mining at N = 10000…';
      const inWorker: number[] = [];
      const roundTrip: number[] = [];
      for (const move of thresholdMoves(200, 0.8, 11)) {
        const start = performance.now();
        // What the page asks for on a slider move: counts, bins and the first page.
        const r = await host.view({ ...move, ...VIEW_SHAPE });
        roundTrip.push(performance.now() - start);
        inWorker.push(r.elapsedMs);
      }
      inWorker.sort((x, y) => x - y);
      roundTrip.sort((x, y) => x - y);
      result.remine = {
        candidates: summary.candidates,
        worker_p50_ms: percentile(inWorker, 50),
        worker_p95_ms: percentile(inWorker, 95),
        round_trip_p50_ms: percentile(roundTrip, 50),
        round_trip_p95_ms: percentile(roundTrip, 95),
      };
    }
  } finally {
    worker.terminate();
  }
  return result;
}

/** The WebGPU kernel's builds, only on a hardware adapter (a software one is slower than the CPU). */
async function webgpuBuilds(host: Comlink.Remote<MinerApi>): Promise<Result> {
  const found = await requestMiningAdapter(true);
  if (!found.adapter) return { adapter: null, note: `${found.reason} The WebGPU kernel was not measured.` };
  const adapter = found.summary;
  if (adapter.isFallbackAdapter && params.get('webgpu') !== 'force') {
    return { adapter, note: 'Only a software (fallback) WebGPU adapter is available, which the miner does not use on its own: the WebGPU kernel was not measured.' };
  }
  // The first build also creates the device and compiles the shader: timed apart.
  const warm = await host.build(uniformUnitRows(1000, CLIP_DIM, 1), uniformUnitRows(1000, DINO_DIM, 2), { floor: 0.8, kernel: 'webgpu' });
  const builds: Result = {};
  for (const n of sizes) {
    log.textContent = `building N = ${n} on WebGPU…`;
    const summary = await host.build(uniformUnitRows(n, CLIP_DIM, 1), uniformUnitRows(n, DINO_DIM, 2), { floor: 0.8, kernel: 'webgpu' });
    builds[n] = { ms: summary.elapsedMs, candidates: summary.candidates, kernel: summary.kernel, overflowBlocks: summary.overflowBlocks ?? 0 };
  }
  return { adapter, first_build_n1000_ms: warm.elapsedMs, builds };
}

run()
  .then((r) => {
    log.textContent = JSON.stringify(r, null, 2);
    window.miningBenchResult = r;
  })
  .catch((error: unknown) => {
    window.miningBenchResult = { error: error instanceof Error ? error.message : String(error) };
  });
