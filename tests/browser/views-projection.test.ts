import { afterAll, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import type { ProjectionService, UmapProgress } from '../../src/workers/projection.protocol.ts';

const worker = new Worker(new URL('../../src/workers/projection.worker.ts', import.meta.url), { type: 'module' });
const api = Comlink.wrap<ProjectionService>(worker);

/** Three clusters of 40 points in 16-D. */
function clusters(): Float32Array {
  const d = 16;
  const data = new Float32Array(120 * d);
  for (let r = 0; r < 120; r++) {
    const cluster = Math.floor(r / 40);
    for (let c = 0; c < d; c++) data[r * d + c] = (c % 3 === cluster ? 5 : 0) + Math.sin(r * 12.9898 + c * 78.233) * 0.5;
  }
  return data;
}

describe('projection worker', () => {
  afterAll(() => worker.terminate());

  it('projects with PCA: first axis separates the clusters', async () => {
    const { positions, explained } = await api.pca(clusters(), 120, 16);
    expect(positions.length).toBe(240);
    expect(explained[0]).toBeGreaterThan(explained[1]);
    expect(explained[0] + explained[1]).toBeGreaterThan(0.8);
  });

  it('runs UMAP with epoch progress, and cancels a running job', async () => {
    const seen: UmapProgress[] = [];
    const positions = await api.umap('a', clusters(), 120, 16, { epochs: 50 }, Comlink.proxy((p: UmapProgress) => void seen.push(p)));
    expect(positions.length).toBe(240);
    expect(positions.every((v) => Number.isFinite(v))).toBe(true);
    expect(seen.at(-1)).toEqual({ phase: 'epochs', epoch: 50, epochs: 50 });

    let cancelled = false;
    const running = api.umap('b', clusters(), 120, 16, { epochs: 5000, epochsPerYield: 1 }, Comlink.proxy((p: UmapProgress) => {
      if (p.epoch >= 5 && !cancelled) {
        cancelled = true;
        void api.cancel('b');
      }
    }));
    await expect(running).rejects.toThrow(/cancelled/);
  });
});
