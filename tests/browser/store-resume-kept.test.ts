/**
 * A page that died after storing items (with their kept originals) but before embedding them:
 * the next load resumes those jobs by itself, from the kept originals, and mines them with the
 * rest; nothing is embedded twice.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { deleteDB } from 'idb';
import type { ExplorerApp } from '../../src/app/app.svelte.ts';
import { revisionKeyOf } from '../../src/app/encoders.svelte.ts';
import { runIngest } from '../../src/workers/ingest.client.ts';
import type { WorkerIngestResult } from '../../src/workers/ingest.protocol.ts';
import { closeApp, fixtureApp } from './review-imported-support.ts';
import { drawnPng, uniqueDbName } from './store-support.ts';

const ENCODERS = ['fixture-clip', 'fixture-dino'] as const;

describe('resuming kept jobs on load', () => {
  const dbName = uniqueDbName('resume-kept');
  const apps: ExplorerApp[] = [];
  afterAll(async () => {
    for (const app of apps) closeApp(app);
    await deleteDB(dbName);
  });

  it('embeds pending jobs of items with kept originals after a reload, without a drop', async () => {
    const { app: first } = await fixtureApp(dbName);
    apps.push(first);
    await first.addFiles(await Promise.all([0, 1, 2].map(drawnPng)), { keepOriginals: true });
    expect(first.mining.rows).toHaveLength(3);

    // What a crash between ingest and embedding leaves: items with originals, pending jobs, no embeddings.
    const store = first.store;
    const late: string[] = [];
    for (const file of await Promise.all([3, 4].map(drawnPng))) {
      let result: WorkerIngestResult | undefined;
      await runIngest([file], { onResult: (r) => void (result = r) }).finished;
      if (!result?.ok) throw new Error('the generated image did not ingest');
      const { thumbnailWidth: _w, thumbnailHeight: _h, ...record } = result.item;
      await store.items.put({ ...record, original: file });
      for (const id of ENCODERS) await store.jobs.enqueue([record.sha256], id, revisionKeyOf(id)!);
      late.push(record.sha256);
    }
    for (const id of ENCODERS) expect(await store.embeddings.count(id, revisionKeyOf(id)!)).toBe(3);
    first.cancel();
    first.dispose();
    store.close();

    const { app: reloaded } = await fixtureApp(dbName);
    apps.push(reloaded);
    await expect.poll(() => reloaded.mining.rows.length, { timeout: 60_000 }).toBe(5);
    for (const id of ENCODERS) {
      expect(await reloaded.store.embeddings.count(id, revisionKeyOf(id)!)).toBe(5);
      const counts = await reloaded.store.jobs.counts(id, revisionKeyOf(id)!);
      expect(counts.pending).toBe(0);
    }
    expect(reloaded.mining.rows).toEqual(expect.arrayContaining(late));
    expect(reloaded.library.needRedrop).toEqual([]);
  });
});
