/**
 * UMAP to 2-D with umap-js, run epoch by epoch so a caller can show progress and cancel.
 * Pure TypeScript: the projection worker wraps it, and Node tests call it directly.
 */
import { UMAP } from 'umap-js';
import { seededRandom } from '../random.ts';

export interface UmapOptions {
  /** Neighbours per point (default 15, capped at n - 1). */
  neighbors?: number;
  /** Minimum distance between embedded points (default 0.1). */
  minDist?: number;
  /** Optimisation epochs; umap-js picks 200-500 by size when left out. */
  epochs?: number;
  /** Seed for every random choice umap-js makes (default 1). */
  seed?: number;
  /** Epochs run between yields to the event loop (lets cancel messages arrive; default 5). */
  epochsPerYield?: number;
}

export interface UmapProgress {
  phase: 'neighbours' | 'epochs';
  epoch: number;
  epochs: number;
}

export class ProjectionCancelledError extends Error {
  constructor() {
    super('The projection was cancelled.');
    this.name = 'ProjectionCancelledError';
  }
}

/**
 * Embeds n rows of dimension d (row-major) in 2-D; returns x, y interleaved.
 * Rejects with ProjectionCancelledError when `signal` aborts between epochs.
 * Fewer than 3 points cannot form a neighbour graph: they are laid out on a line instead.
 */
export async function umapProject(
  data: Float32Array,
  n: number,
  d: number,
  options: UmapOptions = {},
  onProgress?: (progress: UmapProgress) => void,
  signal?: AbortSignal,
): Promise<Float32Array> {
  if (data.length !== n * d) throw new Error(`UMAP expected ${n} x ${d} = ${n * d} values but got ${data.length}.`);
  if (n < 3) return Float32Array.from({ length: 2 * n }, (_, i) => (i % 2 === 0 ? i / 2 : 0));
  const rows: number[][] = new Array(n);
  for (let r = 0; r < n; r++) rows[r] = Array.from(data.subarray(r * d, (r + 1) * d));
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.max(2, Math.min(options.neighbors ?? 15, n - 1)),
    minDist: options.minDist ?? 0.1,
    nEpochs: options.epochs,
    random: seededRandom(options.seed ?? 1),
  });
  onProgress?.({ phase: 'neighbours', epoch: 0, epochs: 0 });
  if (signal?.aborted) throw new ProjectionCancelledError();
  const epochs = umap.initializeFit(rows);
  const perYield = Math.max(1, options.epochsPerYield ?? 5);
  for (let epoch = 0; epoch < epochs; ) {
    for (let k = 0; k < perYield && epoch < epochs; k++) epoch = umap.step();
    onProgress?.({ phase: 'epochs', epoch, epochs });
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    if (signal?.aborted) throw new ProjectionCancelledError();
  }
  const embedding = umap.getEmbedding();
  const positions = new Float32Array(2 * n);
  for (let r = 0; r < n; r++) {
    positions[2 * r] = embedding[r][0];
    positions[2 * r + 1] = embedding[r][1];
  }
  return positions;
}
