/**
 * The pairs of an imported MediConfusion benchmark. One benchmark at a time: `replace` swaps the
 * whole set in one transaction, so a new import never mixes with the previous one, and a failed
 * write keeps the previous set whole.
 */
import type { Connection } from './db.ts';
import type { ImportedPairRecord } from './schema.ts';

/** Which image files were found for one pair (undefined leaves a side as it is). */
export interface ImportedPairHashes {
  id: string;
  hash1?: string;
  hash2?: string;
}

/** Access to the `importedPairs` object store (key: the pair id in the file). */
export class ImportedPairsTable {
  constructor(private readonly connection: () => Connection) {}

  /** Replaces the imported benchmark with `records`, in one transaction. */
  replace(records: readonly ImportedPairRecord[]): Promise<void> {
    return this.connection().write(['importedPairs'], async (tx) => {
      const store = tx.objectStore('importedPairs');
      await store.clear();
      for (const record of records) await store.put({ ...record });
    });
  }

  /** Every imported pair, in the order of the file. */
  async all(): Promise<ImportedPairRecord[]> {
    const records = await this.connection().get((db) => db.getAll('importedPairs'));
    return records.sort((x, y) => x.order - y.order);
  }

  /** Records the image files found for some pairs, in one transaction; returns how many pairs changed. */
  setHashes(updates: readonly ImportedPairHashes[]): Promise<number> {
    return this.connection().write(['importedPairs'], async (tx) => {
      const store = tx.objectStore('importedPairs');
      let changed = 0;
      for (const update of updates) {
        const record = await store.get(update.id);
        if (!record) continue;
        const next = { ...record, hash1: update.hash1 ?? record.hash1, hash2: update.hash2 ?? record.hash2 };
        if (next.hash1 === record.hash1 && next.hash2 === record.hash2) continue;
        await store.put(next);
        changed++;
      }
      return changed;
    });
  }

  count(): Promise<number> {
    return this.connection().get((db) => db.count('importedPairs'));
  }

  clear(): Promise<void> {
    return this.connection().write(['importedPairs'], (tx) => tx.objectStore('importedPairs').clear());
  }
}
