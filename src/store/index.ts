/**
 * The app's persistent store: IndexedDB through idb, one facade for the app state.
 *
 * ```ts
 * const store = await openStore({ onVersionChange: (sentence) => showBanner(sentence) });
 * await store.items.put(item);
 * await store.jobs.enqueue([item.sha256], 'biomedclip', rev);
 * ```
 *
 * Every method that writes uses one transaction: on failure nothing of it is kept. Errors the
 * user should see carry a sentence: `StorageFullError` (quota), `StoreClosedError` (another tab
 * upgraded or deleted the data), `NewerSchemaError` (the data is from a newer app version).
 */
import {
  Connection,
  deleteAllCaches,
  deleteDatabase,
  requestPersistence,
  storageEstimate,
  type OpenOptions,
  type StorageEstimateReport,
} from './db.ts';
import { DropsTable } from './drops.ts';
import { EmbeddingsTable } from './embeddings.ts';
import { ImportedPairsTable } from './imported.ts';
import { ItemsTable } from './items.ts';
import { JobsTable } from './jobs.ts';
import { CaptionsTable, DecisionsTable } from './review.ts';
import { STORE_NAMES, type StoreName } from './schema.ts';
import { CandidatesTable, SettingsTable, SkippedTable } from './settings.ts';

export {
  BLOCKED_MESSAGE,
  DELETED_ELSEWHERE_MESSAGE,
  NEWER_SCHEMA_MESSAGE,
  NewerSchemaError,
  STORAGE_FULL_MESSAGE,
  StorageFullError,
  StoreClosedError,
  TERMINATED_MESSAGE,
  VERSION_CHANGE_MESSAGE,
  isQuotaError,
  mapStoreError,
  requestPersistence,
  storageEstimate,
} from './db.ts';
export type { FaultHooks, OpenOptions, StorageEstimateReport, StoreEvents } from './db.ts';
export { LATEST_VERSION, MIGRATIONS } from './migrations.ts';
export * from './schema.ts';
export { normalised, type EmbeddingInput, type StoredMatrix } from './embeddings.ts';
export type { NewItem, PutItemResult } from './items.ts';
export type { ClaimOptions, CompleteReport, EnqueueReport, JobCounts, JobResult, PixelSources } from './jobs.ts';
export { emptyDecision, type DecisionFields } from './review.ts';
export type { StoredCandidateSet } from './settings.ts';
export type { ImportedPairHashes } from './imported.ts';
export { dropKey, droppedFile, type DropCounts, type DroppedFile, type StoredDrop } from './drops.ts';
export { EmbeddingsTable, ItemsTable, JobsTable, CaptionsTable, DecisionsTable, CandidatesTable, SettingsTable, SkippedTable, ImportedPairsTable, DropsTable };

/** What "Forget everything" removed. */
export interface ForgetReport {
  /** Records removed per object store. */
  stores: Record<StoreName, number>;
  /** Cache Storage caches deleted (model files included). */
  caches: string[];
}

/** The open store: one table object per object store, all following connection changes. */
export class Store {
  readonly items = new ItemsTable(() => this.connection);
  readonly embeddings = new EmbeddingsTable(() => this.connection);
  readonly jobs = new JobsTable(() => this.connection);
  readonly captions = new CaptionsTable(() => this.connection);
  readonly decisions = new DecisionsTable(() => this.connection);
  readonly settings = new SettingsTable(() => this.connection);
  readonly candidates = new CandidatesTable(() => this.connection);
  readonly skipped = new SkippedTable(() => this.connection);
  readonly importedPairs = new ImportedPairsTable(() => this.connection);
  readonly drops = new DropsTable(() => this.connection);

  private constructor(
    private connection: Connection,
    private readonly options: OpenOptions,
  ) {}

  /** Opens the database (creating or upgrading it). */
  static async open(options: OpenOptions = {}): Promise<Store> {
    return new Store(await Connection.open(options), options);
  }

  /** The database name. */
  get name(): string {
    return this.connection.name;
  }

  /** Why the store is closed (a sentence for the user), or undefined while open. */
  get closed(): string | undefined {
    return this.connection.closed;
  }

  /** Closes the connection; later calls fail with `StoreClosedError`. */
  close(): void {
    this.connection.close();
  }

  /** Records per object store. */
  counts(): Promise<Record<StoreName, number>> {
    const names = [...STORE_NAMES];
    return this.connection.read(names, async (tx) => {
      const values = await Promise.all(names.map((name) => tx.objectStore(name).count()));
      return Object.fromEntries(names.map((name, i) => [name, values[i]])) as Record<StoreName, number>;
    });
  }

  /**
   * Deletes the whole database and every Cache Storage cache of this origin (model caches
   * included), reports what was removed, and reopens an empty database. Other tabs of the app
   * are told through their `onVersionChange` and close their connections.
   *
   * @param options.cacheFilter which caches to delete (default: all); tests use it to spare the
   *   caches of other tests running in the same origin.
   */
  async forgetEverything(options: { cacheFilter?: (cacheName: string) => boolean } = {}): Promise<ForgetReport> {
    const stores = await this.counts();
    this.connection.close('The store is being emptied ("Forget everything").');
    await deleteDatabase(this.connection.name, this.options.onBlocked);
    const caches = await deleteAllCaches(options.cacheFilter);
    this.connection = await Connection.open(this.options);
    return { stores, caches };
  }

  /** How much storage the site uses and may use. */
  storageEstimate(): Promise<StorageEstimateReport> {
    return storageEstimate();
  }

  /** Asks the browser not to evict this site's data; true when granted. */
  requestPersistence(): Promise<boolean> {
    return requestPersistence();
  }
}

/** Opens the app's store; see `OpenOptions` for the tab-coordination callbacks. */
export function openStore(options: OpenOptions = {}): Promise<Store> {
  return Store.open(options);
}

/** Deletes every Cache Storage cache of this origin; returns their names. */
export { deleteAllCaches };
