/**
 * A stand-in encoder worker for the crash test: it claims a batch, completes part of it, says so,
 * and then hangs until the test terminates it (a killed worker mid-batch).
 */
import { openStore } from '../../src/store/index.ts';
import { seededVector } from './store-support.ts';

interface Order {
  dbName: string;
  encoderId: string;
  revision: string;
  claim: number;
  completeFirst: number;
}

self.onmessage = async (event: MessageEvent<Order>) => {
  const order = event.data;
  const store = await openStore({ name: order.dbName });
  const jobs = await store.jobs.claimBatch(order.claim, { encoderId: order.encoderId, revision: order.revision });
  const finished = jobs.slice(0, order.completeFirst);
  await store.jobs.complete(finished.map((job) => ({ jobId: job.id!, vector: seededVector(8, job.id!) })));
  self.postMessage({ claimed: jobs.map((job) => job.sha256), completed: finished.map((job) => job.sha256) });
  // Still "working" on the rest when it is killed.
};
