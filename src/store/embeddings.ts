/**
 * Embeddings, keyed (sha256, encoderId, revision), stored L2-normalised. A whole encoder's matrix
 * loads in pages of `getAll` over the `byEncoder` index into one Float32Array, in sha256 order,
 * and is then kept as one packed snapshot (`matrices`) until the next write to that encoder.
 */
import type { IDBPIndex, StoreNames } from 'idb';
import { StorageFullError, type Connection } from './db.ts';
import type { EmbeddingRecord, MediConfusionDB } from './schema.ts';
import { normalizeInto } from '../core/mining/matrix.ts';

export interface EmbeddingInput {
  sha256: string;
  vector: Float32Array;
}

/** One encoder's embeddings as a row-major matrix. */
export interface StoredMatrix {
  encoderId: string;
  revision: string;
  /** Vector length; 0 when there are no rows. */
  dim: number;
  /** The SHA-256 of each row. */
  rows: string[];
  /** rows.length x dim floats, row-major. */
  matrix: Float32Array;
  /** Requested rows with no stored embedding (their matrix rows are zero). Empty unless rows were requested. */
  missing: string[];
}

/**
 * A unit-length copy of `vector` in its own buffer. (A view into a larger batch buffer would
 * otherwise be stored with that whole buffer.)
 */
export function normalised(vector: Float32Array): Float32Array {
  const unit = new Float32Array(vector.length);
  const sumOfSquares = normalizeInto(vector, 0, vector.length, unit);
  if (!Number.isFinite(sumOfSquares) || sumOfSquares === 0) {
    throw new RangeError('An embedding is zero or not finite; the encoder output is unusable for this image.');
  }
  return unit;
}

/** The record for one embedding, normalised. */
export function embeddingRecord(sha256: string, encoderId: string, revision: string, vector: Float32Array): EmbeddingRecord {
  const unit = normalised(vector);
  return { sha256, encoderId, revision, dim: unit.length, vector: unit };
}

/** Key range over one encoder revision in the `byEncoder` index, starting after `afterSha256`. */
function encoderRange(encoderId: string, revision: string, afterSha256?: string): IDBKeyRange {
  // Arrays sort after strings, so [encoderId, revision, []] is above every sha256 of that revision.
  const upper = [encoderId, revision, []];
  return afterSha256 === undefined
    ? IDBKeyRange.bound([encoderId, revision], upper)
    : IDBKeyRange.bound([encoderId, revision, afterSha256], upper, true);
}

/** The key of an encoder revision's packed matrix snapshot. */
export function matrixKey(encoderId: string, revision: string): string {
  return `${encoderId}|${revision}`;
}

interface PackedMatrix {
  dim: number;
  rows: string[];
  matrix: Float32Array;
}

type EncoderIndex = IDBPIndex<MediConfusionDB, StoreNames<MediConfusionDB>[], 'embeddings', 'byEncoder', 'readonly' | 'readwrite'>;

/** Reads every embedding of one encoder revision, in pages of `getAll`, into one matrix. */
async function readAll(index: EncoderIndex, encoderId: string, revision: string, pageSize = 1024): Promise<PackedMatrix> {
  const total = await index.count(encoderRange(encoderId, revision));
  const rows: string[] = [];
  let matrix = new Float32Array(0);
  let dim = 0;
  let after: string | undefined;
  for (;;) {
    const page = await index.getAll(encoderRange(encoderId, revision, after), pageSize);
    for (const record of page) {
      if (dim === 0) {
        dim = record.dim;
        matrix = new Float32Array(total * dim);
      }
      if (record.vector.length !== dim) {
        throw new Error(
          `Stored embeddings of ${encoderId}@${revision} have different lengths (${dim} and ${record.vector.length}); re-embed the images with this encoder.`,
        );
      }
      matrix.set(record.vector, rows.length * dim);
      rows.push(record.sha256);
    }
    if (page.length < pageSize) break;
    after = page[page.length - 1].sha256;
  }
  return { dim, rows, matrix: rows.length === total ? matrix : matrix.slice(0, rows.length * dim) };
}

/** The requested rows of a full matrix, in the requested order; unknown rows are zero and listed. */
function selectRows(full: PackedMatrix, wanted: readonly string[]): PackedMatrix & { missing: string[] } {
  const rowOf = new Map(full.rows.map((sha, i) => [sha, i]));
  const matrix = new Float32Array(wanted.length * full.dim);
  const missing: string[] = [];
  wanted.forEach((sha, i) => {
    const row = rowOf.get(sha);
    if (row === undefined) missing.push(sha);
    else matrix.set(full.matrix.subarray(row * full.dim, (row + 1) * full.dim), i * full.dim);
  });
  return { dim: full.dim, rows: [...wanted], matrix, missing };
}

/** Access to the `embeddings` object store. */
export class EmbeddingsTable {
  constructor(private readonly connection: () => Connection) {}

  /** Stores embeddings of one encoder revision in one transaction (replacing same keys). */
  async putMany(encoderId: string, revision: string, entries: readonly EmbeddingInput[]): Promise<void> {
    const records = entries.map((e) => embeddingRecord(e.sha256, encoderId, revision, e.vector));
    return this.connection().write(['embeddings', 'matrices'], async (tx) => {
      const store = tx.objectStore('embeddings');
      await Promise.all([...records.map((r) => store.put(r)), tx.objectStore('matrices').delete(matrixKey(encoderId, revision))]);
    });
  }

  get(sha256: string, encoderId: string, revision: string): Promise<EmbeddingRecord | undefined> {
    return this.connection().get((db) => db.get('embeddings', [sha256, encoderId, revision]));
  }

  async has(sha256: string, encoderId: string, revision: string): Promise<boolean> {
    return (await this.connection().get((db) => db.getKey('embeddings', [sha256, encoderId, revision]))) !== undefined;
  }

  count(encoderId: string, revision: string): Promise<number> {
    return this.connection().get((db) => db.countFromIndex('embeddings', 'byEncoder', encoderRange(encoderId, revision)));
  }

  /** The hashes embedded by one encoder revision, in sha256 order. */
  async hashes(encoderId: string, revision: string): Promise<string[]> {
    const keys = await this.connection().get((db) => db.getAllKeysFromIndex('embeddings', 'byEncoder', encoderRange(encoderId, revision)));
    return keys.map((key) => key[0]);
  }

  /**
   * Loads one encoder revision's embeddings as a matrix: all of them in sha256 order, or, when
   * `rows` is given, exactly those rows in that order (missing ones zero and listed). The first
   * load after a change reads every record and saves a packed snapshot; later loads read that.
   */
  async loadMatrix(
    encoderId: string,
    revision: string,
    options: { rows?: readonly string[]; pageSize?: number } = {},
  ): Promise<StoredMatrix> {
    let full: PackedMatrix;
    try {
      full = await this.connection().write(['embeddings', 'matrices'], async (tx) => {
        const key = matrixKey(encoderId, revision);
        const snapshot = await tx.objectStore('matrices').get(key);
        if (snapshot) return snapshot;
        const built = await readAll(tx.objectStore('embeddings').index('byEncoder'), encoderId, revision, options.pageSize);
        if (built.rows.length > 0) {
          await tx.objectStore('matrices').put({ key, encoderId, revision, ...built, savedAt: Date.now() });
        }
        return built;
      });
    } catch (error) {
      // No room for the snapshot: load without saving one.
      if (!(error instanceof StorageFullError)) throw error;
      full = await this.connection().read(['embeddings'], (tx) =>
        readAll(tx.objectStore('embeddings').index('byEncoder'), encoderId, revision, options.pageSize),
      );
    }
    if (!options.rows) return { encoderId, revision, dim: full.dim, rows: full.rows, matrix: full.matrix, missing: [] };
    return { encoderId, revision, ...selectRows(full, options.rows) };
  }

  /** Removes every embedding of one encoder revision; returns how many. */
  deleteEncoder(encoderId: string, revision: string): Promise<number> {
    return this.connection().write(['embeddings', 'matrices'], async (tx) => {
      await tx.objectStore('matrices').delete(matrixKey(encoderId, revision));
      let removed = 0;
      let cursor = await tx.objectStore('embeddings').index('byEncoder').openKeyCursor(encoderRange(encoderId, revision));
      while (cursor) {
        await tx.objectStore('embeddings').delete(cursor.primaryKey);
        removed++;
        cursor = await cursor.continue();
      }
      return removed;
    });
  }
}
