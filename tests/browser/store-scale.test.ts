import { describe, expect, it } from 'vitest';
import { fakeHash, freshStore, seededVector } from './store-support.ts';

const ROWS = 10_000;
const DIM = 512;
const BATCH = 500;

describe('embeddings at scale', () => {
  it(`stores ${ROWS} x ${DIM} embeddings in batches and loads them back as one matrix`, async () => {
    const { store, cleanup } = await freshStore('scale');
    try {
      const hashes = Array.from({ length: ROWS }, (_, i) => fakeHash(i, 11));
      const writeStart = performance.now();
      for (let start = 0; start < ROWS; start += BATCH) {
        const entries = hashes.slice(start, start + BATCH).map((sha256, k) => ({ sha256, vector: seededVector(DIM, start + k) }));
        await store.embeddings.putMany('clip', 'r1', entries);
      }
      const writeMs = performance.now() - writeStart;

      const loadStart = performance.now();
      const loaded = await store.embeddings.loadMatrix('clip', 'r1');
      const loadMs = performance.now() - loadStart;
      // A reload reads the packed snapshot saved by the first load.
      const snapshotStart = performance.now();
      const again = await store.embeddings.loadMatrix('clip', 'r1');
      const snapshotMs = performance.now() - snapshotStart;
      console.log(
        `store scale: wrote ${ROWS} x ${DIM} in ${writeMs.toFixed(0)} ms (batches of ${BATCH}); ` +
          `first matrix load (record by record) ${loadMs.toFixed(0)} ms, from the snapshot ${snapshotMs.toFixed(0)} ms`,
      );
      expect(again.rows).toEqual(loaded.rows);
      // A plain loop: toEqual on 5 million floats takes over a minute.
      let differing = 0;
      for (let i = 0; i < loaded.matrix.length; i++) if (again.matrix[i] !== loaded.matrix[i]) differing++;
      expect(again.matrix.length).toBe(loaded.matrix.length);
      expect(differing).toBe(0);

      expect(loaded.rows).toHaveLength(ROWS);
      expect(loaded.dim).toBe(DIM);
      expect(loaded.matrix.length).toBe(ROWS * DIM);
      const sorted = [...hashes].sort();
      expect(loaded.rows).toEqual(sorted);
      // Spot-check rows against what was written.
      for (const row of [0, 1234, ROWS - 1]) {
        const expected = seededVector(DIM, hashes.indexOf(loaded.rows[row]));
        let norm = 0;
        for (const x of expected) norm += x * x;
        norm = Math.sqrt(norm);
        for (const k of [0, 100, DIM - 1]) expect(loaded.matrix[row * DIM + k]).toBeCloseTo(expected[k] / norm, 6);
      }
    } finally {
      await cleanup();
    }
  });
});

describe('the drop ledger at scale', () => {
  it('records 10,000 dropped files in one transaction and lists the ones still to read after half are settled', async () => {
    const { store, cleanup } = await freshStore('drops-scale');
    try {
      const files = Array.from({ length: 10_000 }, (_, i) => ({ name: `img_${i}.png`, relativePath: `roco/img_${i}.png`, size: 1000 + i, lastModified: 1 }));
      const keys = await store.drops.record(files);
      expect(new Set(keys).size).toBe(10_000);
      for (let i = 0; i < 5_000; i += 1) await store.drops.skip(keys[i], { file: files[i].relativePath, code: 'truncated', reason: 'The file ends early.' });
      expect(await store.drops.counts()).toEqual({ dropped: 10_000, waiting: 5_000, stored: 0, duplicate: 0, skipped: 5_000 });
      const waiting = await store.drops.inState('waiting');
      expect(waiting.map((r) => r.name)).toEqual(files.slice(5_000).map((f) => f.name));
    } finally {
      await cleanup();
    }
  }, 120_000);
});
