import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CandidateSet, PairMiner, type EmbeddingMatrix, type FilterResult } from '../../src/core/mining/index.ts';
import { bruteForceCandidates, clusteredMatrix, prng, referenceFilter, sliceRows, type RefPair } from './mining-reference.ts';

function toPairs(result: FilterResult['pairs']): RefPair[] {
  return Array.from({ length: result.count }, (_, r) => ({ a: result.a[r], b: result.b[r], clip: result.clip[r], dino: result.dino[r] }));
}

function candidatesOf(set: CandidateSet): RefPair[] {
  return Array.from({ length: set.size }, (_, c) => ({ a: set.a[c], b: set.b[c], clip: set.clip[c], dino: set.dino[c] }));
}

const key = (p: RefPair) => `${p.a},${p.b}`;

/** Same pairs in the same order, similarities within 1e-5. */
function expectSamePairs(actual: RefPair[], expected: RefPair[]): void {
  expect(actual.map(key)).toEqual(expected.map(key));
  for (let i = 0; i < actual.length; i++) {
    expect(Math.abs(actual[i].clip - expected[i].clip)).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(actual[i].dino - expected[i].dino)).toBeLessThanOrEqual(1e-5);
  }
}

interface Data {
  clip: EmbeddingMatrix;
  dino: EmbeddingMatrix;
}

function makeData(seed: number, rows: number, clipDim: number, dinoDim: number): Data {
  const random = prng(seed);
  return {
    clip: clusteredMatrix(random, rows, clipDim, 3, 0.35, 2),
    dino: clusteredMatrix(random, rows, dinoDim, 6, 0.6),
  };
}

const dataArb = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  rows: fc.integer({ min: 2, max: 90 }),
  clipDim: fc.integer({ min: 1, max: 40 }),
  dinoDim: fc.integer({ min: 1, max: 24 }),
  floor: fc.double({ min: 0.3, max: 0.95, noNaN: true }),
  kernel: fc.constantFrom('auto' as const, 'js' as const),
});

describe('mining engine against brute force', () => {
  it('keeps exactly the pairs at or above the floor, sorted by CLIP similarity, with exact similarities', () => {
    fc.assert(
      fc.property(dataArb, ({ seed, rows, clipDim, dinoDim, floor, kernel }) => {
        const { clip, dino } = makeData(seed, rows, clipDim, dinoDim);
        const set = PairMiner.build(clip, dino, { floor, kernel }).candidates;
        const expected = bruteForceCandidates(clip, dino, floor).sort((x, y) => y.clip - x.clip || x.a - y.a || x.b - y.b);
        expectSamePairs(candidatesOf(set), expected);
        for (let c = 0; c < set.size; c++) expect(set.a[c]).toBeLessThan(set.b[c]);
      }),
      { numRuns: 120 },
    );
  });

  it('filters like the reference at any thresholds above the floor, with every control', () => {
    fc.assert(
      fc.property(
        dataArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: -0.2, max: 1.01, noNaN: true }),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        fc.double({ min: 0.5, max: 1, noNaN: true }),
        fc.boolean(),
        ({ seed, rows, clipDim, dinoDim, floor, kernel }, clipAbove, dinoMax, maxPerImage, excludeNearDuplicates, duplicateThreshold, byCategory) => {
          const { clip, dino } = makeData(seed, rows, clipDim, dinoDim);
          const set = PairMiner.build(clip, dino, { floor, kernel }).candidates;
          const clipMin = floor + (1 - floor) * clipAbove;
          const categories = byCategory ? Int32Array.from({ length: rows }, (_, r) => (r % 4) - 1) : undefined;
          const options = { clipMin, dinoMax, maxPerImage, excludeNearDuplicates, duplicateThreshold, sameCategoryOnly: byCategory, categories };
          const result = set.filter(options);
          const expected = referenceFilter(bruteForceCandidates(clip, dino, floor), options);
          expectSamePairs(toPairs(result.pairs), expected.pairs);
          expectSamePairs(toPairs(result.nearDuplicates), expected.nearDuplicates);
          expect(result.total).toBe(expected.pairs.length);
          const limited = set.filter({ ...options, limit: 3 });
          expect(limited.total).toBe(expected.pairs.length);
          expectSamePairs(toPairs(limited.pairs), expected.pairs.slice(0, 3));
          // A second call with other thresholds must not disturb later results (buffers are reused).
          set.filter({ clipMin: floor, dinoMax: 1 });
          expectSamePairs(toPairs(set.filter(options).pairs), expected.pairs);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('adding rows in blocks gives the same candidate set as mining everything at once', () => {
    fc.assert(
      fc.property(dataArb, fc.array(fc.integer({ min: 0, max: 90 }), { minLength: 1, maxLength: 3 }), ({ seed, rows, clipDim, dinoDim, floor, kernel }, cuts) => {
        const { clip, dino } = makeData(seed, rows, clipDim, dinoDim);
        const bounds = [...new Set([0, ...cuts.map((c) => c % (rows + 1)), rows])].sort((x, y) => x - y);
        const whole = PairMiner.build(clip, dino, { floor, kernel }).candidates;
        const miner = PairMiner.build(sliceRows(clip, 0, bounds[1]), sliceRows(dino, 0, bounds[1]), { floor, kernel });
        for (let s = 1; s + 1 < bounds.length; s++) {
          miner.addRows(sliceRows(clip, bounds[s], bounds[s + 1]), sliceRows(dino, bounds[s], bounds[s + 1]));
        }
        const grown = miner.candidates;
        expect(grown.rows).toBe(rows);
        expect(Array.from(grown.a)).toEqual(Array.from(whole.a));
        expect(Array.from(grown.b)).toEqual(Array.from(whole.b));
        expect(Array.from(grown.clip)).toEqual(Array.from(whole.clip));
        expect(Array.from(grown.dino)).toEqual(Array.from(whole.dino));
        expect(Array.from(grown.marginOrder)).toEqual(Array.from(whole.marginOrder));
      }),
      { numRuns: 80 },
    );
  });

  it('counts the sensitivity grid exactly', () => {
    fc.assert(
      fc.property(dataArb, fc.integer({ min: 1, max: 12 }), ({ seed, rows, clipDim, dinoDim, floor }, size) => {
        const { clip, dino } = makeData(seed, rows, clipDim, dinoDim);
        const set = PairMiner.build(clip, dino, { floor }).candidates;
        const grid = set.sensitivityGrid({ size, dinoRange: [-0.1, 1] });
        const all = candidatesOf(set);
        expect(grid.clipThresholds[0]).toBe(floor);
        for (let i = 0; i < size; i++) {
          for (let j = 0; j < size; j++) {
            const expected = all.filter((p) => p.clip > grid.clipThresholds[i] && p.dino < grid.dinoThresholds[j]).length;
            expect(grid.counts[i * size + j]).toBe(expected);
            expect(set.filter({ clipMin: grid.clipThresholds[i], dinoMax: grid.dinoThresholds[j], excludeNearDuplicates: false }).pairs.count).toBe(expected);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('mining engine, fixed cases', () => {
  it('covers ragged tiles and both kernels at a few hundred rows', () => {
    for (const [clipDim, dinoDim] of [
      [64, 48],
      [37, 10],
    ]) {
      const { clip, dino } = makeData(7 + clipDim, 333, clipDim, dinoDim);
      const expected = bruteForceCandidates(clip, dino, 0.8).sort((x, y) => y.clip - x.clip || x.a - y.a || x.b - y.b);
      expect(expected.length).toBeGreaterThan(1000);
      for (const kernel of ['auto', 'js'] as const) {
        expectSamePairs(candidatesOf(PairMiner.build(clip, dino, { kernel }).candidates), expected);
      }
    }
  });

  it('reports progress up to every pair, for a build and for added rows', () => {
    const { clip, dino } = makeData(5, 300, 16, 8);
    const seen: [number, number][] = [];
    const miner = PairMiner.build(sliceRows(clip, 0, 200), sliceRows(dino, 0, 200), { onProgress: (done, total) => void seen.push([done, total]) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toEqual([(200 * 199) / 2, (200 * 199) / 2]);
    seen.length = 0;
    miner.addRows(sliceRows(clip, 200, 300), sliceRows(dino, 200, 300), (done, total) => void seen.push([done, total]));
    // Only the new 100 x 200 block and the 100 x 100 triangle among the new rows.
    expect(seen.at(-1)).toEqual([100 * 200 + (100 * 99) / 2, 100 * 200 + (100 * 99) / 2]);
  });

  it('orders by margin, ties broken by the lower DINO similarity', () => {
    const a = new Uint32Array([0, 0, 1, 2]);
    const b = new Uint32Array([1, 2, 2, 3]);
    const clip = new Float32Array([0.99, 0.95, 0.93, 0.91]);
    const dino = new Float32Array([0.5, 0.45, 0.43, 0.2]);
    const set = new CandidateSet(4, 0.8, a, b, clip, dino);
    // margins: 0.49, 0.50, 0.50, 0.71 -> (2,3), then the two 0.50 ties with lower DINO first.
    const result = set.filter({ clipMin: 0.8, dinoMax: 1 });
    expect(Array.from(result.pairs.index)).toEqual([3, 2, 1, 0]);
  });

  it('caps pairs per image greedily by margin', () => {
    const set = new CandidateSet(
      4,
      0.8,
      new Uint32Array([0, 0, 1, 2]),
      new Uint32Array([1, 2, 2, 3]),
      new Float32Array([0.99, 0.98, 0.97, 0.96]),
      new Float32Array([0.1, 0.3, 0.2, 0.5]),
    );
    // margin order: (0,1) .89, (1,2) .77, (0,2) .68, (2,3) .46. Cap 1: (0,1), then (2,3).
    const result = set.filter({ clipMin: 0.8, dinoMax: 1, maxPerImage: 1 });
    expect(Array.from(result.pairs.a)).toEqual([0, 2]);
    expect(Array.from(result.pairs.b)).toEqual([1, 3]);
    expect(result.matchedBeforeCap).toBe(4);
  });

  it('says what to do about bad input', () => {
    const clip = { rows: 3, dim: 2, data: new Float32Array(6) };
    const dino = { rows: 2, dim: 2, data: new Float32Array(4) };
    expect(() => PairMiner.build(clip, dino)).toThrow(/3 rows but the DINO-side one has 2/);
    const set = PairMiner.build(clip, { rows: 3, dim: 2, data: new Float32Array(6) }, { floor: 0.8 }).candidates;
    expect(() => set.filter({ clipMin: 0.7 })).toThrow(/lower the floor/);
    expect(() => set.filter({ sameCategoryOnly: true })).toThrow(/category per image/);
    const bad = { rows: 2, dim: 2, data: new Float32Array([1, NaN, 0, 1]) };
    expect(() => PairMiner.build(bad, bad)).toThrow(/non-finite/);
  });

  it('restores from plain typed arrays and keeps adding rows', () => {
    const { clip, dino } = makeData(99, 120, 24, 16);
    const whole = PairMiner.build(clip, dino).candidates;
    const first = PairMiner.build(sliceRows(clip, 0, 80), sliceRows(dino, 0, 80));
    const stored = structuredClone(first.exportState());
    const restored = PairMiner.fromState(stored);
    expect(restored.candidates.filter({ clipMin: 0.85, dinoMax: 0.9 }).pairs.count).toBe(first.candidates.filter({ clipMin: 0.85, dinoMax: 0.9 }).pairs.count);
    restored.addRows(sliceRows(clip, 80, 120), sliceRows(dino, 80, 120));
    expect(Array.from(restored.candidates.marginOrder)).toEqual(Array.from(whole.marginOrder));
    expect(Array.from(restored.candidates.clip)).toEqual(Array.from(whole.clip));
    const candidatesOnly = CandidateSet.fromState(structuredClone(whole.exportState()));
    expectSamePairs(toPairs(candidatesOnly.filter({ clipMin: 0.9 }).pairs), toPairs(whole.filter({ clipMin: 0.9 }).pairs));
    expect(() => CandidateSet.fromState({ ...whole.exportState(), b: new Uint32Array(whole.size) })).toThrow(/mine again/);
  });
});
