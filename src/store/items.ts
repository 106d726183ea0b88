/**
 * Items: one record per distinct file content (SHA-256). Putting the same bytes again keeps the
 * first record and remembers the extra path, so a double drop never makes a second item.
 */
import type { Connection, Names, WriteTx } from './db.ts';
import { matrixKey } from './embeddings.ts';
import type { DicomSummary, ItemRecord } from './schema.ts';

/** An item as ingest produces it; `aliases` and `addedAt` are filled in by the store. */
export type NewItem = Omit<ItemRecord, 'aliases' | 'addedAt'> & { aliases?: string[]; addedAt?: number };

/** What another frame of a multi-frame DICOM changes in its item record. */
export interface FrameChange {
  frameIndex: number;
  /** The thumbnail of that frame. */
  thumbnail: Blob;
  /** The summary as ingest made it for that frame (window and frame index may differ). */
  dicom?: DicomSummary;
}

/** One encoder revision, as embeddings and jobs are keyed. */
export interface EncoderTarget {
  encoderId: string;
  revision: string;
}

export interface FrameChangeReport {
  /** Stored embeddings of the old frame that were removed (every encoder). */
  removedEmbeddings: number;
  /** Encoder revisions whose job for this item is pending again (or new). */
  queued: EncoderTarget[];
}

export interface PutItemResult {
  /** The record as stored after the put. */
  item: ItemRecord;
  /** False when the same bytes were already stored (the put only added an alias or the original). */
  created: boolean;
  /** When the same bytes were stored under another path: that (first) path; this one became an alias. */
  repeatOf?: string;
}

/** Folds a repeated drop of the same bytes into the stored record. */
function mergeRepeat(stored: ItemRecord, incoming: NewItem): ItemRecord {
  const merged: ItemRecord = { ...stored, aliases: [...(stored.aliases ?? [])] };
  const path = incoming.relativePath || incoming.name;
  const known = path === (stored.relativePath || stored.name) || merged.aliases.includes(path);
  if (!known) merged.aliases.push(path);
  // Opting in later to "keep images" should keep the bytes of items dropped before.
  if (!merged.original && incoming.original) merged.original = incoming.original;
  if (!merged.dicom && incoming.dicom) merged.dicom = incoming.dicom;
  return merged;
}

function changed(a: ItemRecord, b: ItemRecord): boolean {
  return a.aliases.length !== b.aliases.length || a.original !== b.original || a.dicom !== b.dicom;
}

/** Puts one item inside a transaction that covers `items` (and possibly other stores written with it). */
export async function putInTx<N extends Names>(tx: WriteTx<N | 'items'>, incoming: NewItem, now: number): Promise<PutItemResult> {
  const store = tx.objectStore('items');
  const stored = await store.get(incoming.sha256);
  if (!stored) {
    const item: ItemRecord = { ...incoming, aliases: incoming.aliases ?? [], addedAt: incoming.addedAt ?? now };
    await store.put(item);
    return { item, created: true };
  }
  const merged = mergeRepeat(stored, incoming);
  if (changed(stored, merged)) await store.put(merged);
  const aliasAdded = merged.aliases.length > (stored.aliases?.length ?? 0);
  return { item: merged, created: false, ...(aliasAdded ? { repeatOf: stored.relativePath || stored.name } : {}) };
}

/** Access to the `items` object store. */
export class ItemsTable {
  constructor(private readonly connection: () => Connection) {}

  /** Stores an item, or folds a repeated drop of the same bytes into the stored one. */
  async put(item: NewItem): Promise<PutItemResult> {
    const [result] = await this.putMany([item]);
    return result;
  }

  /** Stores several items in one transaction: all of them or, on failure, none. */
  putMany(items: readonly NewItem[]): Promise<PutItemResult[]> {
    const now = Date.now();
    return this.connection().write(['items'], async (tx) => {
      const results: PutItemResult[] = [];
      for (const item of items) results.push(await putInTx(tx, item, now + results.length));
      return results;
    });
  }

  get(sha256: string): Promise<ItemRecord | undefined> {
    return this.connection().get((db) => db.get('items', sha256));
  }

  /** The items for these hashes, in the same order (undefined where unknown). */
  getMany(hashes: readonly string[]): Promise<(ItemRecord | undefined)[]> {
    return this.connection().read(['items'], (tx) => Promise.all(hashes.map((h) => tx.objectStore('items').get(h))));
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.connection().get((db) => db.getKey('items', sha256))) !== undefined;
  }

  /** Every item in order of arrival. */
  all(): Promise<ItemRecord[]> {
    return this.connection().get((db) => db.getAllFromIndex('items', 'byAddedAt'));
  }

  /** Every item's hash in order of arrival. */
  async hashes(): Promise<string[]> {
    const keys = await this.connection().get((db) => db.getAllKeysFromIndex('items', 'byAddedAt'));
    return keys.map(String);
  }

  count(): Promise<number> {
    return this.connection().get((db) => db.count('items'));
  }

  /** Chooses the frame of a multi-frame DICOM to show and embed. Returns false if unknown. */
  setFrameIndex(sha256: string, frameIndex: number): Promise<boolean> {
    return this.update(sha256, (item) => {
      item.frameIndex = frameIndex;
    });
  }

  /**
   * Switches a multi-frame DICOM item to another frame, in one transaction: the item gets the
   * frame, its thumbnail and summary; every stored embedding of the item (any encoder: they
   * describe the old frame) goes, with the matrix snapshots and candidate sets that held it; and
   * a pending job is queued for each encoder revision that had an embedding and for `encoders`,
   * so the durable queue embeds the new frame. Returns undefined for an unknown item.
   */
  changeFrame(sha256: string, change: FrameChange, encoders: readonly EncoderTarget[]): Promise<FrameChangeReport | undefined> {
    const stores = ['items', 'embeddings', 'jobs', 'matrices', 'candidates'] as const;
    return this.connection().write([...stores], async (tx) => {
      const item = await tx.objectStore('items').get(sha256);
      if (!item) return undefined;
      const updated: ItemRecord = { ...item, frameIndex: change.frameIndex, thumbnail: change.thumbnail };
      if (change.dicom) updated.dicom = change.dicom;
      await tx.objectStore('items').put(updated);

      const range = IDBKeyRange.bound([sha256], [sha256, []]);
      const targets = new Map(encoders.map((e) => [matrixKey(e.encoderId, e.revision), e]));
      let removedEmbeddings = 0;
      let embedding = await tx.objectStore('embeddings').openKeyCursor(range);
      while (embedding) {
        const [, encoderId, revision] = embedding.primaryKey;
        targets.set(matrixKey(encoderId, revision), { encoderId, revision });
        await tx.objectStore('matrices').delete(matrixKey(encoderId, revision));
        await tx.objectStore('embeddings').delete(embedding.primaryKey);
        removedEmbeddings++;
        embedding = await embedding.continue();
      }
      let candidates = await tx.objectStore('candidates').openCursor();
      while (candidates) {
        if (candidates.value.rows.includes(sha256)) await candidates.delete();
        candidates = await candidates.continue();
      }

      const now = Date.now();
      const jobs = tx.objectStore('jobs');
      for (const { encoderId, revision } of targets.values()) {
        const job = await jobs.index('byTarget').get([sha256, encoderId, revision]);
        if (!job) await jobs.add({ sha256, encoderId, revision, state: 'pending', attempts: 0, updatedAt: now });
        else {
          const { error: _cleared, ...rest } = job;
          await jobs.put({ ...rest, state: 'pending', attempts: 0, updatedAt: now });
        }
      }
      return { removedEmbeddings, queued: [...targets.values()] };
    });
  }

  /** Forgets every kept original (the user turned "keep images in this browser" off); returns how many. */
  dropOriginals(): Promise<number> {
    return this.connection().write(['items'], async (tx) => {
      let dropped = 0;
      let cursor = await tx.objectStore('items').openCursor();
      while (cursor) {
        if (cursor.value.original) {
          const { original: _dropped, ...rest } = cursor.value;
          await cursor.update(rest);
          dropped++;
        }
        cursor = await cursor.continue();
      }
      return dropped;
    });
  }

  /** Removes an item with its embeddings, jobs, caption and matrix snapshots, in one transaction. */
  delete(sha256: string): Promise<void> {
    return this.connection().write(['items', 'embeddings', 'jobs', 'captions', 'matrices'], async (tx) => {
      await tx.objectStore('items').delete(sha256);
      // Any encoder's snapshot may hold this item's row.
      await tx.objectStore('matrices').clear();
      const range = IDBKeyRange.bound([sha256], [sha256, []]);
      await tx.objectStore('embeddings').delete(range);
      let job = await tx.objectStore('jobs').index('byTarget').openCursor(range);
      while (job) {
        await job.delete();
        job = await job.continue();
      }
      await tx.objectStore('captions').delete(sha256);
    });
  }

  private update(sha256: string, change: (item: ItemRecord) => void): Promise<boolean> {
    return this.connection().write(['items'], async (tx) => {
      const item = await tx.objectStore('items').get(sha256);
      if (!item) return false;
      change(item);
      await tx.objectStore('items').put(item);
      return true;
    });
  }
}
