import { afterEach, describe, expect, it } from 'vitest';
import { candidateKey, pairKey, type Store } from '../../src/store/index.ts';
import { fakeHash, freshStore, norm, sampleItem, seededVector } from './store-support.ts';

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

describe('items', () => {
  it('putting the same bytes twice keeps one item, the first name, and records the other path', async () => {
    const store = await open('items');
    const sha = fakeHash(1);
    const first = await store.items.put(sampleItem(sha, { name: 'a.png', relativePath: 'x/a.png' }));
    const again = await store.items.put(sampleItem(sha, { name: 'a.png', relativePath: 'x/a.png' }));
    const elsewhere = await store.items.put(sampleItem(sha, { name: 'copy.png', relativePath: 'y/copy.png' }));
    await store.items.put(sampleItem(sha, { name: 'copy.png', relativePath: 'y/copy.png' }));
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(elsewhere.created).toBe(false);
    expect(await store.items.count()).toBe(1);
    const item = await store.items.get(sha);
    expect(item?.name).toBe('a.png');
    expect(item?.relativePath).toBe('x/a.png');
    expect(item?.aliases).toEqual(['y/copy.png']);
    expect(item?.addedAt).toBe(first.item.addedAt);
  });

  it('keeps blobs, lists in arrival order, and drops originals on request', async () => {
    const store = await open('items-blobs');
    const hashes = [fakeHash(3), fakeHash(1), fakeHash(2)];
    const original = new Blob([new Uint8Array([9, 8, 7])]);
    await store.items.putMany(hashes.map((h, i) => sampleItem(h, { original: i === 0 ? original : undefined })));
    expect(await store.items.hashes()).toEqual(hashes);
    const kept = await store.items.get(hashes[0]);
    expect(new Uint8Array(await (kept?.original as Blob).arrayBuffer())).toEqual(new Uint8Array([9, 8, 7]));
    // Opting in later: a repeated drop with the bytes adds them to the stored item.
    await store.items.put(sampleItem(hashes[1], { original }));
    expect((await store.items.get(hashes[1]))?.original).toBeInstanceOf(Blob);
    expect(await store.items.dropOriginals()).toBe(2);
    expect((await store.items.all()).every((item) => item.original === undefined)).toBe(true);
    expect(await store.items.setFrameIndex(hashes[2], 4)).toBe(true);
    expect((await store.items.get(hashes[2]))?.frameIndex).toBe(4);
    expect(await store.items.setFrameIndex('unknown', 1)).toBe(false);
  });

  it('deleting an item removes its embeddings and jobs too', async () => {
    const store = await open('items-delete');
    const [a, b] = [fakeHash(1), fakeHash(2)];
    await store.items.putMany([sampleItem(a), sampleItem(b)]);
    await store.embeddings.putMany('clip', 'r1', [{ sha256: a, vector: seededVector(8, 1) }, { sha256: b, vector: seededVector(8, 2) }]);
    await store.jobs.enqueue([a, b], 'dino', 'r1');
    await store.items.delete(a);
    expect(await store.items.has(a)).toBe(false);
    expect(await store.embeddings.hashes('clip', 'r1')).toEqual([b]);
    expect((await store.jobs.list('pending')).map((j) => j.sha256)).toEqual([b]);
  });
});

describe('embeddings', () => {
  it('stores unit vectors in their own buffers and loads the matrix in sha256 order', async () => {
    const store = await open('embeddings');
    const dim = 16;
    const hashes = Array.from({ length: 37 }, (_, i) => fakeHash(i));
    // One batch buffer, handed over as views: each stored vector must not drag the whole buffer along.
    const batch = new Float32Array(hashes.length * dim);
    hashes.forEach((_, i) => batch.set(seededVector(dim, i), i * dim));
    await store.embeddings.putMany(
      'clip',
      'r1',
      hashes.map((sha256, i) => ({ sha256, vector: batch.subarray(i * dim, (i + 1) * dim) })),
    );
    await store.embeddings.putMany('dino', 'r1', [{ sha256: hashes[0], vector: seededVector(4, 99) }]);

    const one = await store.embeddings.get(hashes[5], 'clip', 'r1');
    expect(one?.vector.buffer.byteLength).toBe(dim * 4);
    expect(norm(one!.vector)).toBeCloseTo(1, 6);

    // Small pages exercise the paging across getAll calls.
    const loaded = await store.embeddings.loadMatrix('clip', 'r1', { pageSize: 5 });
    expect(loaded.dim).toBe(dim);
    expect(loaded.rows).toEqual([...hashes].sort());
    expect(loaded.missing).toEqual([]);
    for (const [row, sha] of loaded.rows.entries()) {
      const i = hashes.indexOf(sha);
      const expected = seededVector(dim, i);
      const scale = norm(expected);
      for (let k = 0; k < dim; k++) expect(loaded.matrix[row * dim + k]).toBeCloseTo(expected[k] / scale, 6);
    }
    expect(await store.embeddings.count('clip', 'r1')).toBe(37);
    expect(await store.embeddings.count('dino', 'r1')).toBe(1);

    const chosen = [hashes[3], 'missing-hash', hashes[0]];
    const subset = await store.embeddings.loadMatrix('clip', 'r1', { rows: chosen, pageSize: 7 });
    expect(subset.rows).toEqual(chosen);
    expect(subset.missing).toEqual(['missing-hash']);
    const third = await store.embeddings.get(hashes[3], 'clip', 'r1');
    const first = await store.embeddings.get(hashes[0], 'clip', 'r1');
    expect([...subset.matrix.subarray(0, dim)]).toEqual([...third!.vector]);
    expect([...subset.matrix.subarray(dim, 2 * dim)].every((x) => x === 0)).toBe(true);
    expect([...subset.matrix.subarray(2 * dim)]).toEqual([...first!.vector]);

    expect(await store.embeddings.deleteEncoder('clip', 'r1')).toBe(37);
    expect(await store.embeddings.count('clip', 'r1')).toBe(0);
    expect(await store.embeddings.count('dino', 'r1')).toBe(1);
  });

  it('keeps a packed snapshot of the matrix and drops it on every write to that encoder', async () => {
    const store = await open('snapshots');
    const [a, b, c] = [fakeHash(1), fakeHash(2), fakeHash(3)];
    const rowOf = async (sha: string): Promise<number[]> => {
      const m = await store.embeddings.loadMatrix('clip', 'r1');
      const i = m.rows.indexOf(sha);
      return i < 0 ? [] : [...m.matrix.subarray(i * m.dim, (i + 1) * m.dim)];
    };
    await store.embeddings.putMany('clip', 'r1', [{ sha256: a, vector: new Float32Array([1, 0]) }]);
    expect(await rowOf(a)).toEqual([1, 0]);
    expect((await store.counts()).matrices).toBe(1);
    // Replacing a vector.
    await store.embeddings.putMany('clip', 'r1', [{ sha256: a, vector: new Float32Array([0, 2]) }]);
    expect((await store.counts()).matrices).toBe(0);
    expect(await rowOf(a)).toEqual([0, 1]);
    // Completing a job.
    await store.jobs.enqueue([b], 'clip', 'r1');
    const [job] = await store.jobs.claimBatch(1, { encoderId: 'clip', revision: 'r1' });
    await store.jobs.complete([{ jobId: job.id!, vector: new Float32Array([3, 4]) }]);
    expect(await rowOf(b)).toEqual([new Float32Array([0.6])[0], new Float32Array([0.8])[0]]);
    // Deleting an item.
    await store.items.put(sampleItem(c));
    await store.embeddings.putMany('clip', 'r1', [{ sha256: c, vector: new Float32Array([1, 1]) }]);
    expect((await store.embeddings.loadMatrix('clip', 'r1')).rows).toHaveLength(3);
    await store.items.delete(c);
    expect((await store.embeddings.loadMatrix('clip', 'r1')).rows).toEqual([a, b].sort());
    // Another encoder's write leaves this snapshot alone.
    await store.embeddings.putMany('dino', 'r1', [{ sha256: a, vector: new Float32Array([1, 0, 0]) }]);
    expect((await store.counts()).matrices).toBe(1);
    await store.embeddings.deleteEncoder('clip', 'r1');
    expect((await store.embeddings.loadMatrix('clip', 'r1')).rows).toEqual([]);
  });

  it('refuses a zero vector and writes nothing of that batch', async () => {
    const store = await open('embeddings-zero');
    await expect(
      store.embeddings.putMany('clip', 'r1', [{ sha256: fakeHash(1), vector: seededVector(4, 1) }, { sha256: fakeHash(2), vector: new Float32Array(4) }]),
    ).rejects.toThrow(/zero or not finite/);
    expect(await store.embeddings.count('clip', 'r1')).toBe(0);
  });
});

describe('decisions, captions, settings, candidates, skipped', () => {
  it('keys decisions by the unordered pair', async () => {
    const store = await open('decisions');
    const [x, y] = [fakeHash(7), fakeHash(8)];
    expect(pairKey(x, y)).toBe(pairKey(y, x));
    await store.decisions.update(x, y, { triage: 'accept', tags: ['lung'] });
    await store.decisions.update(y, x, { question: 'Which shows effusion?', im1Correct: 'a' });
    const decision = await store.decisions.get(x, y);
    expect(decision).toMatchObject({ triage: 'accept', tags: ['lung'], question: 'Which shows effusion?', im1Correct: 'a' });
    expect(decision!.hashA < decision!.hashB).toBe(true);
    expect(await store.decisions.all()).toHaveLength(1);
    expect(await store.decisions.withTriage('accept')).toHaveLength(1);
    await store.decisions.update(x, y, { triage: undefined });
    expect((await store.decisions.get(y, x))?.triage).toBeUndefined();
    expect(await store.decisions.withTriage('accept')).toHaveLength(0);
  });

  it('round-trips captions, settings and skipped files', async () => {
    const store = await open('misc');
    await store.captions.putMany([{ key: 'case/1.png', caption: 'Chest X-ray, <b>left</b> effusion', categories: ['chest'] }]);
    expect(await store.captions.get('case/1.png')).toEqual({ key: 'case/1.png', caption: 'Chest X-ray, <b>left</b> effusion', categories: ['chest'] });
    await store.settings.set('thresholds', { clipMin: 0.9, dinoMax: 0.75 });
    await store.settings.set('perImageCap', 3);
    expect(await store.settings.get('perImageCap')).toBe(3);
    expect(await store.settings.get('nothing', 'fallback')).toBe('fallback');
    expect(await store.settings.all()).toEqual({ perImageCap: 3, thresholds: { clipMin: 0.9, dinoMax: 0.75 } });
    await store.skipped.add([
      { file: 'empty.jpg', code: 'empty', reason: 'The file is empty (0 bytes).' },
      { file: 'x.dcm', code: 'unsupported-transfer-syntax', reason: 'This DICOM uses MPEG-4, which cannot be decoded.' },
    ]);
    expect((await store.skipped.list()).map((s) => s.code)).toEqual(['empty', 'unsupported-transfer-syntax']);
    await store.skipped.clear();
    expect(await store.skipped.count()).toBe(0);
  });

  it('round-trips a candidate set of typed arrays', async () => {
    const store = await open('candidates');
    const pairs = new Uint32Array([0, 1, 0, 2, 1, 2, 99, 98]);
    const sims = new Float32Array([0.99, 0.2, 0.95, 0.7, 0.91, 0.3, 0.5, 0.5]);
    const set = {
      rows: [fakeHash(0), fakeHash(1), fakeHash(2)],
      contentVersion: 'v-123',
      floor: 0.8,
      // Views into larger buffers, as a miner might hand them over.
      a: pairs.subarray(0, 3).map((_, i) => pairs[i * 2]),
      b: pairs.subarray(0, 3).map((_, i) => pairs[i * 2 + 1]),
      clip: sims.subarray(0, 3),
      dino: sims.subarray(3, 6),
    };
    const key = candidateKey('biomedclip@abc', 'dinov2-small@def', 0.8);
    await store.candidates.put(key, set);
    const back = await store.candidates.get(key);
    expect(back?.a).toBeInstanceOf(Uint32Array);
    expect(back?.clip).toBeInstanceOf(Float32Array);
    expect([...back!.a]).toEqual([0, 0, 1]);
    expect([...back!.b]).toEqual([1, 2, 2]);
    expect([...back!.clip]).toEqual([...sims.subarray(0, 3)]);
    expect([...back!.dino]).toEqual([...sims.subarray(3, 6)]);
    expect(back!.dino.buffer.byteLength).toBe(12);
    expect(back?.rows).toEqual(set.rows);
    expect(await store.candidates.get(key, 'v-123')).toBeDefined();
    expect(await store.candidates.get(key, 'v-other')).toBeUndefined();
    await expect(store.candidates.put(key, { ...set, b: new Uint32Array(2) })).rejects.toThrow(/equal length/);
    expect(await store.candidates.keys()).toEqual([key]);
  });
});
