import { describe, expect, it } from 'vitest';
import { deleteDB, openDB } from 'idb';
import {
  LATEST_VERSION,
  NewerSchemaError,
  STORE_NAMES,
  openStore,
  type ItemRecord,
  type JsonValue,
} from '../../src/store/index.ts';
import { uniqueDbName } from './store-support.ts';

interface StoreShape {
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: Record<string, { keyPath: string | string[]; unique: boolean }>;
}

/** The structure of a database, read with the raw IndexedDB API. */
async function describeDatabase(name: string): Promise<{ version: number; stores: Record<string, StoreShape> }> {
  const db = await openDB(name);
  const stores: Record<string, StoreShape> = {};
  const names = [...db.objectStoreNames];
  const tx = db.transaction(names, 'readonly');
  for (const storeName of names) {
    const store = tx.objectStore(storeName);
    const indexes: StoreShape['indexes'] = {};
    for (const indexName of store.indexNames) {
      const index = store.index(indexName);
      indexes[indexName] = { keyPath: index.keyPath, unique: index.unique };
    }
    stores[storeName] = { keyPath: store.keyPath, autoIncrement: store.autoIncrement, indexes };
  }
  await tx.done;
  const version = db.version;
  db.close();
  return { version, stores };
}

/** Builds a version-1 database by hand, as the first release created it, with some data. */
async function createVersion1(name: string, withConflictingCaptions = false): Promise<void> {
  const db = await openDB(name, 1, {
    upgrade(database) {
      database.createObjectStore('items', { keyPath: 'sha256' });
      const embeddings = database.createObjectStore('embeddings', { keyPath: ['sha256', 'encoderId', 'revision'] });
      embeddings.createIndex('byEncoder', ['encoderId', 'revision', 'sha256']);
      const jobs = database.createObjectStore('jobs', { keyPath: 'id', autoIncrement: true });
      jobs.createIndex('byState', 'state');
      jobs.createIndex('byTarget', ['sha256', 'encoderId', 'revision'], { unique: true });
      jobs.createIndex('byClaim', ['state', 'encoderId', 'revision']);
      database.createObjectStore('settings');
      if (withConflictingCaptions) database.createObjectStore('captions');
    },
  });
  const thumbnail = new Blob([new Uint8Array([1, 2, 3, 4])], { type: 'image/png' });
  // v1 items had no `aliases`.
  await db.put('items', { sha256: 'aa'.repeat(32), name: 'chest.png', relativePath: 'case/chest.png', size: 10, width: 4, height: 4, kind: 'image', format: 'png', thumbnail, addedAt: 1000 });
  await db.put('embeddings', { sha256: 'aa'.repeat(32), encoderId: 'clip', revision: 'r1', dim: 2, vector: new Float32Array([0.6, 0.8]) });
  await db.add('jobs', { sha256: 'aa'.repeat(32), encoderId: 'dino', revision: 'r1', state: 'pending', attempts: 0, updatedAt: 1000 });
  await db.put('settings', { clipMin: 0.9, dinoMax: 0.75 }, 'thresholds');
  db.close();
}

describe('store schema and migrations', () => {
  it('creates the latest version with every object store', async () => {
    const name = uniqueDbName('fresh');
    const store = await openStore({ name });
    store.close();
    const shape = await describeDatabase(name);
    expect(shape.version).toBe(LATEST_VERSION);
    expect(Object.keys(shape.stores).sort()).toEqual([...STORE_NAMES].sort());
    expect(shape.stores.embeddings.keyPath).toEqual(['sha256', 'encoderId', 'revision']);
    expect(shape.stores.jobs.indexes.byTarget).toEqual({ keyPath: ['sha256', 'encoderId', 'revision'], unique: true });
    await deleteDB(name);
  });

  it('upgrades a hand-made version-1 database to the latest, keeping its data', async () => {
    const upgradedName = uniqueDbName('v1');
    await createVersion1(upgradedName);
    const store = await openStore({ name: upgradedName });

    const item = (await store.items.get('aa'.repeat(32))) as ItemRecord;
    expect(item.name).toBe('chest.png');
    expect(item.aliases).toEqual([]);
    expect(new Uint8Array(await item.thumbnail.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3, 4]));
    const matrix = await store.embeddings.loadMatrix('clip', 'r1');
    expect(matrix.rows).toEqual(['aa'.repeat(32)]);
    expect([...matrix.matrix]).toEqual([new Float32Array([0.6])[0], new Float32Array([0.8])[0]]);
    expect(await store.jobs.counts()).toEqual({ pending: 1, running: 0, done: 0, failed: 0 });
    expect(await store.settings.get<JsonValue>('thresholds')).toEqual({ clipMin: 0.9, dinoMax: 0.75 });
    // The stores of later versions work on the upgraded database.
    await store.decisions.update('b', 'a', { notes: 'after upgrade' });
    expect((await store.decisions.get('a', 'b'))?.notes).toBe('after upgrade');
    store.close();

    // An upgraded database has exactly the structure of a fresh one.
    const freshName = uniqueDbName('fresh-compare');
    (await openStore({ name: freshName })).close();
    const [upgraded, fresh] = await Promise.all([describeDatabase(upgradedName), describeDatabase(freshName)]);
    expect(upgraded).toEqual(fresh);
    await Promise.all([deleteDB(upgradedName), deleteDB(freshName)]);
  });

  it('a failing upgrade keeps the old version and its data untouched', async () => {
    const name = uniqueDbName('v1-conflict');
    // A v1 database that already has a 'captions' store makes the v2 step fail.
    await createVersion1(name, true);
    await expect(openStore({ name })).rejects.toBeDefined();
    const shape = await describeDatabase(name);
    expect(shape.version).toBe(1);
    expect(shape.stores.decisions).toBeUndefined();
    const db = await openDB(name);
    expect((await db.get('items', 'aa'.repeat(32)))?.name).toBe('chest.png');
    expect(await db.count('jobs')).toBe(1);
    db.close();
    await deleteDB(name);
  });

  it('refuses a database written by a newer version with a sentence', async () => {
    const name = uniqueDbName('newer');
    (await openDB(name, LATEST_VERSION + 5)).close();
    const error = await openStore({ name }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NewerSchemaError);
    expect((error as Error).message).toMatch(/newer version of this app; reload/);
    await deleteDB(name);
  });
});
