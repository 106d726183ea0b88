/**
 * Adding images to a mined session screens only the new rows against all (the M x N block), in
 * the app's own mining part: real ingest, fixture encoders and the miner worker. The incremental
 * result must be the exact all-pairs answer over the stored embeddings.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ExplorerApp } from '../../src/app/app.svelte.ts';
import { revisionKeyOf } from '../../src/app/encoders.svelte.ts';
import { closeApp, fixtureApp, storedSimilarity } from './review-imported-support.ts';
import { drawnPng } from './store-support.ts';

/** Every pair with CLIP similarity >= floor, from the stored embeddings, as sorted "clip dino" pairs. */
async function bruteForce(app: ExplorerApp, floor: number): Promise<Map<string, { clip: number; dino: number }>> {
  const hashes = await app.store.embeddings.hashes('fixture-clip', revisionKeyOf('fixture-clip')!);
  const out = new Map<string, { clip: number; dino: number }>();
  for (let i = 0; i < hashes.length; i++) {
    for (let j = i + 1; j < hashes.length; j++) {
      const s = await storedSimilarity(app, hashes[i], hashes[j]);
      if (s.clip >= floor) out.set([hashes[i], hashes[j]].sort().join(' '), s);
    }
  }
  return out;
}

/** The miner's candidates by hash pair, from the candidate set the app stored. */
async function storedCandidates(app: ExplorerApp): Promise<Map<string, { clip: number; dino: number }>> {
  const keys = await app.store.candidates.keys();
  expect(keys).toHaveLength(1);
  const record = (await app.store.candidates.get(keys[0]))!;
  const out = new Map<string, { clip: number; dino: number }>();
  for (let k = 0; k < record.a.length; k++) {
    out.set([record.rows[record.a[k]], record.rows[record.b[k]]].sort().join(' '), { clip: record.clip[k], dino: record.dino[k] });
  }
  return out;
}

function expectSameCandidates(actual: Map<string, { clip: number; dino: number }>, expected: Map<string, { clip: number; dino: number }>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, want] of expected) {
    expect(Math.abs(actual.get(key)!.clip - want.clip)).toBeLessThan(1e-5);
    expect(Math.abs(actual.get(key)!.dino - want.dino)).toBeLessThan(1e-5);
  }
}

describe('incremental mining in the app', () => {
  let app: ExplorerApp | undefined;

  afterAll(() => {
    if (app) closeApp(app);
  });

  it('adds new rows to the mined pairs and gives the exact all-pairs answer', async () => {
    ({ app } = await fixtureApp());
    const mining = app.mining;
    app.session.setFloor(0.3);
    expect(app.session.floor).toBe(0.3);
    const first = await Promise.all([0, 1, 2, 3, 4, 5].map(drawnPng));
    await app.addFiles(first);
    expect(mining.rows).toHaveLength(6);
    expect(mining.lastBuild?.rows).toBe(6);
    expect(mining.lastBuild?.addedRows).toBe(0);
    expect(mining.heldFloor).toBe(0.3);
    const firstRows = [...mining.rows];
    expectSameCandidates(await storedCandidates(app), await bruteForce(app, 0.3));

    await app.addFiles(await Promise.all([6, 7, 8, 9].map(drawnPng)));
    // Appended after the rows already mined (a rebuild would order all rows by hash).
    expect(mining.rows).toHaveLength(10);
    expect(mining.rows.slice(0, 6)).toEqual(firstRows);
    expect(mining.lastBuild?.rows).toBe(10);
    expect(mining.lastBuild?.addedRows).toBe(4);
    const candidates = await storedCandidates(app);
    expect(candidates.size).toBeGreaterThan(0);
    expectSameCandidates(candidates, await bruteForce(app, 0.3));
    expect(mining.lastBuild?.candidates).toBe(candidates.size);
    // The miner's answer to the views counts the same set.
    await expect
      .poll(async () => {
        await mining.settled();
        return mining.answer?.view.candidates;
      })
      .toBe(candidates.size);

    // The same files again: nothing new to screen, nothing changes.
    const before = mining.lastBuild;
    await app.addFiles(first.slice(0, 2));
    expect(mining.lastBuild).toBe(before);
    expect(mining.rows).toHaveLength(10);
  });
});
