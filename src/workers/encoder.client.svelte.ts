/**
 * One encoder worker seen from the page, and the one place that starts it: its load status
 * (download progress, backend, errors as sentences) and a memoised load, as in the transformers.js
 * example apps. A worker that dies (crash, out of memory, terminated) is noticed through
 * `WorkerConnection`: calls in flight reject with a sentence, the status says what happened, and
 * the next `load` starts a fresh worker.
 */
import * as Comlink from 'comlink';
import type { EncoderWorker, LoadResult, WorkerLoadOptions } from './encoder.protocol.ts';
import type { EmbedItem, EmbedOutcome, EmbedProgress, EncoderStatus } from '../core/encoders/encoder-runner.ts';
import type { RgbImage } from '../core/image.ts';
import { messageOf } from '../core/errors.ts';
import { WorkerConnection } from './worker-connection.ts';

export type { LoadResult, WorkerLoadOptions } from './encoder.protocol.ts';
export type EncoderPhase = 'idle' | 'loading' | 'ready' | 'error';

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

  private connection: WorkerConnection<EncoderWorker> | null = null;
  private loading: Promise<LoadResult> | null = null;
  private loadedId = '';
  private loadOptions: WorkerLoadOptions = {};

  constructor(
    readonly role: 'clip' | 'dino',
    /** Hears a sentence when the worker died. */
    private readonly onCrash: (sentence: string) => void = () => {},
  ) {}

  /** Loads `encoderId` once; a different id (or a dead worker) starts a fresh worker. */
  load(encoderId: string, options: WorkerLoadOptions = {}): Promise<LoadResult> {
    if (this.loading && this.loadedId === encoderId && this.connection?.alive) return this.loading;
    this.dispose();
    this.loadedId = encoderId;
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
    this.loading = connection.call((api) => api.load({ encoderId }, options, onStatus)).then(
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

  /** Loads the same encoder again in a fresh worker (after a crash). */
  reload(): Promise<LoadResult> {
    this.loading = null;
    return this.load(this.loadedId, this.loadOptions);
  }

  private crashed(connection: WorkerConnection<EncoderWorker>, sentence: string): void {
    if (connection !== this.connection) return;
    this.restarts++;
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

  async embed(items: EmbedItem[], onProgress?: (p: EmbedProgress) => void): Promise<EmbedOutcome> {
    const connection = this.connection;
    if (!connection || !this.loading) throw new Error('The encoder is not loaded yet; wait for it to load, then try again.');
    await this.loading;
    return connection.call((api) => api.embed(items, onProgress ? Comlink.proxy(onProgress) : undefined));
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
    connection?.terminate();
    this.loading = null;
    this.loaded = null;
    this.phase = 'idle';
  }
}
