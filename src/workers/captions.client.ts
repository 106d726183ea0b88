/**
 * The one place that starts the captions worker: one worker per file read, stopped when it is
 * done. A parse error comes back as the same ImportError the page would have thrown.
 */
import * as Comlink from 'comlink';
import type { CaptionsFileReader, CaptionsReadResult } from '../core/benchmark/captions-reader.ts';
import type { CaptionEntry, CaptionsProgress } from '../core/benchmark/captions.ts';
import { ImportError } from '../core/benchmark/errors.ts';
import { WorkerConnection } from './worker-connection.ts';

export type { CaptionsProgress };

export async function readCaptionsFile(file: File, onProgress?: (progress: CaptionsProgress) => void): Promise<CaptionEntry[]> {
  const connection = new WorkerConnection<CaptionsFileReader>(
    () => new Worker(new URL('./captions.worker.ts', import.meta.url), { type: 'module' }),
    'captions reader',
  );
  try {
    const result = await connection.call<CaptionsReadResult>((api) => api.read(file, file.name, onProgress ? Comlink.proxy(onProgress) : undefined));
    if (!result.ok) throw new ImportError(result.error.file, result.error.field, result.error.expected);
    return result.entries;
  } finally {
    connection.terminate();
  }
}
