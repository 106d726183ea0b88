/** What crosses the ingest worker's boundary, for the page and the tests. */
import type { RgbImage } from '../core/image.ts';
import type { IngestedItem, IngestError } from '../core/ingest/index.ts';

export type { IngestWorker } from './ingest-host.ts';

export interface WorkerIngestOptions {
  /** Transfer each file's full-size RGB pixels with its result (default false). */
  keepRgb?: boolean;
  maxPixels?: number;
  /** DICOM frame to show (default: the middle one). */
  frameIndex?: number;
  /** DICOM frame per known item (SHA-256 -> frame), chosen by the user; wins over `frameIndex`. */
  frameIndexes?: Readonly<Record<string, number>>;
  /** Per-file limit in ms (default 10 000). */
  perFileTimeoutMs?: number;
  thumbnailSide?: number;
}

/** An ingested item as the store keeps it: the thumbnail is an encoded image Blob. */
export type WorkerItem = Omit<IngestedItem, 'thumbnail'> & { thumbnail: Blob; thumbnailWidth: number; thumbnailHeight: number };

export type WorkerIngestResult = { ok: true; item: WorkerItem; rgb?: RgbImage } | { ok: false; error: IngestError };

export interface IngestProgress {
  done: number;
  total: number;
  failed: number;
  filesPerSecond: number;
  /** Seconds left at the current pace; null before the first file finishes. */
  etaSeconds: number | null;
  /** Relative path of the file just finished. */
  current: string;
}

export interface IngestSummary {
  done: number;
  failed: number;
  cancelled: boolean;
}
