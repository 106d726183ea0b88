/**
 * Page-side driver of the ingest worker with a watchdog: if a file keeps the worker silent for
 * longer than the per-file limit plus a margin (a decoder stuck in synchronous code), the worker
 * is terminated, that file gets a 'timeout' error row, and a fresh worker continues with the rest.
 *
 * A worker that dies instead (an error event, an out-of-memory kill, `simulateCrash`) skips
 * nothing: the owner hears one sentence, and a fresh worker starts again at the first file that
 * has no result yet, once the result being handled is finished (so no file is handled twice).
 * Only a file that kills the worker twice in a row gets an error row ('crashed'). A handler that
 * throws ends the run with its error; it never counts against a file.
 */
import * as Comlink from 'comlink';
import type { IngestProgress, IngestSummary, IngestWorker, WorkerIngestOptions, WorkerIngestResult } from './ingest.worker.ts';

export interface IngestRun {
  /** Resolves when every file has a result or the run was cancelled. */
  finished: Promise<IngestSummary>;
  cancel(): void;
  /** Tests: kills the worker now, as a crash would (the run restarts it and goes on). */
  simulateCrash(): void;
}

export interface IngestHandlers {
  onResult(result: WorkerIngestResult, index: number): void | Promise<void>;
  onProgress?(progress: IngestProgress): void;
  /** Hears a sentence when the worker died and was restarted. */
  onCrash?(sentence: string): void;
}

const WATCHDOG_MARGIN_MS = 5_000;

export function createIngestWorker(): Worker {
  return new Worker(new URL('./ingest.worker.ts', import.meta.url), { type: 'module' });
}

/** How one worker's part of the run ended. */
type Outcome = { kind: 'finished' } | { kind: 'stalled' } | { kind: 'crashed'; detail: string } | { kind: 'handler-failed'; error: unknown };

export function runIngest(files: File[], handlers: IngestHandlers, options: WorkerIngestOptions = {}, makeWorker = createIngestWorker): IngestRun {
  let cancelled = false;
  let current: { worker: Worker; remote: Comlink.Remote<IngestWorker>; crash: (detail: string) => void } | null = null;
  const limit = (options.perFileTimeoutMs ?? 10_000) + WATCHDOG_MARGIN_MS;
  let next = 0;
  let failed = 0;
  /** The file the last crash happened on; a second crash there gives it an error row. */
  let lastCrashAt = -1;
  /** The result handler running now (awaited before a fresh worker starts). */
  let handling: Promise<unknown> = Promise.resolve();
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

  const errorRow = async (code: string, reason: string) => {
    const file = files[next];
    const path = file.webkitRelativePath || file.name;
    failed++;
    await handlers.onResult({ ok: false, error: { file: path, code, reason } }, next);
    next++;
    progress(path);
  };

  const finished = (async (): Promise<IngestSummary> => {
    while (next < files.length && !cancelled) {
      const worker = makeWorker();
      const remote = Comlink.wrap<IngestWorker>(worker);
      const offset = next;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const outcomeOf = new Promise<Outcome>((resolve) => {
        current = { worker, remote, crash: (detail) => resolve({ kind: 'crashed', detail }) };
        worker.addEventListener('error', (event) => {
          event.preventDefault();
          resolve({ kind: 'crashed', detail: event.message ? `: ${event.message}` : '' });
        });
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(() => resolve({ kind: 'stalled' }), limit);
        };
        arm();
        const onResult = Comlink.proxy(async (result: WorkerIngestResult, index: number) => {
          arm();
          next = offset + index + 1;
          if (!result.ok) failed++;
          // The watchdog measures the worker, not our handler: a handler that waits for the
          // encoders (backpressure) must not make the worker look stuck.
          clearTimeout(timer);
          const handled = Promise.resolve(handlers.onResult(result, offset + index));
          handling = handled.catch(() => undefined);
          try {
            await handled;
          } catch (error) {
            resolve({ kind: 'handler-failed', error });
            throw error;
          }
          arm();
          progress(result.ok ? result.item.relativePath : result.error.file);
        });
        void remote
          .ingest(files.slice(offset), onResult, Comlink.proxy(() => {}), options)
          .then(() => resolve({ kind: 'finished' }))
          // The worker's own failure mid-file is treated like a worker that went silent.
          .catch(() => resolve({ kind: 'stalled' }));
      });
      const outcome = await outcomeOf;
      clearTimeout(timer);
      worker.terminate();
      current = null;
      await handling;
      if (outcome.kind === 'handler-failed') throw outcome.error;
      if (cancelled || next >= files.length) continue;
      if (outcome.kind === 'crashed') {
        if (lastCrashAt === next) {
          await errorRow('crashed', 'Reading this file stopped the image reader twice; it may be damaged or too large for this browser.');
        } else {
          lastCrashAt = next;
          handlers.onCrash?.(`The image reader stopped unexpectedly${outcome.detail}; it was restarted and reading goes on from ${files[next].name}.`);
        }
      } else if (outcome.kind === 'stalled') {
        // Whatever the worker was on when it went silent gets a timeout row; the rest continue.
        await errorRow('timeout', `Reading this file took longer than ${Math.round(limit / 1000)} s and was stopped; it may be damaged or too large.`);
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
    simulateCrash() {
      current?.crash(' (terminated)');
    },
  };
}
