import { describe, expect, it } from 'vitest';
import { deleteDB, openDB } from 'idb';
import {
  BLOCKED_MESSAGE,
  DELETED_ELSEWHERE_MESSAGE,
  LATEST_VERSION,
  STORAGE_FULL_MESSAGE,
  StorageFullError,
  StoreClosedError,
  VERSION_CHANGE_MESSAGE,
  isQuotaError,
  mapStoreError,
  openStore,
} from '../../src/store/index.ts';
import { fakeHash, sampleItem, seededVector, uniqueDbName } from './store-support.ts';

const quotaError = (): DOMException => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

describe('two tabs', () => {
  it('a newer tab upgrading closes this connection with a sentence, after its writes commit', async () => {
    const name = uniqueDbName('newer-tab');
    const heard: string[] = [];
    const store = await openStore({ name, onVersionChange: (m) => heard.push(m) });
    const writing = store.items.putMany(Array.from({ length: 50 }, (_, i) => sampleItem(fakeHash(i))));
    let newerBlocked = false;
    const newer = await openDB(name, LATEST_VERSION + 1, { blocked: () => (newerBlocked = true) });
    await writing;
    expect(heard).toEqual([VERSION_CHANGE_MESSAGE]);
    expect(newerBlocked).toBe(false);
    expect(store.closed).toBe(VERSION_CHANGE_MESSAGE);
    const error = await store.items.count().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreClosedError);
    expect((error as Error).message).toBe('This app was updated in another tab; reload to continue.');
    await expect(store.items.put(sampleItem(fakeHash(99)))).rejects.toBeInstanceOf(StoreClosedError);
    // Nothing was lost or half-written.
    expect(await newer.count('items')).toBe(50);
    newer.close();
    await deleteDB(name);
  });

  it('an older tab that does not let go blocks the upgrade and the app is told', async () => {
    const name = uniqueDbName('older-tab');
    const older = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('items', { keyPath: 'sha256' });
      },
    });
    // Old code that ignores versionchange: it only lets go when its tab reloads.
    const blockedMessages: string[] = [];
    const opening = openStore({ name, onBlocked: (m) => blockedMessages.push(m) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(blockedMessages).toEqual([BLOCKED_MESSAGE]);
    older.close();
    const store = await opening;
    await store.items.put(sampleItem(fakeHash(1)));
    expect(await store.items.count()).toBe(1);
    store.close();
    await deleteDB(name);
  });

  it('two tabs at the same version share one consistent store', async () => {
    const name = uniqueDbName('same-version');
    const [tabA, tabB] = await Promise.all([openStore({ name }), openStore({ name })]);
    const sha = fakeHash(1);
    await Promise.all([
      tabA.items.put(sampleItem(sha, { relativePath: 'a/x.png' })),
      tabB.items.put(sampleItem(sha, { relativePath: 'b/x.png' })),
      tabA.jobs.enqueue([sha], 'clip', 'r1'),
      tabB.jobs.enqueue([sha], 'clip', 'r1'),
    ]);
    expect(await tabB.items.count()).toBe(1);
    expect((await tabA.items.get(sha))?.aliases).toHaveLength(1);
    expect(await tabA.jobs.counts()).toEqual({ pending: 1, running: 0, done: 0, failed: 0 });
    const [claimA, claimB] = await Promise.all([tabA.jobs.claimBatch(5, { encoderId: 'clip', revision: 'r1' }), tabB.jobs.claimBatch(5, { encoderId: 'clip', revision: 'r1' })]);
    expect(claimA.length + claimB.length).toBe(1);
    tabA.close();
    tabB.close();
    await deleteDB(name);
  });
});

describe('storage full', () => {
  it('maps a quota failure to StorageFullError and rolls the whole change back', async () => {
    const name = uniqueDbName('quota-injected');
    let failCommits = false;
    const store = await openStore({
      name,
      faults: {
        beforeCommit() {
          if (failCommits) throw quotaError();
        },
      },
    });
    await store.jobs.enqueue([fakeHash(1), fakeHash(2)], 'clip', 'r1');
    const jobs = await store.jobs.claimBatch(2, { encoderId: 'clip', revision: 'r1' });

    failCommits = true;
    const error = await store.items.putMany([sampleItem(fakeHash(1)), sampleItem(fakeHash(2))]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageFullError);
    expect((error as Error).message).toBe(STORAGE_FULL_MESSAGE);
    expect((error as Error).message).toMatch(/storage for this site is full.*keep images in this browser/);
    await expect(store.jobs.complete(jobs.map((j) => ({ jobId: j.id!, vector: seededVector(8, j.id!) })))).rejects.toBeInstanceOf(StorageFullError);

    failCommits = false;
    expect(await store.items.count()).toBe(0);
    expect(await store.embeddings.count('clip', 'r1')).toBe(0);
    expect(await store.jobs.counts()).toEqual({ pending: 0, running: 2, done: 0, failed: 0 });
    // After the user frees space, the same work goes through.
    expect((await store.jobs.complete(jobs.map((j) => ({ jobId: j.id!, vector: seededVector(8, j.id!) })))).completed).toBe(2);
    store.close();
    await deleteDB(name);
  });

  it('recognises the quota error however the browser wraps it', () => {
    const aborted = new DOMException('The transaction was aborted.', 'AbortError');
    const wrapped = new Error('Transaction failed.', { cause: quotaError() });
    expect(isQuotaError(quotaError())).toBe(true);
    expect(isQuotaError(wrapped)).toBe(true);
    expect(isQuotaError(aborted)).toBe(false);
    expect(mapStoreError(wrapped)).toBeInstanceOf(StorageFullError);
    expect(mapStoreError(aborted)).toBe(aborted);
    expect(mapStoreError(new DOMException('closed', 'InvalidStateError'), VERSION_CHANGE_MESSAGE)).toBeInstanceOf(StoreClosedError);
  });
});

describe('forget everything', () => {
  it('removes every record and cache, reports them, tells other tabs and reopens clean', async () => {
    const name = uniqueDbName('forget');
    const cacheName = `store-test-models-${crypto.randomUUID()}`;
    const keptCache = `other-${crypto.randomUUID()}`;
    const cache = await caches.open(cacheName);
    await cache.put(new Request(`${location.origin}/models/fixture/model.onnx`), new Response(new Uint8Array([1, 2, 3])));
    await (await caches.open(keptCache)).put(new Request(`${location.origin}/kept`), new Response('kept'));

    const otherTab: string[] = [];
    const store = await openStore({ name });
    const other = await openStore({ name, onVersionChange: (m) => otherTab.push(m) });
    const [a, b] = [fakeHash(1), fakeHash(2)];
    await store.items.putMany([sampleItem(a, { original: new Blob([new Uint8Array(10)]) }), sampleItem(b)]);
    await store.embeddings.putMany('clip', 'r1', [{ sha256: a, vector: seededVector(8, 1) }]);
    await store.jobs.enqueue([a, b], 'dino', 'r1');
    await store.decisions.update(a, b, { triage: 'accept' });
    await store.captions.putMany([{ key: a, caption: 'x', categories: [] }]);
    await store.settings.set('floor', 0.8);
    await store.candidates.put('k', { rows: [a, b], contentVersion: '1', floor: 0.8, a: new Uint32Array([0]), b: new Uint32Array([1]), clip: new Float32Array([0.9]), dino: new Float32Array([0.1]) });
    await store.skipped.add([{ file: 'bad.jpg', code: 'truncated', reason: 'The file ends early.' }]);
    await store.drops.record([{ name: 'c.png', relativePath: '', size: 3, lastModified: 1 }]);
    await store.embeddings.loadMatrix('clip', 'r1');

    // Only this test's caches: deleting every cache of the origin would disturb tests running beside it.
    const report = await store.forgetEverything({ cacheFilter: (n) => n === cacheName });
    expect(report.stores).toEqual({ items: 2, embeddings: 1, importedPairs: 0, jobs: 2, settings: 1, captions: 1, decisions: 1, skipped: 1, candidates: 1, matrices: 1, drops: 1 });
    expect(report.caches).toEqual([cacheName]);
    expect(otherTab).toEqual([DELETED_ELSEWHERE_MESSAGE]);
    expect(other.closed).toBe(DELETED_ELSEWHERE_MESSAGE);

    // Read everything back, through the store and through the raw APIs.
    expect(await store.counts()).toEqual({ items: 0, embeddings: 0, importedPairs: 0, jobs: 0, settings: 0, captions: 0, decisions: 0, skipped: 0, candidates: 0, matrices: 0, drops: 0 });
    expect(await store.items.get(a)).toBeUndefined();
    expect((await store.embeddings.loadMatrix('clip', 'r1')).rows).toEqual([]);
    expect(await caches.has(cacheName)).toBe(false);
    expect(await caches.has(keptCache)).toBe(true);
    const raw = await openDB(name);
    for (const storeName of raw.objectStoreNames) expect(await raw.count(storeName)).toBe(0);
    raw.close();
    // The reopened store works.
    await store.items.put(sampleItem(a));
    expect(await store.items.count()).toBe(1);

    store.close();
    await caches.delete(keptCache);
    await deleteDB(name);
  });
});
