/**
 * Helpers for the reliability tests (not a test file itself): what the store holds of an app's
 * work, checked against the invariants of issue #16 (every item embedded exactly once per encoder,
 * every job done), the exact candidate set by brute force over the stored embeddings, and a
 * Worker spy that lets a test act the moment a given call has been posted to a given worker.
 */
import { expect } from 'vitest';
import type { ExplorerApp } from '../../src/app/app.svelte.ts';
import { revisionKeyOf } from '../../src/app/encoders.svelte.ts';
import type { Store } from '../../src/store/index.ts';
import { storedSimilarity } from './review-imported-support.ts';

export const ENCODERS = ['fixture-clip', 'fixture-dino'] as const;

/** What the store holds, per encoder: embedded hashes and job states. */
export async function storedWork(store: Store) {
  const items = (await store.items.all()).map((item) => item.sha256).sort();
  const perEncoder = await Promise.all(
    ENCODERS.map(async (id) => {
      const revision = revisionKeyOf(id)!;
      const jobs = (await Promise.all((['pending', 'running', 'done', 'failed'] as const).map((state) => store.jobs.list(state)))).flat().filter((job) => job.encoderId === id && job.revision === revision);
      return { id, embedded: (await store.embeddings.hashes(id, revision)).sort(), count: await store.embeddings.count(id, revision), jobs };
    }),
  );
  return { items, perEncoder, candidateKeys: await store.candidates.keys() };
}

/**
 * Every stored item has exactly one embedding per encoder and exactly one job per encoder, done,
 * claimed once (a batch lost with a dead worker is released untried, so it does not count).
 */
export async function expectAllEmbeddedOnce(store: Store, expectedItems: number): Promise<void> {
  const work = await storedWork(store);
  expect(work.items).toHaveLength(expectedItems);
  for (const encoder of work.perEncoder) {
    expect(encoder.embedded, encoder.id).toEqual(work.items);
    expect(encoder.count, encoder.id).toBe(expectedItems);
    expect(encoder.jobs.map((job) => job.sha256).sort(), encoder.id).toEqual(work.items);
    expect(encoder.jobs.filter((job) => job.state !== 'done'), encoder.id).toEqual([]);
    expect(encoder.jobs.filter((job) => job.attempts !== 1).map((job) => job.attempts), encoder.id).toEqual([]);
  }
}

/** Every pair with CLIP similarity >= floor among `hashes`, from the stored embeddings, by sorted hash pair. */
export async function bruteForcePairs(app: ExplorerApp, hashes: readonly string[], floor: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < hashes.length; i++) {
    for (let j = i + 1; j < hashes.length; j++) {
      const s = await storedSimilarity(app, hashes[i], hashes[j]);
      if (s.clip >= floor) out.push([hashes[i], hashes[j]].sort().join(' '));
    }
  }
  return out.sort();
}

/** The stored candidate set (the one key there must be) as sorted hash pairs, and its rows. */
export async function storedPairs(store: Store): Promise<{ rows: string[]; pairs: string[] }> {
  const keys = await store.candidates.keys();
  expect(keys).toHaveLength(1);
  const record = (await store.candidates.get(keys[0]))!;
  const pairs: string[] = [];
  for (let k = 0; k < record.a.length; k++) pairs.push([record.rows[record.a[k]], record.rows[record.b[k]]].sort().join(' '));
  return { rows: record.rows, pairs: pairs.sort() };
}

/** Polls outside a test body too (expect.poll may only run inside one). */
export async function until(condition: () => boolean, timeoutMs: number, what = 'the condition'): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A comlink call posted to a worker: the worker's script URL, which worker of that URL (0 first), the method's path. */
export interface PostedCall {
  url: string;
  instance: number;
  method: string;
}

/**
 * What to do with a posted call: 'crash' runs `act` in a microtask right after the post (the
 * worker cannot have answered yet: its answer is a task), 'swallow' never delivers the call (a
 * worker that hangs) and runs `act`.
 */
export interface CallTrap {
  matches(call: PostedCall): boolean;
  mode: 'crash' | 'swallow';
  act(): void;
}

/**
 * Installs a Worker subclass that springs each trap once; returns the calls seen, `reset` (forget
 * traps, calls and worker numbering, between tests) and the uninstaller.
 */
export function spyOnWorkers(): { traps: CallTrap[]; calls: PostedCall[]; reset(): void; restore(): void } {
  const RealWorker = globalThis.Worker;
  const traps: CallTrap[] = [];
  const calls: PostedCall[] = [];
  const created = new Map<string, number>();
  class SpiedWorker extends RealWorker {
    private readonly scriptUrl: string;
    private readonly instance: number;
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      this.scriptUrl = String(url);
      this.instance = created.get(this.scriptUrl) ?? 0;
      created.set(this.scriptUrl, this.instance + 1);
    }
    override postMessage(message: unknown, transfer?: Transferable[] | StructuredSerializeOptions): void {
      const path = (message as { type?: string; path?: unknown[] } | null)?.type === 'APPLY' ? (message as { path: unknown[] }).path : null;
      const call = path ? { url: this.scriptUrl, instance: this.instance, method: path.map(String).join('.') } : null;
      if (call) calls.push(call);
      const at = call ? traps.findIndex((trap) => trap.matches(call)) : -1;
      const trap = at >= 0 ? traps.splice(at, 1)[0] : null;
      if (trap?.mode === 'swallow') {
        trap.act();
        return;
      }
      if (Array.isArray(transfer)) super.postMessage(message, transfer);
      else super.postMessage(message, transfer);
      if (trap) queueMicrotask(() => trap.act());
    }
  }
  globalThis.Worker = SpiedWorker as typeof Worker;
  return {
    traps,
    calls,
    reset: () => {
      traps.length = 0;
      calls.length = 0;
      created.clear();
    },
    restore: () => void (globalThis.Worker = RealWorker),
  };
}
