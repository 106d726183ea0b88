/**
 * Adding images to a mined session screens only the new rows against all (the M x N block), in
 * the app's own controller: real ingest, fixture encoders and the miner worker. The incremental
 * result must be the exact all-pairs answer over the stored embeddings.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { revisionKeyOf, type Workbench } from '../../src/ui/state/workbench.svelte.ts';
import { fixtureWorkbench, storedSimilarity } from './review-imported-support.ts';
import { drawnPng } from './store-support.ts';

/** Every pair with CLIP similarity >= floor, from the stored embeddings, as sorted "clip dino" pairs. */
async function bruteForce(bench: Workbench, floor: number): Promise<Map<string, { clip: number; dino: number }>> {
  const hashes = await bench.store!.embeddings.hashes('fixture-clip', revisionKeyOf('fixture-clip')!);
  const out = new Map<string, { clip: number; dino: number }>();
  for (let i = 0; i < hashes.length; i++) {
    for (let j = i + 1; j < hashes.length; j++) {
      const s = await storedSimilarity(bench, hashes[i], hashes[j]);
      if (s.clip >= floor) out.set([hashes[i], hashes[j]].sort().join(' '), s);
    }
  }
  return out;
}

/** The miner's candidates by hash pair, from the candidate set the workbench stored. */
async function storedCandidates(bench: Workbench): Promise<Map<string, { clip: number; dino: number }>> {
  const keys = await bench.store!.candidates.keys();
  expect(keys).toHaveLength(1);
  const record = (await bench.store!.candidates.get(keys[0]))!;
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

describe('incremental mining in the workbench', () => {
  let bench: Workbench;

  afterAll(() => bench?.store?.close());

  it('adds new rows to the mined pairs and gives the exact all-pairs answer', async () => {
    ({ bench } = await fixtureWorkbench());
    bench.session.floor = 0.3;
    const first = await Promise.all([0, 1, 2, 3, 4, 5].map(drawnPng));
    await bench.addFiles(first);
    expect(bench.rows).toHaveLength(6);
    expect(bench.lastBuild?.rows).toBe(6);
    expect(bench.lastBuild?.addedRows).toBe(0);
    const firstRows = [...bench.rows];
    expectSameCandidates(await storedCandidates(bench), await bruteForce(bench, 0.3));

    await bench.addFiles(await Promise.all([6, 7, 8, 9].map(drawnPng)));
    // Appended after the rows already mined (a rebuild would order all rows by hash).
    expect(bench.rows).toHaveLength(10);
    expect(bench.rows.slice(0, 6)).toEqual(firstRows);
    expect(bench.lastBuild?.rows).toBe(10);
    expect(bench.lastBuild?.addedRows).toBe(4);
    const candidates = await storedCandidates(bench);
    expect(candidates.size).toBeGreaterThan(0);
    expectSameCandidates(candidates, await bruteForce(bench, 0.3));
    expect(bench.candidateClip.length).toBe(candidates.size);

    // The same files again: nothing new to screen, nothing changes.
    const before = bench.lastBuild;
    await bench.addFiles(first.slice(0, 2));
    expect(bench.lastBuild).toBe(before);
    expect(bench.rows).toHaveLength(10);
  });
});
