import { describe, expect, it } from 'vitest';
import { ProjectionCancelledError, umapProject, type UmapProgress } from '../../src/core/projection/umap.ts';
import { seededRandom } from '../../src/core/random.ts';

/** Two well-separated clusters of 30 points in 8-D. */
function twoClusters(): Float32Array {
  const random = seededRandom(9);
  const d = 8;
  const data = new Float32Array(60 * d);
  for (let r = 0; r < 60; r++) for (let c = 0; c < d; c++) data[r * d + c] = (r < 30 ? 0 : 10) + random();
  return data;
}

function centroid(xy: Float32Array, from: number, to: number): [number, number] {
  let x = 0;
  let y = 0;
  for (let r = from; r < to; r++) {
    x += xy[2 * r];
    y += xy[2 * r + 1];
  }
  return [x / (to - from), y / (to - from)];
}

describe('umapProject', () => {
  it('separates two clusters, reports epoch progress and is deterministic', async () => {
    const progress: UmapProgress[] = [];
    const a = await umapProject(twoClusters(), 60, 8, { epochs: 60 }, (p) => progress.push(p));
    const b = await umapProject(twoClusters(), 60, 8, { epochs: 60 });
    expect(a.length).toBe(120);
    expect(Array.from(a)).toEqual(Array.from(b));
    const [ax, ay] = centroid(a, 0, 30);
    const [bx, by] = centroid(a, 30, 60);
    let spread = 0;
    for (let r = 0; r < 30; r++) spread = Math.max(spread, Math.hypot(a[2 * r] - ax, a[2 * r + 1] - ay));
    expect(Math.hypot(ax - bx, ay - by)).toBeGreaterThan(spread);
    expect(progress[0].phase).toBe('neighbours');
    const last = progress[progress.length - 1];
    expect(last).toEqual({ phase: 'epochs', epoch: last.epochs, epochs: last.epochs });
  });

  it('stops between epochs when cancelled', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const run = umapProject(twoClusters(), 60, 8, { epochs: 400, epochsPerYield: 1 }, (p) => {
      seen.push(p.epoch);
      if (p.epoch >= 10) controller.abort();
    }, controller.signal);
    await expect(run).rejects.toBeInstanceOf(ProjectionCancelledError);
    expect(Math.max(...seen)).toBeLessThan(400);
  });
});
