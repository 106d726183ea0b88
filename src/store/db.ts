/**
 * Opening the database, transactions with error mapping, and tab coordination.
 *
 * Every write goes through `Connection.write`: one transaction per logical change, aborted as a
 * whole when anything inside fails, so a full disk or a crash never leaves half of a change behind.
 */
import { deleteDB, openDB, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { LATEST_VERSION, runMigrations } from './migrations.ts';
import { DEFAULT_DB_NAME, type MediConfusionDB } from './schema.ts';

export type Database = IDBPDatabase<MediConfusionDB>;
export type Names = StoreNames<MediConfusionDB>;
export type ReadTx<N extends Names> = IDBPTransaction<MediConfusionDB, N[], 'readonly'>;
export type WriteTx<N extends Names> = IDBPTransaction<MediConfusionDB, N[], 'readwrite'>;

export const VERSION_CHANGE_MESSAGE = 'This app was updated in another tab; reload to continue.';
export const DELETED_ELSEWHERE_MESSAGE = "This app's data was removed in another tab; reload to continue.";
export const BLOCKED_MESSAGE =
  'This app is open in another tab with an older version; close that tab (or reload it) to continue.';
export const TERMINATED_MESSAGE =
  "The browser closed this app's database unexpectedly (storage cleared or the disk is failing); reload to continue.";
export const STORAGE_FULL_MESSAGE =
  "The browser's storage for this site is full: free space (remove images or use \"Forget everything\") or turn off " +
  '"keep images in this browser", then try again. Nothing from the failed step was saved.';
export const NEWER_SCHEMA_MESSAGE =
  'The data in this browser was written by a newer version of this app; reload the page to get that version.';

/** The site's storage quota is used up; the failed transaction was rolled back entirely. */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
  constructor(options?: { cause?: unknown }) {
    super(STORAGE_FULL_MESSAGE, options);
  }
}

/** The connection was closed (another tab upgraded or deleted the database); reload to continue. */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError';
}

/** The database on disk has a newer schema than this code knows; reload to get the newer app. */
export class NewerSchemaError extends Error {
  override readonly name = 'NewerSchemaError';
  constructor(options?: { cause?: unknown }) {
    super(NEWER_SCHEMA_MESSAGE, options);
  }
}

/** Callbacks through which the store tells the app about other tabs. Each receives a full sentence. */
export interface StoreEvents {
  /** Another tab opened a newer version or deleted the data; this connection is closed now. */
  onVersionChange?(message: string): void;
  /** This tab waits for another tab with an older version to close. */
  onBlocked?(message: string): void;
  /** The browser closed the connection abnormally. */
  onTerminated?(message: string): void;
}

/** Test hooks: simulate failures that are hard to cause for real. */
export interface FaultHooks {
  /** Runs after a write's requests, before its commit; throwing aborts the whole transaction. */
  beforeCommit?(storeNames: readonly Names[]): void;
}

export interface OpenOptions extends StoreEvents {
  /** Database name; defaults to the app's. */
  name?: string;
  faults?: FaultHooks;
}

function errorName(error: unknown): string | undefined {
  return error instanceof DOMException || error instanceof Error ? error.name : undefined;
}

/** True when `error`, or its cause, is the browser saying the quota is used up. */
export function isQuotaError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    if (e instanceof StorageFullError || errorName(e) === 'QuotaExceededError') return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

/** Turns browser errors into the store's own errors, which carry a sentence for the user. */
export function mapStoreError(error: unknown, closedReason?: string): unknown {
  if (error instanceof StorageFullError || error instanceof StoreClosedError || error instanceof NewerSchemaError) {
    return error;
  }
  if (isQuotaError(error)) return new StorageFullError({ cause: error });
  if (closedReason && errorName(error) === 'InvalidStateError') return new StoreClosedError(closedReason, { cause: error });
  if (errorName(error) === 'VersionError') return new NewerSchemaError({ cause: error });
  return error;
}

/** One open connection; replaced as a whole when the app forgets everything. */
export class Connection {
  private closedReason: string | undefined;

  private constructor(
    private readonly database: Database,
    readonly name: string,
    private readonly faults: FaultHooks | undefined,
  ) {}

  /** Opens (creating or upgrading as needed) the database. */
  static async open(options: OpenOptions = {}): Promise<Connection> {
    const name = options.name ?? DEFAULT_DB_NAME;
    // The callbacks below fire only after open succeeds, once the connection exists.
    const opened: { connection?: Connection } = {};
    let database: Database;
    try {
      database = await openDB<MediConfusionDB>(name, LATEST_VERSION, {
        upgrade(db, oldVersion, newVersion, tx) {
          runMigrations(db, tx, oldVersion, newVersion ?? LATEST_VERSION);
        },
        blocked() {
          options.onBlocked?.(BLOCKED_MESSAGE);
        },
        blocking(_current, blockedVersion) {
          // Closing at once lets the other tab upgrade (or delete) without waiting on this one.
          const message = blockedVersion === null ? DELETED_ELSEWHERE_MESSAGE : VERSION_CHANGE_MESSAGE;
          opened.connection?.close(message);
          options.onVersionChange?.(message);
        },
        terminated() {
          opened.connection?.markClosed(TERMINATED_MESSAGE);
          options.onTerminated?.(TERMINATED_MESSAGE);
        },
      });
    } catch (error) {
      throw mapStoreError(error);
    }
    opened.connection = new Connection(database, name, options.faults);
    return opened.connection;
  }

  /** The reason this connection was closed, or undefined while it is open. */
  get closed(): string | undefined {
    return this.closedReason;
  }

  /** The raw database, for reads that need no transaction helper. Throws once closed. */
  get db(): Database {
    if (this.closedReason) throw new StoreClosedError(this.closedReason);
    return this.database;
  }

  close(reason = 'The store was closed; reload to continue.'): void {
    if (!this.closedReason) this.database.close();
    this.markClosed(reason);
  }

  private markClosed(reason: string): void {
    this.closedReason ??= reason;
  }

  /** Runs a single-request read on the database, with the store's error mapping. */
  async get<T>(work: (db: Database) => Promise<T>): Promise<T> {
    try {
      return await work(this.db);
    } catch (error) {
      throw mapStoreError(error, this.closedReason);
    }
  }

  /** Runs `work` in one read-only transaction. */
  async read<N extends Names, T>(names: N[], work: (tx: ReadTx<N>) => Promise<T>): Promise<T> {
    try {
      const tx = this.db.transaction(names, 'readonly');
      tx.done.catch(() => undefined);
      const result = await work(tx);
      await tx.done;
      return result;
    } catch (error) {
      throw mapStoreError(error, this.closedReason);
    }
  }

  /**
   * Runs `work` in one read-write transaction and waits for the commit. If `work` throws or the
   * commit fails (quota), the whole transaction is rolled back and the mapped error is thrown.
   */
  async write<N extends Names, T>(names: N[], work: (tx: WriteTx<N>) => Promise<T>): Promise<T> {
    let tx: WriteTx<N> | undefined;
    try {
      tx = this.db.transaction(names, 'readwrite');
      // Attach a handler now so an abort is never reported as an unhandled rejection.
      tx.done.catch(() => undefined);
      const result = await work(tx);
      this.faults?.beforeCommit?.(names);
      await tx.done;
      return result;
    } catch (error) {
      try {
        tx?.abort();
      } catch {
        // Already committed or aborted by the browser.
      }
      throw mapStoreError(error, this.closedReason);
    }
  }
}

/** Deletes a database by name; `onBlocked` hears if another tab holds it open and does not let go. */
export async function deleteDatabase(name: string, onBlocked?: (message: string) => void): Promise<void> {
  await deleteDB(name, { blocked: () => onBlocked?.(BLOCKED_MESSAGE) });
}

/** Deletes the Cache Storage caches of this origin (model files included; `filter` picks, default all); returns their names. */
export async function deleteAllCaches(filter: (cacheName: string) => boolean = () => true): Promise<string[]> {
  if (typeof caches === 'undefined') return [];
  const names = (await caches.keys()).filter(filter);
  const removed: string[] = [];
  for (const cacheName of names) if (await caches.delete(cacheName)) removed.push(cacheName);
  return removed;
}

export interface StorageEstimateReport {
  /** Bytes used by this site, when the browser says. */
  usage?: number;
  /** Bytes this site may use, when the browser says. */
  quota?: number;
  /** Whether the browser promised not to evict this site's data under storage pressure. */
  persisted: boolean;
}

/** How much storage the site uses and may use (navigator.storage.estimate). */
export async function storageEstimate(): Promise<StorageEstimateReport> {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  if (!storage?.estimate) return { persisted: false };
  const [estimate, persisted] = await Promise.all([storage.estimate(), storage.persisted?.() ?? Promise.resolve(false)]);
  return { usage: estimate.usage, quota: estimate.quota, persisted };
}

/** Asks the browser to keep this site's data under storage pressure; true when granted. */
export async function requestPersistence(): Promise<boolean> {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  if (!storage?.persist) return false;
  return storage.persist();
}
