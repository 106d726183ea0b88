import { describe, expect, it } from 'vitest';
import { nearestRows, neighbourRank } from '../../src/ui/panels/pair-ranks.ts';

// Four unit vectors in 2-D at angles 0, 10, 50 and 180 degrees.
const angles = [0, 10, 50, 180].map((d) => (d * Math.PI) / 180);
const matrix = Float32Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)]));

describe('neighbour ranks', () => {
  it('ranks the other image among the neighbours (1 = nearest)', () => {
    expect(neighbourRank(matrix, 2, 4, 0, 1)).toBe(1);
    expect(neighbourRank(matrix, 2, 4, 0, 2)).toBe(2);
    expect(neighbourRank(matrix, 2, 4, 0, 3)).toBe(3);
  });

  it('lists the k nearest rows, most similar first, without the row itself', () => {
    const near = nearestRows(matrix, 2, 4, 1, 2);
    expect(near.map((n) => n.index)).toEqual([0, 2]);
    expect(near[0].similarity).toBeCloseTo(Math.cos((10 * Math.PI) / 180), 6);
  });
});
