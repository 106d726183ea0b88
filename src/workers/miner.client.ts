/** The one place that starts the miner worker (and restarts it after a crash). */
import { WorkerConnection } from './worker-connection.ts';
import type { MinerApi } from './miner.protocol.ts';

export type MinerClient = WorkerConnection<MinerApi>;

export function createMinerClient(onCrash?: (sentence: string) => void): MinerClient {
  return new WorkerConnection<MinerApi>(() => new Worker(new URL('./miner.worker.ts', import.meta.url), { type: 'module' }), 'miner', onCrash);
}
