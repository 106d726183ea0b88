/**
 * Projection worker: PCA (instant) and UMAP (seconds, with epoch progress and cancellation).
 * Thin comlink wrapper around src/core/projection; buffers are transferred, not copied.
 *
 * Usage from the UI thread:
 *   const api = Comlink.wrap<ProjectionApi>(new Worker(new URL('./projection.worker.ts', import.meta.url), { type: 'module' }));
 *   const xy = await api.umap(jobId, data, n, d, {}, Comlink.proxy((p) => ...));
 *   api.cancel(jobId);   // the pending umap call rejects with "The projection was cancelled."
 * The k-nearest-neighbour phase cannot be interrupted; terminate the worker for a hard stop.
 */
import * as Comlink from 'comlink';
import { pca, type PcaOptions } from '../core/projection/pca.ts';
import { umapProject, type UmapOptions, type UmapProgress } from '../core/projection/umap.ts';

export type { UmapProgress, UmapOptions, PcaOptions };

export interface PcaProjection {
  positions: Float32Array;
  explained: Float64Array;
}

export class ProjectionApi {
  private readonly jobs = new Map<string, AbortController>();

  pca(data: Float32Array, n: number, d: number, options: PcaOptions = {}): PcaProjection {
    const result = pca(data, n, d, { ...options, components: 2 });
    return Comlink.transfer({ positions: result.positions, explained: result.explained }, [result.positions.buffer]);
  }

  async umap(
    jobId: string,
    data: Float32Array,
    n: number,
    d: number,
    options: UmapOptions = {},
    onProgress?: (progress: UmapProgress) => void,
  ): Promise<Float32Array> {
    this.jobs.get(jobId)?.abort();
    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    try {
      const positions = await umapProject(data, n, d, options, onProgress, controller.signal);
      return Comlink.transfer(positions, [positions.buffer]);
    } finally {
      if (this.jobs.get(jobId) === controller) this.jobs.delete(jobId);
    }
  }

  cancel(jobId: string): void {
    this.jobs.get(jobId)?.abort();
  }
}

Comlink.expose(new ProjectionApi());
