import { describe, expect, it } from 'vitest';
import { countPasses, similaritiesOfPairs, summariseAgreement } from '../../src/core/benchmark/agreement.ts';
import { normalizeRows, pairSimilarity } from '../../src/core/mining/matrix.ts';

describe('agreement between computed and published similarities', () => {
  it("gives Pearson's r, the mean and the largest absolute difference", () => {
    const points = [1, 2, 3, 4].map((computed, i) => ({ computed, published: [2, 4, 5, 4][i] }));
    const summary = summariseAgreement(points);
    // Worked by hand: sxy = 3.5, sxx = 5, syy = 4.75.
    expect(summary.pearson).toBeCloseTo(3.5 / Math.sqrt(5 * 4.75), 14);
    expect(summary.meanAbsDifference).toBeCloseTo((1 + 2 + 2 + 0) / 4, 14);
    expect(summary.maxAbsDifference).toBe(2);
    expect(summary.pairs).toBe(4);
  });

  it('keeps its digits when similarities cluster near 0.9 (centred sums)', () => {
    // y = 0.9 + 1e-6 k and x = 0.9 + 2e-6 k are exactly correlated; the one-pass formula
    // (sum x^2 - n mean^2) cancels almost every digit here.
    const points = Array.from({ length: 200 }, (_, k) => ({ computed: 0.9 + 2e-6 * k, published: 0.9 + 1e-6 * k }));
    expect(summariseAgreement(points).pearson).toBeCloseTo(1, 9);
    const anti = points.map((p) => ({ computed: p.computed, published: 1.8 - p.published }));
    expect(summariseAgreement(anti).pearson).toBeCloseTo(-1, 9);
  });

  it('leaves out points that are not finite and has no r for fewer than two pairs or a constant side', () => {
    expect(summariseAgreement([])).toEqual({ pairs: 0, pearson: null, meanAbsDifference: null, maxAbsDifference: null });
    const one = summariseAgreement([{ computed: 0.5, published: 0.75 }, { computed: NaN, published: 0.2 }]);
    expect(one).toEqual({ pairs: 1, pearson: null, meanAbsDifference: 0.25, maxAbsDifference: 0.25 });
    expect(summariseAgreement([{ computed: 0.5, published: 0.1 }, { computed: 0.5, published: 0.9 }]).pearson).toBeNull();
  });

  it('counts the pairs still past each threshold with the strict confusing rule', () => {
    const passes = countPasses(
      [
        { clip: 0.95, dino: 0.5 },
        { clip: 0.9, dino: 0.5 }, // on the CLIP threshold: not above it
        { clip: 0.95, dino: 0.75 }, // on the DINO threshold: not below it
        { clip: 0.8, dino: 0.9 },
        { clip: NaN, dino: 0.1 },
      ],
      { clipMin: 0.9, dinoMax: 0.75 },
    );
    expect(passes).toEqual({ pairs: 4, clip: 2, dino: 2, both: 1 });
  });

  it("computes pair similarities from stored rows by the miner's rule, NaN where a row is missing", () => {
    const rows = ['a', 'b', 'c'];
    const raw = new Float32Array([3, 4, 0, 1, 1, 1, -2, 0.5, 7]);
    const unit = normalizeRows({ rows: 3, dim: 3, data: raw });
    const got = similaritiesOfPairs({ rows, dim: 3, matrix: raw }, [
      ['a', 'b'],
      ['c', 'a'],
      ['a', 'zzz'],
    ]);
    expect(got[0]).toBe(pairSimilarity(unit, 0, 1));
    expect(got[1]).toBe(pairSimilarity(unit, 2, 0));
    expect(Number.isNaN(got[2])).toBe(true);
    // A zero row (an embedding never computed) is missing, not a similarity of 0.
    const zero = similaritiesOfPairs({ rows: ['a', 'b'], dim: 2, matrix: new Float32Array([1, 0, 0, 0]) }, [['a', 'b']]);
    expect(Number.isNaN(zero[0])).toBe(true);
  });
});
