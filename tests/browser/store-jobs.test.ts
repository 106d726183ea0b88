import { afterEach, describe, expect, it } from 'vitest';
import { deleteDB } from 'idb';
import { openStore, type Store } from '../../src/store/index.ts';
import { fakeHash, freshStore, sampleItem, seededVector, uniqueDbName } from './store-support.ts';

const CLIP = { encoderId: 'clip', revision: 'r1' };

let cleanups: Array<() => Promise<void>> = [];
async function open(label: string): Promise<Store> {
  const { store, cleanup } = await freshStore(label);
  cleanups.push(cleanup);
  return store;
}
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

/** Embeds every claimable job like an encoder worker would, counting embeddings per item. */
async function drain(store: Store, embedCalls: Map<string, number>, batch = 4): Promise<void> {
  for (;;) {
    const jobs = await store.jobs.claimBatch(batch, CLIP);
    if (jobs.length === 0) return;
    for (const job of jobs) embedCalls.set(job.sha256, (embedCalls.get(job.sha256) ?? 0) + 1);
    const report = await store.jobs.complete(jobs.map((job) => ({ jobId: job.id!, vector: seededVector(8, job.id!) })));
    expect(report).toEqual({ completed: jobs.length, alreadyDone: 0, unknown: 0 });
  }
}

describe('job queue', () => {
  it('enqueue skips what is embedded or queued, so nothing is embedded twice', async () => {
    const store = await open('enqueue');
    const hashes = Array.from({ length: 6 }, (_, i) => fakeHash(i));
    await store.embeddings.putMany(CLIP.encoderId, CLIP.revision, [{ sha256: hashes[0], vector: seededVector(8, 0) }]);
    const first = await store.jobs.enqueue([...hashes, hashes[1]], CLIP.encoderId, CLIP.revision);
    expect(first).toEqual({ added: 5, requeued: 0, alreadyEmbedded: 1, alreadyQueued: 0, previouslyFailed: 0 });
    const again = await store.jobs.enqueue(hashes, CLIP.encoderId, CLIP.revision);
    expect(again).toEqual({ added: 0, requeued: 0, alreadyEmbedded: 1, alreadyQueued: 5, previouslyFailed: 0 });
    // Another encoder revision is another target.
    expect((await store.jobs.enqueue(hashes, CLIP.encoderId, 'r2')).added).toBe(6);
    expect(await store.jobs.counts(CLIP.encoderId, CLIP.revision)).toEqual({ pending: 5, running: 0, done: 0, failed: 0 });
    expect(await store.jobs.counts()).toEqual({ pending: 11, running: 0, done: 0, failed: 0 });
  });

  it('claims oldest first for one encoder, completes atomically, fails and retries', async () => {
    const store = await open('claim');
    const hashes = Array.from({ length: 5 }, (_, i) => fakeHash(i));
    await store.jobs.enqueue(hashes, CLIP.encoderId, CLIP.revision);
    await store.jobs.enqueue(hashes, 'dino', 'r1');
    const batch = await store.jobs.claimBatch(3, CLIP);
    expect(batch.map((j) => j.sha256)).toEqual(hashes.slice(0, 3));
    expect(batch.every((j) => j.state === 'running' && j.attempts === 1 && j.encoderId === 'clip')).toBe(true);
    expect(await store.jobs.counts(CLIP.encoderId, CLIP.revision)).toEqual({ pending: 2, running: 3, done: 0, failed: 0 });

    // A result that cannot be stored (zero vector) rolls back the whole completion.
    await expect(
      store.jobs.complete([{ jobId: batch[0].id!, vector: seededVector(8, 1) }, { jobId: batch[1].id!, vector: new Float32Array(8) }]),
    ).rejects.toThrow(/zero or not finite/);
    expect(await store.embeddings.count(CLIP.encoderId, CLIP.revision)).toBe(0);
    expect(await store.jobs.counts(CLIP.encoderId, CLIP.revision)).toMatchObject({ running: 3, done: 0 });

    const report = await store.jobs.complete([
      { jobId: batch[0].id!, vector: seededVector(8, 1) },
      { jobId: batch[1].id!, vector: seededVector(8, 2) },
    ]);
    expect(report).toEqual({ completed: 2, alreadyDone: 0, unknown: 0 });
    expect(await store.embeddings.hashes(CLIP.encoderId, CLIP.revision)).toEqual(hashes.slice(0, 2).sort());
    // Completing twice (a late duplicate result) changes nothing.
    expect(await store.jobs.complete([{ jobId: batch[0].id!, vector: seededVector(8, 9) }])).toEqual({ completed: 0, alreadyDone: 1, unknown: 0 });
    expect(await store.embeddings.count(CLIP.encoderId, CLIP.revision)).toBe(2);

    expect(await store.jobs.fail(batch[2].id!, 'The image could not be decoded.')).toBe(true);
    const failed = await store.jobs.list('failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].error).toBe('The image could not be decoded.');
    expect((await store.jobs.enqueue([hashes[2]], CLIP.encoderId, CLIP.revision)).previouslyFailed).toBe(1);
    expect(await store.jobs.retryFailed()).toBe(1);
    expect(await store.jobs.counts(CLIP.encoderId, CLIP.revision)).toEqual({ pending: 3, running: 0, done: 2, failed: 0 });

    // Handing back untried jobs does not count an attempt.
    const untried = await store.jobs.claimBatch(10, CLIP);
    expect(await store.jobs.release(untried.map((j) => j.id!))).toBe(3);
    const pending = await store.jobs.list('pending');
    expect(pending.filter((j) => j.encoderId === 'clip').map((j) => j.attempts).sort()).toEqual([0, 0, 1]);

    // A removed embedding makes a done job pending again on the next enqueue.
    await store.embeddings.deleteEncoder(CLIP.encoderId, CLIP.revision);
    expect((await store.jobs.enqueue(hashes, CLIP.encoderId, CLIP.revision)).requeued).toBe(2);
    expect(await store.jobs.pruneDone()).toBe(0);
  });

  it('claims only jobs whose pixels are available and lists the files to drop again', async () => {
    const store = await open('pixels');
    const [kept, inSession, gone] = [fakeHash(1), fakeHash(2), fakeHash(3)];
    await store.items.putMany([
      sampleItem(kept, { original: new Blob([new Uint8Array([1])]) }),
      sampleItem(inSession),
      sampleItem(gone, { name: 'gone.dcm', relativePath: 'cd/gone.dcm' }),
    ]);
    await store.jobs.enqueue([kept, inSession, gone], CLIP.encoderId, CLIP.revision);
    const hasPixels = (sha: string): boolean => sha === inSession;
    const sources = await store.jobs.pixelSources(hasPixels);
    expect(sources).toEqual({ fromStore: [kept], fromSession: [inSession], needRedrop: [{ sha256: gone, name: 'gone.dcm', relativePath: 'cd/gone.dcm' }], orphaned: [] });
    const claimed = await store.jobs.claimBatch(10, { ...CLIP, hasPixels });
    expect(claimed.map((j) => j.sha256).sort()).toEqual([kept, inSession].sort());
    expect((await store.jobs.list('pending')).map((j) => j.sha256)).toEqual([gone]);
  });

  it('a reload mid-batch resumes: running jobs become pending and each item is embedded exactly once', async () => {
    const name = uniqueDbName('reload');
    const hashes = Array.from({ length: 10 }, (_, i) => fakeHash(i));
    const embedCalls = new Map<string, number>();
    let store = await openStore({ name });
    await store.jobs.enqueue(hashes, CLIP.encoderId, CLIP.revision);
    const batch = await store.jobs.claimBatch(4, CLIP);
    // The page dies before completing the batch: the connection goes away with jobs running.
    store.close();

    store = await openStore({ name });
    expect(await store.jobs.counts(CLIP.encoderId, CLIP.revision)).toEqual({ pending: 6, running: 4, done: 0, failed: 0 });
    expect(await store.jobs.recoverInterrupted()).toBe(4);
    expect(await store.jobs.counts(CLIP.encoderId, CLIP.revision)).toEqual({ pending: 10, running: 0, done: 0, failed: 0 });
    await drain(store, embedCalls);
    expect(await store.embeddings.hashes(CLIP.encoderId, CLIP.revision)).toEqual([...hashes].sort());
    expect([...embedCalls.values()].every((n) => n === 1)).toBe(true);
    expect(embedCalls.size).toBe(10);
    const done = await store.jobs.list('done');
    expect(done).toHaveLength(10);
    const interrupted = new Set(batch.map((j) => j.id));
    for (const job of done) expect(job.attempts).toBe(interrupted.has(job.id) ? 2 : 1);
    expect((await store.jobs.enqueue(hashes, CLIP.encoderId, CLIP.revision)).alreadyEmbedded).toBe(10);
    store.close();
    await deleteDB(name);
  });

  it('a worker killed mid-batch loses nothing: its finished part stays, the rest resumes', async () => {
    const name = uniqueDbName('killed');
    const hashes = Array.from({ length: 12 }, (_, i) => fakeHash(i, 5));
    const setup = await openStore({ name });
    await setup.jobs.enqueue(hashes, CLIP.encoderId, CLIP.revision);
    setup.close();

    const worker = new Worker(new URL('./store-crash-worker.ts', import.meta.url), { type: 'module' });
    const progress = new Promise<{ claimed: string[]; completed: string[] }>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(event.message));
    });
    worker.postMessage({ dbName: name, ...CLIP, claim: 6, completeFirst: 2 });
    const { claimed, completed } = await progress;
    worker.terminate();
    expect(claimed).toHaveLength(6);
    expect(completed).toHaveLength(2);

    // The next page load.
    const store = await openStore({ name });
    expect(await store.jobs.counts(CLIP.encoderId, CLIP.revision)).toEqual({ pending: 6, running: 4, done: 2, failed: 0 });
    expect(await store.jobs.recoverInterrupted()).toBe(4);
    const embedCalls = new Map<string, number>();
    await drain(store, embedCalls);
    expect([...embedCalls.keys()].sort()).toEqual(hashes.filter((h) => !completed.includes(h)).sort());
    expect([...embedCalls.values()].every((n) => n === 1)).toBe(true);
    expect(await store.embeddings.hashes(CLIP.encoderId, CLIP.revision)).toEqual([...hashes].sort());
    expect(await store.jobs.counts(CLIP.encoderId, CLIP.revision)).toEqual({ pending: 0, running: 0, done: 12, failed: 0 });
    store.close();
    await deleteDB(name);
  });
});
