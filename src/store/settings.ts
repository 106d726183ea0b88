/**
 * Session state that comes back after a reload: settings (JSON values), the miner's candidate
 * sets (typed arrays, so thresholds move at once without recomputation) and the skipped files.
 */
import type { Connection } from './db.ts';
import type { CandidateRecord, JsonValue, SkippedRecord } from './schema.ts';

/** Access to the `settings` object store: string key -> JSON value. */
export class SettingsTable {
  constructor(private readonly connection: () => Connection) {}

  /** The stored value, or `fallback` when there is none. The caller vouches for the type. */
  async get<T extends JsonValue>(key: string, fallback?: T): Promise<T | undefined> {
    const value = await this.connection().get((db) => db.get('settings', key));
    return value === undefined ? fallback : (value as T);
  }

  set(key: string, value: JsonValue): Promise<void> {
    return this.connection().write(['settings'], async (tx) => {
      await tx.objectStore('settings').put(value, key);
    });
  }

  delete(key: string): Promise<void> {
    return this.connection().write(['settings'], (tx) => tx.objectStore('settings').delete(key));
  }

  /** Every setting as one object. */
  async all(): Promise<Record<string, JsonValue>> {
    return this.connection().read(['settings'], async (tx) => {
      const store = tx.objectStore('settings');
      const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()]);
      return Object.fromEntries(keys.map((key, i) => [key, values[i]]));
    });
  }
}

/** A candidate set as the miner hands it over; `key` and `savedAt` are added by the store. */
export type StoredCandidateSet = Omit<CandidateRecord, 'key' | 'savedAt'>;

/** A copy when `array` is a view into a larger buffer (which would otherwise be stored whole). */
function compact<T extends Uint32Array | Float32Array>(array: T): T {
  const whole = array.byteOffset === 0 && array.byteLength === array.buffer.byteLength;
  return whole ? array : (array.slice() as T);
}

/** Access to the `candidates` object store, keyed by `candidateKey(clip, dino, floor)`. */
export class CandidatesTable {
  constructor(private readonly connection: () => Connection) {}

  /** Stores the candidate set under `key`, replacing the previous one. */
  async put(key: string, set: StoredCandidateSet): Promise<void> {
    const n = set.a.length;
    if (set.b.length !== n || set.clip.length !== n || set.dino.length !== n) {
      throw new RangeError(`A candidate set needs a, b, clip and dino of equal length; got ${n}, ${set.b.length}, ${set.clip.length}, ${set.dino.length}.`);
    }
    const record: CandidateRecord = {
      key,
      rows: [...set.rows],
      contentVersion: set.contentVersion,
      floor: set.floor,
      a: compact(set.a),
      b: compact(set.b),
      clip: compact(set.clip),
      dino: compact(set.dino),
      savedAt: Date.now(),
    };
    return this.connection().write(['candidates'], async (tx) => {
      await tx.objectStore('candidates').put(record);
    });
  }

  /** The stored set, or undefined; when `contentVersion` is given, a set of another version counts as absent. */
  async get(key: string, contentVersion?: string): Promise<CandidateRecord | undefined> {
    const record = await this.connection().get((db) => db.get('candidates', key));
    if (!record || (contentVersion !== undefined && record.contentVersion !== contentVersion)) return undefined;
    return record;
  }

  keys(): Promise<string[]> {
    return this.connection().get((db) => db.getAllKeys('candidates'));
  }

  delete(key: string): Promise<void> {
    return this.connection().write(['candidates'], (tx) => tx.objectStore('candidates').delete(key));
  }

  clear(): Promise<void> {
    return this.connection().write(['candidates'], (tx) => tx.objectStore('candidates').clear());
  }
}

/** Access to the `skipped` object store: the "Skipped files" list. */
export class SkippedTable {
  constructor(private readonly connection: () => Connection) {}

  /** Records files that could not be ingested, in one transaction; `at` defaults to now. */
  add(entries: ReadonlyArray<Omit<SkippedRecord, 'id' | 'at'> & { at?: number }>): Promise<void> {
    const now = Date.now();
    return this.connection().write(['skipped'], async (tx) => {
      const store = tx.objectStore('skipped');
      for (const entry of entries) await store.add({ file: entry.file, code: entry.code, reason: entry.reason, at: entry.at ?? now });
    });
  }

  /** Every skipped file, oldest first. */
  list(): Promise<SkippedRecord[]> {
    return this.connection().get((db) => db.getAll('skipped'));
  }

  count(): Promise<number> {
    return this.connection().get((db) => db.count('skipped'));
  }

  /** Removes the entries `match` picks, in one transaction (a retried file is listed again if it fails again). */
  removeWhere(match: (record: SkippedRecord) => boolean): Promise<void> {
    return this.connection().write(['skipped'], async (tx) => {
      const store = tx.objectStore('skipped');
      for (let cursor = await store.openCursor(); cursor; cursor = await cursor.continue()) if (match(cursor.value)) await cursor.delete();
    });
  }

  clear(): Promise<void> {
    return this.connection().write(['skipped'], (tx) => tx.objectStore('skipped').clear());
  }
}
