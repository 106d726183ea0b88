/**
 * One encoder worker seen from the page: its load status (download progress, backend, errors
 * as sentences) and a memoised load, as in the transformers.js example apps.
 */
import * as Comlink from 'comlink';
import type { EncoderWorker, LoadResult, WorkerLoadOptions } from '../../workers/encoder.worker.ts';
import type { EmbedItem, EmbedOutcome, EmbedProgress, EncoderStatus } from '../../core/encoders/encoder-runner.ts';
import type { RgbImage } from '../../core/image.ts';

export type EncoderPhase = 'idle' | 'loading' | 'ready' | 'error';

export class EncoderClient {
  phase = $state<EncoderPhase>('idle');
  /** Current download: file name and fraction (0..1), or null. */
  download = $state<{ file: string; loaded: number; total: number } | null>(null);
  backendLabel = $state('');
  /** The last problem as a sentence the user can act on. */
  message = $state('');
  loaded = $state.raw<LoadResult | null>(null);

  private worker: Worker | null = null;
  private remote: Comlink.Remote<EncoderWorker> | null = null;
  private loading: Promise<LoadResult> | null = null;
  private loadedId = '';

  constructor(readonly role: 'clip' | 'dino') {}

  /** Loads `encoderId` once; a different id replaces the worker. */
  load(encoderId: string, options: WorkerLoadOptions = {}): Promise<LoadResult> {
    if (this.loading && this.loadedId === encoderId) return this.loading;
    this.dispose();
    this.loadedId = encoderId;
    this.worker = new Worker(new URL('../../workers/encoder.worker.ts', import.meta.url), { type: 'module' });
    this.remote = Comlink.wrap<EncoderWorker>(this.worker);
    this.phase = 'loading';
    this.message = '';
    const onStatus = Comlink.proxy((status: EncoderStatus) => this.onStatus(status));
    this.loading = this.remote.load({ encoderId }, options, onStatus).then(
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
        this.message = error instanceof Error ? error.message : String(error);
        this.loading = null;
        throw error;
      },
    );
    return this.loading;
  }

  private onStatus(status: EncoderStatus): void {
    if (status.status === 'loading') this.download = { file: status.file, loaded: status.loaded, total: status.total };
    else if (status.status === 'ready') this.backendLabel = status.label;
    else if (status.status === 'fallback') this.message = `Switched from ${status.from} to ${status.to}: ${status.reason}`;
    else if (status.status === 'error') this.message = status.message;
  }

  async embed(items: EmbedItem[], onProgress?: (p: EmbedProgress) => void): Promise<EmbedOutcome> {
    if (!this.remote || !this.loading) throw new Error('The encoder is not loaded yet.');
    await this.loading;
    return this.remote.embed(items, onProgress ? Comlink.proxy(onProgress) : undefined);
  }

  async preview(image: RgbImage): Promise<{ width: number; height: number; rgba: Uint8ClampedArray } | null> {
    if (!this.remote || this.phase !== 'ready') return null;
    return this.remote.preview(image);
  }

  async origins(): Promise<string[]> {
    if (!this.remote) return [];
    return (await this.remote.diagnostics()).origins;
  }

  cancel(): void {
    void this.remote?.cancel();
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    this.remote = null;
    this.loading = null;
    this.loaded = null;
    this.phase = 'idle';
  }
}
