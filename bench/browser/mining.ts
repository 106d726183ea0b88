/**
 * Browser side of the mining benchmark: builds candidate sets of random unit vectors in the
 * miner worker (the app's worker) and, with `remine=1`, times filter round trips at N = 10k.
 * Query: ?sizes=1000,5000&remine=1. Publishes `window.miningBenchResult`.
 */
import * as Comlink from 'comlink';
import type { MinerHost } from '../../src/workers/miner.worker.ts';
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
  const host = Comlink.wrap<MinerHost>(worker);
  const result: Result = {};
  try {
    for (const n of sizes) {
      log.textContent = `building N = ${n}…`;
      const summary = await host.build(uniformUnitRows(n, CLIP_DIM, 1), uniformUnitRows(n, DINO_DIM, 2), { floor: 0.8 });
      result[n] = { ms: summary.elapsedMs, candidates: summary.candidates, kernel: summary.kernel };
    }
    if (params.get('remine') === '1') {
      log.textContent = 're-mining at N = 10000…';
      const { clip, dino } = clusteredPair(10000, 3);
      const summary = await host.build(clip, dino, { floor: 0.8 });
      const inWorker: number[] = [];
      const roundTrip: number[] = [];
      for (const move of thresholdMoves(200, 0.8, 11)) {
        const start = performance.now();
        const r = await host.filter({ ...move, limit: 1000 });
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

run()
  .then((r) => {
    log.textContent = JSON.stringify(r, null, 2);
    window.miningBenchResult = r;
  })
  .catch((error: unknown) => {
    window.miningBenchResult = { error: error instanceof Error ? error.message : String(error) };
  });
