/**
 * The versioned history of the database schema. `MIGRATIONS[i]` upgrades version i to i + 1;
 * the latest version is `MIGRATIONS.length`. Append a new function to change the schema; never
 * edit a released one (a browser that already ran it will not run it again).
 *
 * Every migration runs inside the single `versionchange` transaction, so an upgrade from any
 * version to the latest either completes entirely or leaves the old database untouched. A data
 * migration may await IndexedDB requests on `tx` but nothing else (the transaction would commit).
 */
import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { MediConfusionDB } from './schema.ts';

export type UpgradeTransaction = IDBPTransaction<MediConfusionDB, StoreNames<MediConfusionDB>[], 'versionchange'>;

/** Upgrades the database by one version. */
export type Migration = (db: IDBPDatabase<MediConfusionDB>, tx: UpgradeTransaction) => void | Promise<void>;

/** v1: the ingest and embedding core. */
function v1CreateCore(db: IDBPDatabase<MediConfusionDB>): void {
  db.createObjectStore('items', { keyPath: 'sha256' });
  const embeddings = db.createObjectStore('embeddings', { keyPath: ['sha256', 'encoderId', 'revision'] });
  embeddings.createIndex('byEncoder', ['encoderId', 'revision', 'sha256']);
  const jobs = db.createObjectStore('jobs', { keyPath: 'id', autoIncrement: true });
  jobs.createIndex('byState', 'state');
  jobs.createIndex('byTarget', ['sha256', 'encoderId', 'revision'], { unique: true });
  jobs.createIndex('byClaim', ['state', 'encoderId', 'revision']);
  db.createObjectStore('settings');
}

/** v2: review — captions, pair decisions and the skipped-files list. */
function v2CreateReview(db: IDBPDatabase<MediConfusionDB>): void {
  db.createObjectStore('captions', { keyPath: 'key' });
  const decisions = db.createObjectStore('decisions', { keyPath: 'pairKey' });
  decisions.createIndex('byTriage', 'triage');
  db.createObjectStore('skipped', { keyPath: 'id', autoIncrement: true });
}

/**
 * v3: the miner's candidate cache, items listed in arrival order, and `aliases` on every item
 * (v1 items had none: later drops of the same bytes under another path were not recorded).
 */
async function v3CandidatesAndAliases(db: IDBPDatabase<MediConfusionDB>, tx: UpgradeTransaction): Promise<void> {
  db.createObjectStore('candidates', { keyPath: 'key' });
  const items = tx.objectStore('items');
  items.createIndex('byAddedAt', 'addedAt');
  let cursor = await items.openCursor();
  while (cursor) {
    if (!Array.isArray(cursor.value.aliases)) await cursor.update({ ...cursor.value, aliases: [] });
    cursor = await cursor.continue();
  }
}

/** v4: packed matrix snapshots (loading 10,000 embeddings one record at a time took seconds). */
function v4CreateMatrices(db: IDBPDatabase<MediConfusionDB>): void {
  db.createObjectStore('matrices', { keyPath: 'key' });
}

/** v5: the pairs of an imported MediConfusion benchmark, so they are explored after a reload too. */
function v5CreateImportedPairs(db: IDBPDatabase<MediConfusionDB>): void {
  db.createObjectStore('importedPairs', { keyPath: 'id' });
}

/**
 * v6: the ledger of dropped files, written before they are read. Drops made before this version
 * were not recorded; their images and skipped files are in their own stores as before.
 */
function v6CreateDrops(db: IDBPDatabase<MediConfusionDB>): void {
  db.createObjectStore('drops', { keyPath: 'key' }).createIndex('byState', 'state');
}

export const MIGRATIONS: readonly Migration[] = [
  v1CreateCore,
  v2CreateReview,
  v3CandidatesAndAliases,
  v4CreateMatrices,
  v5CreateImportedPairs,
  v6CreateDrops,
];

/** The schema version this code writes. */
export const LATEST_VERSION = MIGRATIONS.length;

/**
 * Runs the migrations from `oldVersion` to `newVersion` in order, inside the upgrade transaction.
 * A failing migration aborts the transaction, so the database stays at `oldVersion`.
 */
export function runMigrations(
  db: IDBPDatabase<MediConfusionDB>,
  tx: UpgradeTransaction,
  oldVersion: number,
  newVersion: number,
): void {
  const steps = MIGRATIONS.slice(oldVersion, newVersion);
  // openDB reports a failed upgrade itself; this keeps the abort from also surfacing as unhandled.
  tx.done.catch(() => undefined);
  const abort = (error: unknown): void => {
    console.error('Database upgrade failed; the previous version is kept.', error);
    try {
      tx.abort();
    } catch {
      // The transaction already finished; its own error reaches openDB.
    }
  };
  // Synchronous steps run right away; after an asynchronous one the rest chain on its promise.
  // Either way everything stays inside the live upgrade transaction.
  const runFrom = (index: number): void => {
    for (let i = index; i < steps.length; i++) {
      let result: void | Promise<void>;
      try {
        result = steps[i](db, tx);
      } catch (error) {
        abort(error);
        return;
      }
      if (result instanceof Promise) {
        result.then(() => runFrom(i + 1), abort);
        return;
      }
    }
  };
  runFrom(0);
}
