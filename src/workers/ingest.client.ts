/**
 * Page-side driver of the ingest worker with a watchdog: if a file keeps the worker silent for
 * longer than the per-file limit plus a margin (a decoder stuck in synchronous code), the worker
 * is terminated, that file gets a 'timeout' error row, and a fresh worker continues with the rest.
 */
import * as Comlink from 'comlink';
import type { IngestProgress, IngestSummary, IngestWorker, WorkerIngestOptions, WorkerIngestResult } from './ingest.protocol.ts';

export interface IngestRun {
  /** Resolves when every file has a result or the run was cancelled. */
  finished: Promise<IngestSummary>;
  cancel(): void;
}

export interface IngestHandlers {
  onResult(result: WorkerIngestResult, index: number): void | Promise<void>;
  onProgress?(progress: IngestProgress): void;
}

const WATCHDOG_MARGIN_MS = 5_000;

export function createIngestWorker(): Worker {
  return new Worker(new URL('./ingest.worker.ts', import.meta.url), { type: 'module' });
}

export function runIngest(files: File[], handlers: IngestHandlers, options: WorkerIngestOptions = {}, makeWorker = createIngestWorker): IngestRun {
  let cancelled = false;
  let current: { worker: Worker; remote: Comlink.Remote<IngestWorker> } | null = null;
  const limit = (options.perFileTimeoutMs ?? 10_000) + WATCHDOG_MARGIN_MS;
  let next = 0;
  let failed = 0;
  const started = performance.now();

  const progress = (path: string) =>
    handlers.onProgress?.({
      done: next,
      total: files.length,
      failed,
      filesPerSecond: next / Math.max((performance.now() - started) / 1000, 1e-3),
      etaSeconds: next > 0 ? ((files.length - next) * (performance.now() - started)) / 1000 / next : null,
      current: path,
    });

  const finished = (async (): Promise<IngestSummary> => {
    while (next < files.length && !cancelled) {
      const worker = makeWorker();
      const remote = Comlink.wrap<IngestWorker>(worker);
      current = { worker, remote };
      const offset = next;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const outcomeOf = new Promise<'finished' | 'stalled'>((resolve) => {
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(() => resolve('stalled'), limit);
        };
        arm();
        const onResult = Comlink.proxy(async (result: WorkerIngestResult, index: number) => {
          arm();
          next = offset + index + 1;
          if (!result.ok) failed++;
          // The watchdog measures the worker, not our handler: a handler that waits for the
          // encoders (backpressure) must not make the worker look stuck.
          clearTimeout(timer);
          await handlers.onResult(result, offset + index);
          arm();
          progress(result.ok ? result.item.relativePath : result.error.file);
        });
        void remote
          .ingest(files.slice(offset), onResult, Comlink.proxy(() => {}), options)
          .then(() => resolve('finished'))
          // A worker that dies (out of memory, crash) is treated like one that went silent.
          .catch(() => resolve('stalled'));
      });
      const outcome = await outcomeOf;
      clearTimeout(timer);
      worker.terminate();
      current = null;
      if (outcome === 'stalled' && next < files.length && !cancelled) {
        // Whatever the worker was on when it went silent gets a timeout row; the rest continue.
        const file = files[next];
        const path = file.webkitRelativePath || file.name;
        failed++;
        await handlers.onResult(
          { ok: false, error: { file: path, code: 'timeout', reason: `Reading this file took longer than ${Math.round(limit / 1000)} s and was stopped; it may be damaged or too large.` } },
          next,
        );
        next++;
        progress(path);
      }
    }
    return { done: next, failed, cancelled };
  })();

  return {
    finished,
    cancel() {
      cancelled = true;
      void current?.remote.cancel();
    },
  };
}
