/**
 * One encoder worker seen from the page, and the one place that starts it: its load status
 * (download progress, backend, errors as sentences) and a memoised load, as in the transformers.js
 * example apps. A worker that dies (crash, out of memory, terminated) is noticed through
 * `WorkerConnection`: calls in flight reject with a `WorkerStoppedError`, the status says what
 * happened, and the next `load` (or `embed`, which reloads the same encoder) starts a fresh worker.
 * A worker that stays silent during `embed` for longer than `heartbeatMs` (its progress callback
 * is the heartbeat: it reports after every internal batch) is treated as crashed.
 */
import * as Comlink from 'comlink';
import type { EncoderSpec, EncoderWorker, LoadResult, WorkerLoadOptions } from './encoder.protocol.ts';
import type { EncoderEntry } from '../core/encoders/registry.ts';
import type { EmbedItem, EmbedOutcome, EmbedProgress, EncoderStatus } from '../core/encoders/encoder-runner.ts';
import type { RgbImage } from '../core/image.ts';
import { messageOf } from '../core/errors.ts';
import { WorkerConnection, WorkerStoppedError } from './worker-connection.ts';

export type { LoadResult, WorkerLoadOptions } from './encoder.protocol.ts';
export type EncoderPhase = 'idle' | 'loading' | 'ready' | 'error';

/**
 * How long `embed` waits for a sign of life (a progress report or the answer) before it treats
 * the worker as stuck. Generous: a batch of a full-size ViT on WASM on a slow laptop takes tens
 * of seconds, and a false alarm costs a worker restart and a re-embedded batch.
 */
export const EMBED_HEARTBEAT_MS = 180_000;

export class EncoderClient {
  phase = $state<EncoderPhase>('idle');
  /** Current download: file name and fraction (0..1), or null. */
  download = $state<{ file: string; loaded: number; total: number } | null>(null);
  backendLabel = $state('');
  /** The last problem as a sentence the user can act on. */
  message = $state('');
  loaded = $state.raw<LoadResult | null>(null);
  /** Workers of this role that died and were replaced (tests and the status line read it). */
  restarts = $state(0);
  /** Silence allowed during `embed` before the worker counts as crashed (tests shorten it). */
  heartbeatMs = EMBED_HEARTBEAT_MS;

  private connection: WorkerConnection<EncoderWorker> | null = null;
  private loading: Promise<LoadResult> | null = null;
  private loadedId = '';
  /** What was asked to load (an id or an entry), for reloading after a crash. */
  private loadedEncoder: string | EncoderEntry = '';
  private loadOptions: WorkerLoadOptions = {};
  /** The worker died after a load: `embed` loads the same encoder again before it runs. */
  private restartPending = false;

  constructor(
    readonly role: 'clip' | 'dino',
    /** Hears a sentence when the worker died. */
    private readonly onCrash: (sentence: string) => void = () => {},
  ) {}

  /**
   * Loads `encoder` once; a different id (or a dead worker) starts a fresh worker. An entry
   * object instead of a registry id is for the benchmarks (full-size graphs outside the registry).
   */
  load(encoder: string | EncoderEntry, options: WorkerLoadOptions = {}): Promise<LoadResult> {
    const encoderId = typeof encoder === 'string' ? encoder : encoder.id;
    const spec: EncoderSpec = typeof encoder === 'string' ? { encoderId } : { entry: encoder };
    if (this.loading && this.loadedId === encoderId && this.loadOptions.dtype === options.dtype && this.connection?.alive) return this.loading;
    this.dispose();
    this.restartPending = false;
    this.loadedId = encoderId;
    this.loadedEncoder = encoder;
    this.loadOptions = options;
    const connection = new WorkerConnection<EncoderWorker>(
      () => new Worker(new URL('./encoder.worker.ts', import.meta.url), { type: 'module' }),
      `${this.role === 'clip' ? 'CLIP-side' : 'DINOv2-side'} encoder worker`,
      (sentence) => this.crashed(connection, sentence),
    );
    this.connection = connection;
    this.phase = 'loading';
    this.message = '';
    const onStatus = Comlink.proxy((status: EncoderStatus) => this.onStatus(status));
    this.loading = connection.call((api) => api.load(spec, options, onStatus)).then(
      (result) => {
        this.loaded = result;
        this.phase = 'ready';
        this.backendLabel = result.label;
        this.download = null;
        return result;
      },
      (error: unknown) => {
        this.phase = 'error';
        this.download = null;
        this.message = messageOf(error);
        this.loading = null;
        throw error;
      },
    );
    return this.loading;
  }

  /**
   * What is loaded, loading it again in a fresh worker first when the worker died since it was
   * loaded; null when nothing was asked to load.
   */
  async ready(): Promise<LoadResult | null> {
    if (this.loading) return this.loading;
    if (this.restartPending) return this.reload();
    return null;
  }

  /** Loads the same encoder again in a fresh worker (after a crash). */
  reload(): Promise<LoadResult> {
    this.loading = null;
    return this.load(this.loadedEncoder, this.loadOptions);
  }

  private crashed(connection: WorkerConnection<EncoderWorker>, sentence: string): void {
    if (connection !== this.connection) return;
    this.restarts++;
    this.restartPending = this.loadedId !== '';
    this.loading = null;
    this.loaded = null;
    this.phase = 'error';
    this.message = sentence;
    this.onCrash(sentence);
  }

  private onStatus(status: EncoderStatus): void {
    if (status.status === 'loading') this.download = { file: status.file, loaded: status.loaded, total: status.total };
    else if (status.status === 'ready') this.backendLabel = status.label;
    else if (status.status === 'fallback') this.message = `Switched from ${status.from} to ${status.to}: ${status.reason}`;
    else if (status.status === 'error') this.message = status.message;
  }

  /**
   * Embeds `items` in the worker. After a crash it first loads the same encoder in a fresh
   * worker. Rejects with a `WorkerStoppedError` when the worker dies during the call or misses
   * its heartbeat; the caller hands the items back to the queue.
   */
  async embed(items: EmbedItem[], onProgress?: (p: EmbedProgress) => void): Promise<EmbedOutcome> {
    if (!this.loading && this.restartPending) void this.reload().catch(() => undefined);
    const connection = this.connection;
    const loading = this.loading;
    if (!connection || !loading) throw new Error('The encoder is not loaded yet; wait for it to load, then try again.');
    await loading;
    // The worker died while loading or since (a fresh, empty worker would start on this call).
    if (connection !== this.connection || !connection.alive) throw new WorkerStoppedError(`The ${this.role === 'clip' ? 'CLIP-side' : 'DINOv2-side'} encoder worker stopped; it is being restarted.`, true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = this.heartbeatMs;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (connection === this.connection) connection.terminate(true, ` (no answer for ${limit >= 1000 ? `${Math.round(limit / 1000)} s` : `${limit} ms`})`);
      }, limit);
    };
    const beat = Comlink.proxy((progress: EmbedProgress) => {
      arm();
      onProgress?.(progress);
    });
    arm();
    try {
      return await connection.call((api) => api.embed(items, beat));
    } finally {
      clearTimeout(timer);
    }
  }

  async preview(image: RgbImage): Promise<{ width: number; height: number; rgba: Uint8ClampedArray } | null> {
    if (!this.connection || this.phase !== 'ready') return null;
    return this.connection.call((api) => api.preview(image));
  }

  async origins(): Promise<string[]> {
    if (!this.connection?.alive) return [];
    return (await this.connection.call((api) => api.diagnostics())).origins;
  }

  cancel(): void {
    if (this.connection?.alive) void this.connection.api.cancel();
  }

  /** Tests: kill the worker as a crash would. */
  simulateCrash(): void {
    this.connection?.terminate(true);
  }

  dispose(): void {
    const connection = this.connection;
    this.connection = null;
    this.restartPending = false;
    connection?.terminate();
    this.loading = null;
    this.loaded = null;
    this.phase = 'idle';
  }
}
