import { describe, expect, it } from 'vitest';
import { nearestRows, neighbourRank } from '../../src/core/mining/neighbours.ts';
import { pairSimilarity } from '../../src/core/mining/matrix.ts';

// Four unit vectors in 2-D at angles 0, 10, 50 and 180 degrees.
const angles = [0, 10, 50, 180].map((d) => (d * Math.PI) / 180);
const matrix = { rows: 4, dim: 2, data: Float32Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)])) };

describe('neighbour ranks', () => {
  it('ranks the other image among the neighbours (1 = nearest)', () => {
    expect(neighbourRank(matrix, 0, 1)).toBe(1);
    expect(neighbourRank(matrix, 0, 2)).toBe(2);
    expect(neighbourRank(matrix, 0, 3)).toBe(3);
  });

  it('lists the k nearest rows, most similar first, without the row itself', () => {
    const near = nearestRows(matrix, 1, 2);
    expect(near.map((n) => n.index)).toEqual([0, 2]);
    expect(near[0].similarity).toBeCloseTo(Math.cos((10 * Math.PI) / 180), 6);
    // The same number the miner stores for that pair (one similarity rule).
    expect(near[0].similarity).toBe(pairSimilarity(matrix, 1, 0));
  });

  it('breaks ties towards the lower index and never lists more than k', () => {
    const tied = { rows: 4, dim: 2, data: Float32Array.from([1, 0, 0, 1, 0, 1, 0, 1]) };
    expect(nearestRows(tied, 0, 2).map((n) => n.index)).toEqual([1, 2]);
    expect(nearestRows(tied, 1, 5).map((n) => n.index)).toEqual([2, 3, 0]);
  });
});
