/**
 * Where one file's ingest result goes: a per-file error to the skipped list; an image to the
 * items (with its original when the user keeps originals) and into both encoders' queues; an
 * image that does not fit in storage to the "storage full" list, so the files after it still
 * get their chance.
 */
import type { Store } from '../store/index.ts';
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

export async function storeIngestResult(sink: IngestSink, result: WorkerIngestResult, file: File): Promise<IngestOutcome> {
  const { store } = sink;
  if (!result.ok) {
    await store.skipped.add([{ file: result.error.file, code: result.error.code, reason: result.error.reason }]);
    return 'skipped';
  }
  const original = sink.keepOriginals ? file : undefined;
  const { thumbnailWidth: _w, thumbnailHeight: _h, ...record } = result.item;
  try {
    await store.items.put({ ...record, ...(original ? { original } : {}) });
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
