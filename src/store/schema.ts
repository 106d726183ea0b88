/**
 * Record types and the IndexedDB schema of MediConfusion Explorer.
 *
 * Every record that depends on an image is keyed by the SHA-256 of the file's bytes, so the same
 * file dropped twice is one item and nothing is embedded twice, across reloads too. The versioned
 * history of this schema lives in `migrations.ts`; this file describes the latest version.
 */
import type { DBSchema } from 'idb';
import type { MediConfusionPair } from '../core/benchmark/dataset.ts';

/** Name of the app's database; tests pass their own names to `openStore`. */
export const DEFAULT_DB_NAME = 'mediconfusion-explorer';

export type ItemKind = 'image' | 'dicom';

/**
 * A DICOM summary without anything that identifies a patient: ingest decides what goes in (modality,
 * transfer syntax, frame count, bits, photometric interpretation, window...), the store keeps it as is.
 */
export type DicomSummary = Record<string, string | number | boolean | null | undefined>;

/** One dropped image, keyed by the SHA-256 of its bytes. */
export interface ItemRecord {
  /** Lower-case hex SHA-256 of the file bytes. */
  sha256: string;
  /** File name when first dropped; later drops of the same bytes keep it. */
  name: string;
  /** Path inside the dropped folder ('' or the name for a loose file). */
  relativePath: string;
  /** Other paths at which the same bytes were dropped later, in order of arrival. */
  aliases: string[];
  size: number;
  width: number;
  height: number;
  kind: ItemKind;
  /** Decoder format, e.g. 'png', 'jpeg', 'dicom:1.2.840.10008.1.2.4.50'. */
  format: string;
  /** Display thumbnail, longest side <= 128 px. */
  thumbnail: Blob;
  /** Milliseconds since the epoch. */
  addedAt: number;
  dicom?: DicomSummary;
  /** The file's bytes, only when the user opted in to "keep images in this browser". */
  original?: Blob;
  /** Frame of a multi-frame DICOM the user chose (default: the middle one, decided by ingest). */
  frameIndex?: number;
}

/** One L2-normalised embedding of an item by one encoder revision. */
export interface EmbeddingRecord {
  sha256: string;
  encoderId: string;
  revision: string;
  dim: number;
  vector: Float32Array;
}

export type JobState = 'pending' | 'running' | 'done' | 'failed';

/** One durable "embed item X with encoder Y at revision R" job; at most one per target. */
export interface JobRecord {
  /** Auto-increment key; absent only before the first put. */
  id?: number;
  sha256: string;
  encoderId: string;
  revision: string;
  state: JobState;
  /** Number of times the job was claimed by a worker. */
  attempts: number;
  /** The last failure's reason, in words. */
  error?: string;
  updatedAt: number;
}

/** A caption and categories for an image, keyed by its SHA-256 or, before matching, its relative path. */
export interface CaptionRecord {
  key: string;
  caption: string;
  categories: string[];
}

export type Triage = 'accept' | 'reject' | 'needs-edit';

/**
 * A reviewer's work on an unordered image pair. `hashA` < `hashB`; `im1Correct`/`im2Correct`
 * refer to `hashA`/`hashB` in that order, whatever order the caller named the images in.
 */
export interface DecisionRecord {
  /** `${hashA}:${hashB}`, see `pairKey`. */
  pairKey: string;
  hashA: string;
  hashB: string;
  triage?: Triage;
  notes: string;
  tags: string[];
  question: string;
  optionA: string;
  optionB: string;
  im1Correct: string;
  im2Correct: string;
  aiQuestion: string;
  aiOptionA: string;
  aiOptionB: string;
  updatedAt: number;
}

/** Any JSON value; settings and session state are stored as such. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The miner's candidate pairs (CLIP similarity >= floor), so thresholds and candidates come back
 * after a reload without recomputation. `a[i]`, `b[i]` index `rows`.
 */
export interface CandidateRecord {
  /** `${clipEncoderKey}|${dinoEncoderKey}|${floor}`, see `candidateKey`. */
  key: string;
  /** SHA-256 of each matrix row, in row order. */
  rows: string[];
  /** Changes whenever the rows or their embeddings change; a stale set is recomputed. */
  contentVersion: string;
  floor: number;
  a: Uint32Array;
  b: Uint32Array;
  clip: Float32Array;
  dino: Float32Array;
  savedAt: number;
}

/**
 * A packed copy of one encoder revision's whole matrix, so a reload reads one value instead of
 * thousands. Every write to that encoder's embeddings deletes it in the same transaction.
 */
export interface MatrixRecord {
  /** `${encoderId}|${revision}`. */
  key: string;
  encoderId: string;
  revision: string;
  dim: number;
  /** SHA-256 of each row, in sha256 order. */
  rows: string[];
  matrix: Float32Array;
  savedAt: number;
}

/** One file that could not be ingested, for the "Skipped files" list. */
export interface SkippedRecord {
  id?: number;
  /** The file's name or relative path. */
  file: string;
  /** Stable machine-readable reason, e.g. 'empty', 'truncated', 'unsupported-transfer-syntax'. */
  code: string;
  /** The reason in a full sentence. */
  reason: string;
  at: number;
}

/** Where a dropped file stands: not read yet, stored as an image, the same image as another file, or skipped. */
export type DropState = 'waiting' | 'stored' | 'duplicate' | 'skipped';

/**
 * One dropped file, recorded before it is read (never its pixels), so that after a reload or a
 * crash the app names exactly the files still to read. The key is the file's identity as the
 * browser describes it (path, size, last-modified): dropping the same file again updates its
 * record instead of counting it twice.
 */
export interface DropRecord {
  key: string;
  name: string;
  relativePath: string;
  size: number;
  lastModified: number;
  state: DropState;
  /** The image the file became ('stored' or 'duplicate'). */
  sha256?: string;
  /** For a duplicate: the path of the file whose image was kept. */
  sameAs?: string;
  /** When the file was dropped (ms since the epoch); the order files are listed in. */
  droppedAt: number;
}

/**
 * One pair of an imported MediConfusion benchmark (a `dataset.json`, possibly from a zip). The
 * validated pair is kept whole, so scoring and export see the file as it was; `hash1`/`hash2` are
 * the SHA-256 of the image files once they were found (from the zip, or a dropped folder).
 * Only one benchmark is imported at a time: a new import replaces every record in one transaction.
 */
export interface ImportedPairRecord {
  /** The pair id in the file ("10001"). */
  id: string;
  /** Name of the file the pair came from. */
  source: string;
  /** Position of the pair in the file. */
  order: number;
  pair: MediConfusionPair;
  hash1?: string;
  hash2?: string;
  importedAt: number;
}

/** The latest schema. Index key paths are documented in `migrations.ts`. */
export interface MediConfusionDB extends DBSchema {
  items: { key: string; value: ItemRecord; indexes: { byAddedAt: number } };
  embeddings: {
    key: [string, string, string];
    value: EmbeddingRecord;
    /** [encoderId, revision, sha256]: one encoder's matrix, paged in sha256 order. */
    indexes: { byEncoder: [string, string, string] };
  };
  jobs: {
    key: number;
    value: JobRecord;
    indexes: {
      byState: JobState;
      /** [sha256, encoderId, revision], unique: one job per target. */
      byTarget: [string, string, string];
      /** [state, encoderId, revision]: the next jobs of one encoder, oldest first. */
      byClaim: [JobState, string, string];
    };
  };
  settings: { key: string; value: JsonValue };
  captions: { key: string; value: CaptionRecord };
  decisions: { key: string; value: DecisionRecord; indexes: { byTriage: Triage } };
  skipped: { key: number; value: SkippedRecord };
  candidates: { key: string; value: CandidateRecord };
  matrices: { key: string; value: MatrixRecord };
  importedPairs: { key: string; value: ImportedPairRecord };
  drops: { key: string; value: DropRecord; indexes: { byState: DropState } };
}

export type StoreName =
  | 'items'
  | 'embeddings'
  | 'jobs'
  | 'settings'
  | 'captions'
  | 'decisions'
  | 'skipped'
  | 'candidates'
  | 'matrices'
  | 'importedPairs'
  | 'drops';

export const STORE_NAMES: readonly StoreName[] = [
  'items',
  'embeddings',
  'jobs',
  'settings',
  'captions',
  'decisions',
  'skipped',
  'candidates',
  'matrices',
  'importedPairs',
  'drops',
];

/** The key of an unordered image pair: the same for (A, B) and (B, A). */
export function pairKey(hashA: string, hashB: string): string {
  return hashA <= hashB ? `${hashA}:${hashB}` : `${hashB}:${hashA}`;
}

/** The key of a candidate set for two encoders (e.g. `biomedclip@rev`) and a floor. */
export function candidateKey(clipEncoderKey: string, dinoEncoderKey: string, floor: number): string {
  return `${clipEncoderKey}|${dinoEncoderKey}|${floor}`;
}
