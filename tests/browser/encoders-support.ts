/** Shared helpers for the encoder browser tests (not a test file itself). */
import * as Comlink from 'comlink';
import { inject } from 'vitest';
import type { EncoderStatus } from '../../src/core/encoders/encoder-runner.ts';
import { getEncoder, type EncoderEntry } from '../../src/core/encoders/registry.ts';
import type { EncoderWorker } from '../../src/workers/encoder.protocol.ts';
import type { HubRequest } from '../support/hub-server.ts';
import { cosine } from '../support/cosine.ts';
export { cosine };

export const hubUrl = inject('hubUrl');
export const hubRevision = inject('hubRevision');

export interface WorkerHandle {
  api: Comlink.Remote<EncoderWorker>;
  statuses: EncoderStatus[];
  onStatus: (status: EncoderStatus) => void;
  terminate(): void;
}

export function startEncoderWorker(): WorkerHandle {
  const worker = new Worker(new URL('../../src/workers/encoder.worker.ts', import.meta.url), { type: 'module' });
  const statuses: EncoderStatus[] = [];
  return {
    api: Comlink.wrap<EncoderWorker>(worker),
    statuses,
    onStatus: Comlink.proxy((status: EncoderStatus) => void statuses.push(status)),
    terminate: () => worker.terminate(),
  };
}

/** A fixture encoder published on the hub mimic under `test-org/<id>`, with an id that has no self-hosted folder. */
export function hubFixtureEntry(id: 'fixture-clip' | 'fixture-dino', revision = hubRevision): EncoderEntry {
  return { ...getEncoder(id), id: `hub-${id}`, source: { kind: 'hub', repo: `test-org/${id}`, revision } };
}

export async function hubRequests(): Promise<HubRequest[]> {
  return (await fetch(`${hubUrl}/__hub/requests`)).json() as Promise<HubRequest[]>;
}

/** Clears the hub log and faults, and the transformers.js Cache API entries of this origin. */
export async function resetHub(): Promise<void> {
  await fetch(`${hubUrl}/__hub/reset`, { method: 'POST' });
  await caches.delete('transformers-cache');
}

export async function injectHubFault(file: string, mode: '404' | '500' | 'truncated' | 'slow'): Promise<void> {
  await fetch(`${hubUrl}/__hub/fault?file=${encodeURIComponent(file)}&mode=${mode}`, { method: 'POST' });
}


export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
