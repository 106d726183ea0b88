/**
 * Ingest worker: File objects in, one result per file out (item with a thumbnail Blob, or an
 * error row), streamed through callbacks. One file at a time, so at most one full-size decoded
 * image is alive; its RGB pixels are transferred to the caller (for the encoders) only when asked.
 *
 * Time limit: each file races a timer, which catches anything that awaits (codec loading, WASM,
 * hashing). A decoder stuck in synchronous code blocks this worker's event loop; the caller's
 * watchdog (see `ingest.client.ts`) terminates and restarts the worker in that case.
 */
import * as Comlink from 'comlink';
import type { WorkerIngestOptions, WorkerIngestResult, IngestProgress, IngestSummary } from './ingest.protocol.ts';
import openJpegWasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url';
import charlsWasmUrl from '@cornerstonejs/codec-charls/decodewasm?url';
import { configureWasmCodecs } from '../core/dicom/index.ts';
import { ingestFile, type IngestResult } from '../core/ingest/index.ts';
import { decodeWithImageBitmap, thumbnailBlob } from './ingest-browser.ts';

configureWasmCodecs({ locateWasm: (codec) => (codec === 'openjpeg' ? openJpegWasmUrl : charlsWasmUrl) });






function pathOf(file: File): string {
  return file.webkitRelativePath || file.name;
}

function timeout(ms: number, file: string): Promise<IngestResult> {
  return new Promise((resolve) =>
    setTimeout(
      () =>
        resolve({
          ok: false,
          error: { file, code: 'timeout', reason: `Reading this file took longer than ${Math.round(ms / 1000)} s and was stopped; it may be damaged or too large.` },
        }),
      ms,
    ),
  );
}

export class IngestWorker {
  private cancelled = false;

  /** Stops the running batch after the file in progress. */
  cancel(): void {
    this.cancelled = true;
  }

  async ingest(
    files: File[],
    onResult: (result: WorkerIngestResult, index: number) => void | Promise<void>,
    onProgress: (progress: IngestProgress) => void,
    options: WorkerIngestOptions = {},
  ): Promise<IngestSummary> {
    this.cancelled = false;
    const started = performance.now();
    const limit = options.perFileTimeoutMs ?? 10_000;
    let failed = 0;
    let done = 0;
    for (const [index, file] of files.entries()) {
      if (this.cancelled) return { done, failed, cancelled: true };
      const path = pathOf(file);
      const result = await Promise.race([this.ingestOne(file, options), timeout(limit, path)]);
      let message: WorkerIngestResult;
      if (result.ok) {
        const { thumbnail, ...rest } = result.item;
        const blob = await thumbnailBlob(thumbnail);
        message = { ok: true, item: { ...rest, thumbnail: blob, thumbnailWidth: thumbnail.width, thumbnailHeight: thumbnail.height }, ...(result.rgb ? { rgb: result.rgb } : {}) };
      } else {
        failed++;
        message = result;
      }
      await onResult(message.ok && message.rgb ? Comlink.transfer(message, [message.rgb.data.buffer]) : message, index);
      done++;
      const seconds = (performance.now() - started) / 1000;
      const filesPerSecond = done / Math.max(seconds, 1e-3);
      onProgress({ done, total: files.length, failed, filesPerSecond, etaSeconds: (files.length - done) / filesPerSecond, current: path });
    }
    return { done, failed, cancelled: false };
  }

  private async ingestOne(file: File, options: WorkerIngestOptions): Promise<IngestResult> {
    const path = pathOf(file);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch {
      return { ok: false, error: { file: path, code: 'read-failed', reason: 'The browser could not read this file (it may have been moved or deleted); add it again.' } };
    }
    return ingestFile(bytes, { name: file.name, relativePath: path }, { ...options, fallbackDecoder: decodeWithImageBitmap });
  }
}

