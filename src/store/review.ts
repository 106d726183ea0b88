/**
 * The reviewer's records: captions/categories per image and decisions per unordered image pair.
 * Decisions are keyed by the two hashes, so they survive threshold changes and re-embedding.
 */
import type { Connection } from './db.ts';
import { pairKey, type CaptionRecord, type DecisionRecord, type Triage } from './schema.ts';

/** Fields of a decision the reviewer edits. */
export type DecisionFields = Omit<DecisionRecord, 'pairKey' | 'hashA' | 'hashB' | 'updatedAt'>;

/** A decision before anything was written. */
export function emptyDecision(hashA: string, hashB: string): DecisionRecord {
  const [first, second] = hashA <= hashB ? [hashA, hashB] : [hashB, hashA];
  return {
    pairKey: pairKey(first, second),
    hashA: first,
    hashB: second,
    notes: '',
    tags: [],
    question: '',
    optionA: '',
    optionB: '',
    im1Correct: '',
    im2Correct: '',
    aiQuestion: '',
    aiOptionA: '',
    aiOptionB: '',
    updatedAt: 0,
  };
}

/** Access to the `decisions` object store. */
export class DecisionsTable {
  constructor(private readonly connection: () => Connection) {}

  /** The decision on the pair {a, b} (in either order), if any was written. */
  get(a: string, b: string): Promise<DecisionRecord | undefined> {
    return this.connection().get((db) => db.get('decisions', pairKey(a, b)));
  }

  /**
   * Changes some fields of the decision on {a, b} (creating it if needed) and returns the result.
   * `im1Correct`/`im2Correct` always refer to the smaller and the larger hash (`hashA`, `hashB`).
   */
  update(a: string, b: string, patch: Partial<DecisionFields>): Promise<DecisionRecord> {
    return this.connection().write(['decisions'], async (tx) => {
      const store = tx.objectStore('decisions');
      const current = (await store.get(pairKey(a, b))) ?? emptyDecision(a, b);
      const next: DecisionRecord = { ...current, ...patch, updatedAt: Date.now() };
      // An explicit undefined clears the triage, which a spread alone would keep as a key.
      if (next.triage === undefined) delete next.triage;
      await store.put(next);
      return next;
    });
  }

  /**
   * Writes decisions from elsewhere (a session file) in one transaction, keeping each one's
   * `updatedAt`. Where this store already holds a decision on the same pair that was changed
   * later, that one stays: importing never overwrites newer work.
   */
  merge(records: readonly DecisionRecord[]): Promise<{ written: number; keptNewer: number }> {
    return this.connection().write(['decisions'], async (tx) => {
      const store = tx.objectStore('decisions');
      let written = 0;
      let keptNewer = 0;
      for (const record of records) {
        const current = await store.get(record.pairKey);
        if (current && current.updatedAt > record.updatedAt) {
          keptNewer++;
          continue;
        }
        await store.put(record);
        written++;
      }
      return { written, keptNewer };
    });
  }

  /** Every decision. */
  all(): Promise<DecisionRecord[]> {
    return this.connection().get((db) => db.getAll('decisions'));
  }

  /** Decisions with one triage value. */
  withTriage(triage: Triage): Promise<DecisionRecord[]> {
    return this.connection().get((db) => db.getAllFromIndex('decisions', 'byTriage', triage));
  }

  delete(a: string, b: string): Promise<void> {
    return this.connection().write(['decisions'], (tx) => tx.objectStore('decisions').delete(pairKey(a, b)));
  }
}

/** Access to the `captions` object store (key: an item's sha256, or a relative path before matching). */
export class CaptionsTable {
  constructor(private readonly connection: () => Connection) {}

  get(key: string): Promise<CaptionRecord | undefined> {
    return this.connection().get((db) => db.get('captions', key));
  }

  /** Stores captions in one transaction, replacing those with the same keys. */
  putMany(records: readonly CaptionRecord[]): Promise<void> {
    return this.connection().write(['captions'], async (tx) => {
      const store = tx.objectStore('captions');
      await Promise.all(records.map((r) => store.put({ key: r.key, caption: r.caption, categories: [...r.categories] })));
    });
  }

  all(): Promise<CaptionRecord[]> {
    return this.connection().get((db) => db.getAll('captions'));
  }

  delete(key: string): Promise<void> {
    return this.connection().write(['captions'], (tx) => tx.objectStore('captions').delete(key));
  }

  clear(): Promise<void> {
    return this.connection().write(['captions'], (tx) => tx.objectStore('captions').clear());
  }
}
