/**
 * The ledger of dropped files: each is recorded (name, path, size, last-modified; never pixels)
 * before it is read, and settled in the same transaction that stores its image or lists it as
 * skipped. So after a reload, a crash or a full disk the ledger names exactly the files still to
 * read, and the sidebar's identity holds by construction:
 * dropped = images + duplicates + skipped + still to read.
 */
import type { Connection } from './db.ts';
import { putInTx, type NewItem, type PutItemResult } from './items.ts';
import type { DropRecord, DropState, SkippedRecord } from './schema.ts';

/** What the browser tells of a dropped file. */
export interface DroppedFile {
  name: string;
  relativePath: string;
  size: number;
  lastModified: number;
}

export type DropCounts = Record<DropState, number> & { dropped: number };

/** The ledger key: the same file dropped again (same path, size and time) is the same record. */
export function dropKey(file: DroppedFile): string {
  return `${file.relativePath || file.name}|${file.size}|${file.lastModified}`;
}

/** The ledger entry of a File from a drop or a picker. */
export function droppedFile(file: File): DroppedFile {
  return { name: file.name, relativePath: file.webkitRelativePath || '', size: file.size, lastModified: file.lastModified };
}

export interface StoredDrop extends PutItemResult {
  /** 'duplicate' when the same bytes were already stored under another path. */
  state: 'stored' | 'duplicate';
}

/** Access to the `drops` object store. */
export class DropsTable {
  constructor(private readonly connection: () => Connection) {}

  /** Records files as still to read, in one transaction (a file dropped again is waiting again). */
  record(files: readonly DroppedFile[]): Promise<string[]> {
    const now = Date.now();
    return this.connection().write(['drops'], async (tx) => {
      const store = tx.objectStore('drops');
      const keys: string[] = [];
      for (const file of files) {
        const key = dropKey(file);
        // Spread within this millisecond, so the files are listed in drop order and before a later drop's.
        const droppedAt = now + keys.length / files.length;
        await store.put({ key, name: file.name, relativePath: file.relativePath, size: file.size, lastModified: file.lastModified, state: 'waiting', droppedAt });
        keys.push(key);
      }
      return keys;
    });
  }

  /**
   * Stores the image a dropped file became and settles its record, in one transaction. Bytes
   * already stored under another path make the file a duplicate (the image is kept once, with
   * the path as an alias); the same path again is the same file, stored.
   */
  storeItem(key: string, item: NewItem): Promise<StoredDrop> {
    return this.connection().write(['items', 'drops'], async (tx) => {
      const result = await putInTx(tx, item, Date.now());
      const duplicateOf = result.repeatOf;
      const state = duplicateOf ? 'duplicate' : 'stored';
      await settle(tx.objectStore('drops'), key, { state, sha256: item.sha256, ...(duplicateOf ? { sameAs: duplicateOf } : {}) });
      return { ...result, state };
    });
  }

  /** Lists a file as skipped and settles its record, in one transaction. */
  skip(key: string, entry: Omit<SkippedRecord, 'id' | 'at'>): Promise<void> {
    return this.connection().write(['skipped', 'drops'], async (tx) => {
      await tx.objectStore('skipped').add({ ...entry, at: Date.now() });
      await settle(tx.objectStore('drops'), key, { state: 'skipped' });
    });
  }

  /** Files per state, and all of them. */
  counts(): Promise<DropCounts> {
    return this.connection().read(['drops'], async (tx) => {
      const index = tx.objectStore('drops').index('byState');
      const [waiting, stored, duplicate, skipped] = await Promise.all(
        (['waiting', 'stored', 'duplicate', 'skipped'] as const).map((state) => index.count(state)),
      );
      return { waiting, stored, duplicate, skipped, dropped: waiting + stored + duplicate + skipped };
    });
  }

  /** The records in one state, in the order they were dropped. */
  async inState(state: DropState): Promise<DropRecord[]> {
    const records = await this.connection().get((db) => db.getAllFromIndex('drops', 'byState', state));
    return records.sort((a, b) => a.droppedAt - b.droppedAt);
  }

  /** Every record, for the resume filter and tests. */
  all(): Promise<DropRecord[]> {
    return this.connection().get((db) => db.getAll('drops'));
  }
}

type DropsStore = {
  get(key: string): Promise<DropRecord | undefined>;
  put(value: DropRecord): Promise<unknown>;
};

/** Moves a record out of 'waiting'; a file never recorded (an older drop) gets no record. */
async function settle(store: DropsStore, key: string, change: Pick<DropRecord, 'state'> & Partial<DropRecord>): Promise<void> {
  const record = await store.get(key);
  if (!record) return;
  const { sha256: _sha, sameAs: _same, ...rest } = record;
  await store.put({ ...rest, ...change });
}
