import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PairMiner, type EmbeddingMatrix } from '../../src/core/mining/index.ts';
import { knnCandidates, nearestNeighbours } from '../../src/core/mining/knn.ts';
import { allPairsSlice, candidatesFromPairs, parseShard, shardRows, type KnnCandidates, type PairRecords } from '../../src/core/mining/shards.ts';
import { normalizeRows } from '../../src/core/mining/matrix.ts';
import { clusteredMatrix, gaussian, prng, referenceFilter } from './mining-reference.ts';
import { referenceKnnCandidates, referenceNeighbours, type RefKnnPair } from './mining-knn-reference.ts';

function randomMatrix(random: () => number, rows: number, dim: number): EmbeddingMatrix {
  return { rows, dim, data: Float32Array.from({ length: rows * dim }, () => gaussian(random)) };
}

/** Clustered rows plus exact copies of a few rows, so equal similarities (ties) occur. */
function clusteredWithCopies(random: () => number, rows: number, dim: number): EmbeddingMatrix {
  const m = clusteredMatrix(random, rows, dim, 4, 0.3, 2);
  for (let c = 0; c < Math.floor(rows / 10); c++) {
    const from = Math.floor(random() * rows);
    const to = Math.floor(random() * rows);
    m.data.copyWithin(to * dim, from * dim, from * dim + dim);
  }
  return m;
}

function pairsOf(c: KnnCandidates): RefKnnPair[] {
  const { set } = c;
  return Array.from({ length: set.size }, (_, i) => ({ a: set.a[i], b: set.b[i], clip: set.clip[i], dino: set.dino[i], rankAB: c.rankAB[i], rankBA: c.rankBA[i] }));
}

function expectSameKnn(actual: RefKnnPair[], expected: RefKnnPair[]): void {
  expect(actual.map((p) => `${p.a},${p.b},${p.rankAB},${p.rankBA}`)).toEqual(expected.map((p) => `${p.a},${p.b},${p.rankAB},${p.rankBA}`));
  actual.forEach((p, i) => {
    expect(Math.abs(p.clip - expected[i].clip)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(p.dino - expected[i].dino)).toBeLessThanOrEqual(1e-6);
  });
}

const dataArb = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  rows: fc.integer({ min: 2, max: 300 }),
  clipDim: fc.integer({ min: 1, max: 37 }),
  dinoDim: fc.integer({ min: 1, max: 19 }),
  k: fc.integer({ min: 1, max: 12 }),
  floor: fc.double({ min: -0.9, max: 0.95, noNaN: true }),
  clustered: fc.boolean(),
  kernel: fc.constantFrom('auto' as const, 'js' as const),
});

function makeData(d: { seed: number; rows: number; clipDim: number; dinoDim: number; clustered: boolean }) {
  const random = prng(d.seed);
  const clip = d.clustered ? clusteredWithCopies(random, d.rows, d.clipDim) : randomMatrix(random, d.rows, d.clipDim);
  return { clip, dino: randomMatrix(random, d.rows, d.dinoDim) };
}

describe('k-NN candidates against brute force', () => {
  it('lists each row\'s K nearest neighbours at or above the floor, self excluded, ties to the lower index', () => {
    fc.assert(
      fc.property(dataArb, (d) => {
        const { clip } = makeData(d);
        const lists = nearestNeighbours(normalizeRows(clip), { k: d.k, floor: d.floor, kernel: d.kernel });
        const expected = referenceNeighbours(clip, d.k, d.floor);
        for (let r = 0; r < clip.rows; r++) {
          const got = Array.from(lists.index.subarray(r * d.k, (r + 1) * d.k)).filter((i) => i >= 0);
          expect(got).toEqual(expected[r].map((x) => x.index));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('unions both directions into the candidate set, with both ranks and exact similarities', () => {
    fc.assert(
      fc.property(dataArb, (d) => {
        const { clip, dino } = makeData(d);
        const got = knnCandidates(clip, dino, { k: d.k, floor: d.floor, kernel: d.kernel });
        expectSameKnn(pairsOf(got), referenceKnnCandidates(clip, dino, d.k, d.floor));
      }),
      { numRuns: 60 },
    );
  });

  it('filters the k-NN candidates as today\'s candidate set does (DINO cut, margin order, cap)', () => {
    const random = prng(7);
    const clip = clusteredWithCopies(random, 260, 24);
    const dino = clusteredMatrix(random, 260, 16, 9, 0.6);
    const got = knnCandidates(clip, dino, { k: 6, floor: 0.5 });
    const reference = referenceKnnCandidates(clip, dino, 6, 0.5);
    for (const f of [{ clipMin: 0.6, dinoMax: 0.7 }, { clipMin: 0.5, dinoMax: 0.9, maxPerImage: 2 }]) {
      const result = got.set.filter(f);
      const expected = referenceFilter(reference, f).pairs;
      expect(expected.length).toBeGreaterThan(10);
      expect(Array.from(result.pairs.a).map((a, i) => `${a},${result.pairs.b[i]}`)).toEqual(expected.map((p) => `${p.a},${p.b}`));
    }
  });

  it('keeps shorter lists when fewer than K rows reach the floor, and explains bad options', () => {
    const random = prng(3);
    const clip = randomMatrix(random, 40, 64);
    const lists = nearestNeighbours(normalizeRows(clip), { k: 5, floor: 0.9 });
    expect(Array.from(lists.index).every((i) => i === -1)).toBe(true);
    expect(() => nearestNeighbours(clip, { k: 0 })).toThrow(/whole number >= 1/);
    expect(() => nearestNeighbours(clip, { k: 2, rowStart: 30, rowEnd: 50 })).toThrow(/row range/);
  });
});

function concatCandidates(parts: KnnCandidates[]): PairRecords {
  const all = parts.flatMap(pairsOf);
  return {
    a: Uint32Array.from(all, (p) => p.a),
    b: Uint32Array.from(all, (p) => p.b),
    clip: Float32Array.from(all, (p) => p.clip),
    dino: Float32Array.from(all, (p) => p.dino),
    rankAB: Uint32Array.from(all, (p) => p.rankAB),
    rankBA: Uint32Array.from(all, (p) => p.rankBA),
  };
}

describe('shards', () => {
  it('parses i/n and explains a bad one', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(parseShard('5/5')).toMatch(/below the count/);
    expect(parseShard('x')).toMatch(/i\/n/);
  });

  it('k-NN shards cover the rows and their union is the single run', () => {
    fc.assert(
      fc.property(dataArb, fc.integer({ min: 1, max: 7 }), (d, count) => {
        const { clip, dino } = makeData(d);
        const parts = Array.from({ length: count }, (_, index) => {
          const { start, end } = shardRows(clip.rows, { index, count }, 'knn');
          return knnCandidates(clip, dino, { k: d.k, floor: d.floor, kernel: d.kernel, rowStart: start, rowEnd: end });
        });
        expect(shardRows(clip.rows, { index: count - 1, count }, 'knn').end).toBe(clip.rows);
        const merged = candidatesFromPairs(clip.rows, d.floor, concatCandidates(parts));
        expectSameKnn(pairsOf(merged), pairsOf(knnCandidates(clip, dino, { k: d.k, floor: d.floor })));
      }),
      { numRuns: 40 },
    );
  });

  it('all-pairs shards union to the all-pairs miner\'s candidates', () => {
    fc.assert(
      fc.property(dataArb, fc.integer({ min: 1, max: 6 }), (d, count) => {
        const { clip, dino } = makeData(d);
        const floor = Math.max(d.floor, 0.2);
        const parts = Array.from({ length: count }, (_, index) => {
          const { start, end } = shardRows(clip.rows, { index, count }, 'all-pairs');
          return allPairsSlice(clip, dino, floor, start, end, d.kernel);
        });
        const merged = candidatesFromPairs(clip.rows, floor, concatCandidates(parts)).set;
        const single = PairMiner.build(clip, dino, { floor }).candidates;
        expect(Array.from(merged.a)).toEqual(Array.from(single.a));
        expect(Array.from(merged.b)).toEqual(Array.from(single.b));
        expect(Array.from(merged.clip)).toEqual(Array.from(single.clip));
        expect(Array.from(merged.dino)).toEqual(Array.from(single.dino));
      }),
      { numRuns: 40 },
    );
  });
});
