/**
 * Where one file's ingest result goes: a per-file error to the skipped list; an image to the
 * items (with its original when the user keeps originals) and into both encoders' queues; an
 * image that does not fit in storage to the "storage full" list, so the files after it still
 * get their chance. A file recorded in the drop ledger (`dropKey`) is settled in the same
 * transaction that stores it or lists it; one that did not fit stays "still to read".
 */
import { droppedFile, isQuotaError, type Store } from '../store/index.ts';
import type { WorkerIngestResult } from '../workers/ingest.protocol.ts';
import type { EncoderKeys } from './encoders.svelte.ts';
import type { StorageFullSkips } from './storage-full.svelte.ts';

export interface IngestSink {
  store: Store;
  storageFull: StorageFullSkips;
  /** The chosen encoders' ids and revisions; null when one is not in the registry (nothing is queued). */
  keys: EncoderKeys | null;
  keepOriginals: boolean;
  /** Called once the item is stored, before its jobs are queued (tests stop the page there). */
  onStored?: (sha256: string) => void;
}

/** 'queued': stored and waiting for an encoder; 'stored': stored, nothing to embed (already embedded). */
export type IngestOutcome = 'skipped' | 'storage-full' | 'stored' | 'queued';

export async function storeIngestResult(sink: IngestSink, result: WorkerIngestResult, file: File, dropKey?: string): Promise<IngestOutcome> {
  const { store } = sink;
  if (!result.ok) {
    const entry = { file: result.error.file, code: result.error.code, reason: result.error.reason };
    await (dropKey === undefined ? store.skipped.add([entry]) : store.drops.skip(dropKey, entry));
    return 'skipped';
  }
  const original = sink.keepOriginals ? file : undefined;
  const { thumbnailWidth: _w, thumbnailHeight: _h, ...record } = result.item;
  const item = { ...record, ...(original ? { original } : {}) };
  try {
    await (dropKey === undefined ? store.items.put(item) : store.drops.storeItem(dropKey, item));
  } catch (error) {
    const bytes = record.thumbnail.size + (original?.size ?? 0) + 1024;
    if (await sink.storageFull.skipIfFull(error, file, bytes)) return 'storage-full';
    throw error;
  }
  sink.onStored?.(result.item.sha256);
  let queued = false;
  if (sink.keys) {
    const { clipId, clipRevision, dinoId, dinoRevision } = sink.keys;
    for (const [id, revision] of [[clipId, clipRevision], [dinoId, dinoRevision]]) {
      const report = await store.jobs.enqueue([result.item.sha256], id, revision);
      queued ||= report.added + report.requeued + report.alreadyQueued > 0;
    }
  }
  return queued ? 'queued' : 'stored';
}

/**
 * Records the files in the drop ledger before any is read, so a reload or a crash still names
 * the ones not read yet; returns their ledger keys in order. Null when even that does not fit
 * (storage full): the files are read anyway, and the caller says storage is full.
 */
export async function recordDrop(store: Store, files: readonly File[]): Promise<string[] | null> {
  try {
    return await store.drops.record(files.map(droppedFile));
  } catch (error) {
    if (!isQuotaError(error)) throw error;
    return null;
  }
}
