import { afterAll, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import type { MinerApi } from '../../src/workers/miner.protocol.ts';
import { PairMiner, normalizeRows, pairSimilarity } from '../../src/core/mining/index.ts';
import { bruteForceCandidates, clusteredMatrix, prng, referenceFilter } from '../unit/mining-reference.ts';
import { pairsDigest } from './mining-digest.ts';

const worker = new Worker(new URL('../../src/workers/miner.worker.ts', import.meta.url), { type: 'module' });
const host = Comlink.wrap<MinerApi>(worker);

// The same data and filter as the Node run that produced the digests below
// (PairMiner.build(..., { floor: 0.75 }) then the filter in `options`, both kernels agree).
const random = prng(77);
const clip = clusteredMatrix(random, 700, 64, 5, 0.35, 1);
const dino = clusteredMatrix(random, 700, 48, 9, 0.6);
const options = { clipMin: 0.8, dinoMax: 0.7, maxPerImage: 3, excludeNearDuplicates: true, duplicateThreshold: 0.8 };
const NODE_CANDIDATES = 48645;
const NODE_PAIRS_DIGEST = '1033:143b4ee0';
const NODE_NEAR_DUPLICATES_DIGEST = '562:6580b86f';

describe('miner worker in Chromium', () => {
  afterAll(() => worker.terminate());

  // 'webgpu' forces the GPU kernel even on a software adapter; 'auto' takes it only on hardware.
  for (const kernel of ['auto', 'wasm-simd', 'js', 'webgpu'] as const) {
    it(`${kernel} kernel: builds with progress and filters bit-identically to Node`, async () => {
      const progress: number[] = [];
      const summary = await host.build(clip, dino, { floor: 0.75, kernel }, Comlink.proxy((done: number, total: number) => void progress.push(done / total)));
      expect(summary.candidates).toBe(NODE_CANDIDATES);
      const adapter = await navigator.gpu?.requestAdapter();
      const hardware = adapter ? !(adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter : false;
      expect(summary.kernel).toBe(kernel === 'auto' ? (hardware ? 'webgpu' : 'wasm-simd') : kernel);
      await new Promise((r) => setTimeout(r, 50)); // progress calls are fire-and-forget
      expect(progress.at(-1)).toBe(1);
      const result = await host.filter(options);
      expect(pairsDigest(result.pairs)).toBe(NODE_PAIRS_DIGEST);
      expect(pairsDigest(result.nearDuplicates)).toBe(NODE_NEAR_DUPLICATES_DIGEST);
    });
  }

  it('matches the brute-force reference and the in-page core at other thresholds', async () => {
    await host.build(clip, dino, { floor: 0.75 });
    const all = bruteForceCandidates(clip, dino, 0.75);
    const local = PairMiner.build(clip, dino, { floor: 0.75 }).candidates;
    for (const [clipMin, dinoMax] of [
      [0.9, 0.75],
      [0.95, 0.6],
      [0.76, 0.9],
    ]) {
      const remote = await host.filter({ clipMin, dinoMax });
      const expected = referenceFilter(all, { clipMin, dinoMax }).pairs;
      expect(Array.from(remote.pairs.a)).toEqual(expected.map((p) => p.a));
      expect(Array.from(remote.pairs.b)).toEqual(expected.map((p) => p.b));
      expect(pairsDigest(remote.pairs)).toBe(pairsDigest(local.filter({ clipMin, dinoMax }).pairs));
    }
    const grid = await host.sensitivityGrid({ size: 10 });
    expect(Array.from(grid.counts)).toEqual(Array.from(local.sensitivityGrid({ size: 10 }).counts));
  });

  it('adds rows incrementally and round-trips its state through exportCandidates + importCandidates', async () => {
    const take = (m: typeof clip, from: number, to: number) => ({ rows: to - from, dim: m.dim, data: m.data.slice(from * m.dim, to * m.dim) });
    await host.build(take(clip, 0, 400), take(dino, 0, 400), { floor: 0.75 });
    const grown = await host.addRows(take(clip, 400, 700), take(dino, 400, 700));
    expect(grown.rows).toBe(700);
    expect(grown.candidates).toBe(NODE_CANDIDATES);
    expect(pairsDigest((await host.filter(options)).pairs)).toBe(NODE_PAIRS_DIGEST);
    // Row pairs across the first build and the addition, and within each.
    const rowPairs = new Uint32Array([0, 1, 3, 650, 399, 400, 512, 699, 12, 12]);
    const before = await host.similarities(rowPairs);
    const state = await host.exportCandidates();
    await host.build(take(clip, 0, 10), take(dino, 0, 10), { floor: 0.75 });
    const restored = await host.importCandidates(state, { clip, dino });
    expect(restored.rows).toBe(700);
    expect(restored.candidates).toBe(NODE_CANDIDATES);
    expect(pairsDigest((await host.filter(options)).pairs)).toBe(NODE_PAIRS_DIGEST);
    // The restored embeddings answer similarities with the miner's one rule, as the build did.
    const after = await host.similarities(rowPairs);
    const units = { clip: normalizeRows(clip), dino: normalizeRows(dino) };
    for (let p = 0; p < rowPairs.length / 2; p++) {
      const [a, b] = [rowPairs[2 * p], rowPairs[2 * p + 1]];
      expect(after.clip[p]).toBe(before.clip[p]);
      expect(after.dino[p]).toBe(before.dino[p]);
      expect(after.clip[p]).toBe(pairSimilarity(units.clip, a, b));
      expect(after.dino[p]).toBe(pairSimilarity(units.dino, a, b));
    }
    // A restore without the stored margin order derives the same one.
    const { marginOrder: _order, ...withoutOrder } = state;
    await host.importCandidates(withoutOrder);
    expect(pairsDigest((await host.filter(options)).pairs)).toBe(NODE_PAIRS_DIGEST);
  });
});
