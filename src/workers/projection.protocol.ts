/** What crosses the projection worker's boundary. */
export type { ProjectionService, PcaProjection } from '../core/projection/projection-service.ts';
export type { UmapProgress, UmapOptions } from '../core/projection/umap.ts';
export type { PcaOptions } from '../core/projection/pca.ts';
