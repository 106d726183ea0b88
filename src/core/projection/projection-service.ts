/**
 * Projections as a service for the projection worker: PCA (instant) and UMAP (seconds, with
 * epoch progress and cancellation by job id). The k-nearest-neighbour phase of UMAP cannot be
 * interrupted; terminate the worker for a hard stop.
 */
import { pca, type PcaOptions } from './pca.ts';
import { umapProject, type UmapOptions, type UmapProgress } from './umap.ts';

export interface PcaProjection {
  positions: Float32Array;
  explained: Float64Array;
}

export class ProjectionService {
  private readonly jobs = new Map<string, AbortController>();

  pca(data: Float32Array, n: number, d: number, options: PcaOptions = {}): PcaProjection {
    const result = pca(data, n, d, { ...options, components: 2 });
    return { positions: result.positions, explained: result.explained };
  }

  async umap(jobId: string, data: Float32Array, n: number, d: number, options: UmapOptions = {}, onProgress?: (progress: UmapProgress) => void): Promise<Float32Array> {
    this.jobs.get(jobId)?.abort();
    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    try {
      return await umapProject(data, n, d, options, onProgress, controller.signal);
    } finally {
      if (this.jobs.get(jobId) === controller) this.jobs.delete(jobId);
    }
  }

  cancel(jobId: string): void {
    this.jobs.get(jobId)?.abort();
  }
}
