/**
 * The stored imported benchmark: one set at a time, replaced whole in one transaction (a failed
 * write keeps the previous set), hashes recorded per pair, and the v4 -> v5 upgrade keeps data.
 */
import { describe, expect, it } from 'vitest';
import { deleteDB, openDB } from 'idb';
import { MIGRATIONS, openStore, type ImportedPairRecord } from '../../src/store/index.ts';
import { freshStore, uniqueDbName } from './store-support.ts';
import { generatedBenchmark } from './review-imported-support.ts';

async function records(source: string): Promise<ImportedPairRecord[]> {
  const { dataset } = await generatedBenchmark();
  return Object.entries(dataset).map(([id, pair], order) => ({ id, source, order, pair, importedAt: 1000 }));
}

describe('store.importedPairs', () => {
  it('replaces the whole set, keeps file order, records hashes, and a failed replace keeps the previous set', async () => {
    let failNext = false;
    const { store, cleanup } = await freshStore('imported', {
      faults: {
        beforeCommit: (names) => {
          if (failNext && names.includes('importedPairs')) throw new Error('simulated failure before commit');
        },
      },
    });
    const first = await records('first.json');
    await store.importedPairs.replace([...first].reverse());
    expect((await store.importedPairs.all()).map((r) => r.id)).toEqual(['10001', '10002', '10003']);

    expect(await store.importedPairs.setHashes([{ id: '10002', hash1: 'a'.repeat(64) }, { id: 'nope', hash1: 'b'.repeat(64) }])).toBe(1);
    expect(await store.importedPairs.setHashes([{ id: '10002', hash2: 'c'.repeat(64) }])).toBe(1);
    const second = (await store.importedPairs.all())[1];
    expect([second.hash1, second.hash2]).toEqual(['a'.repeat(64), 'c'.repeat(64)]);

    const before = await store.importedPairs.all();
    failNext = true;
    const replacement = (await records('second.json')).slice(0, 1);
    await expect(store.importedPairs.replace(replacement)).rejects.toThrow('simulated failure');
    failNext = false;
    expect(await store.importedPairs.all()).toEqual(before);

    await store.importedPairs.replace(replacement);
    expect((await store.importedPairs.all()).map((r) => [r.id, r.source])).toEqual([['10001', 'second.json']]);
    await cleanup();
  });

  it('a version-4 database upgrades to one with an empty imported-pairs store, keeping its data', async () => {
    const name = uniqueDbName('v4');
    // A version-4 database built by the released migrations 1-4, with a setting in it.
    const old = await openDB(name, 4, {
      async upgrade(db, oldVersion, _newVersion, tx) {
        for (let i = oldVersion; i < 4; i++) await MIGRATIONS[i](db as never, tx as never);
      },
    });
    expect([...old.objectStoreNames]).not.toContain('importedPairs');
    await old.put('settings', { clipMin: 0.91 }, 'thresholds');
    old.close();
    const upgraded = await openStore({ name });
    expect(await upgraded.settings.get('thresholds')).toEqual({ clipMin: 0.91 });
    expect(await upgraded.importedPairs.count()).toBe(0);
    await upgraded.importedPairs.replace(await records('after-upgrade.json'));
    expect(await upgraded.importedPairs.count()).toBe(3);
    upgraded.close();
    await deleteDB(name);
  });
});
