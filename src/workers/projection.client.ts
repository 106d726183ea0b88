/** The one place that starts the projection worker (and restarts it after a crash). */
import { WorkerConnection } from './worker-connection.ts';
import type { ProjectionService } from './projection.protocol.ts';

export type ProjectionClient = WorkerConnection<ProjectionService>;

export function createProjectionClient(onCrash?: (sentence: string) => void): ProjectionClient {
  return new WorkerConnection<ProjectionService>(() => new Worker(new URL('./projection.worker.ts', import.meta.url), { type: 'module' }), 'projection worker', onCrash);
}
