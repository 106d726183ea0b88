/**
 * Runs one encoder over many images in fixed-size batches: preprocessing, progress with
 * throughput and ETA, cancellation between batches, and the WebGPU -> WASM fallback that
 * re-runs the failed batch so no image is skipped. The ONNX runtime is injected as a
 * `SessionFactory`, so the same logic runs in the encoder worker, the CLI and Node tests.
 */
import type { Backend } from '../backend.ts';
import type { RgbImage } from '../image.ts';
import { preprocess } from '../preprocess/index.ts';
import { takeEmbedding, type EncoderEntry, type OutputTensor } from './registry.ts';
import { messageOf } from '../errors.ts';

/** One loaded ONNX session of an encoder on one backend. */
export interface EncoderSession {
  readonly backend: Backend;
  /** Runs a float32 NCHW batch; output names as in the ONNX graph. */
  run(pixelValues: Float32Array, dims: readonly number[]): Promise<Readonly<Record<string, OutputTensor>>>;
  dispose(): Promise<void>;
}

export type SessionFactory = (backend: Backend) => Promise<EncoderSession>;

/** The status protocol shared with the app (like the transformers.js example apps). */
export type EncoderStatus =
  | { status: 'loading'; file: string; loaded: number; total: number; progress: number }
  | { status: 'ready'; backend: Backend; label: string }
  | { status: 'fallback'; from: Backend; to: Backend; reason: string }
  | { status: 'error'; message: string };

/** An image to embed, either as pixels or as the exact `[3, crop, crop]` tensor the encoder takes. */
export type EmbedItem = { id: string; image: RgbImage } | { id: string; tensor: Float32Array };

export interface Embedding {
  id: string;
  /** L2-normalised. */
  embedding: Float32Array;
}

export interface EmbedProgress {
  done: number;
  total: number;
  imagesPerSecond: number;
  /** Seconds left at the current rate; null before the first batch finishes. */
  etaSeconds: number | null;
  backend: Backend;
}

/**
 * `complete`: every item has its embedding, in input order. `cancelled`: `embeddings` holds
 * the whole batches finished before the cancel (in input order), never part of a batch.
 */
export interface EmbedOutcome {
  status: 'complete' | 'cancelled';
  embeddings: Embedding[];
}

export interface EncoderRunnerOptions {
  entry: EncoderEntry;
  /** The backend to start on. */
  backend: Backend;
  createSession: SessionFactory;
  /** Images per session run; 8 by default. */
  batchSize?: number;
  /** Whether a failing WebGPU session falls back to WASM (default true). */
  fallbackToWasm?: boolean;
  onStatus?: (status: EncoderStatus) => void;
  /** Milliseconds clock, injectable for tests. */
  now?: () => number;
  /** Short label of a backend for the 'ready' status; defaults to "WebGPU" / "WASM". */
  backendLabel?: (backend: Backend) => string;
}

export const DEFAULT_BATCH_SIZE = 8;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function describeError(error: unknown): string {
  return messageOf(error);
}

export class EncoderRunner {
  readonly entry: EncoderEntry;
  private session: EncoderSession;
  private readonly options: EncoderRunnerOptions;
  private cancelRequested = false;
  private running = false;
  private batchSizeValue: number;

  private constructor(session: EncoderSession, options: EncoderRunnerOptions) {
    this.entry = options.entry;
    this.session = session;
    this.options = options;
    this.batchSizeValue = EncoderRunner.checkBatchSize(options.batchSize ?? DEFAULT_BATCH_SIZE);
  }

  /** Loads a session on `options.backend`, falling back to WASM if a WebGPU load fails. */
  static async create(options: EncoderRunnerOptions): Promise<EncoderRunner> {
    let session: EncoderSession;
    try {
      session = await options.createSession(options.backend);
    } catch (error) {
      if (options.backend !== 'webgpu' || options.fallbackToWasm === false) throw error;
      options.onStatus?.({
        status: 'fallback',
        from: 'webgpu',
        to: 'wasm',
        reason: `WebGPU could not load ${options.entry.label} (${describeError(error)}), so it runs on WASM.`,
      });
      session = await options.createSession('wasm');
    }
    const runner = new EncoderRunner(session, options);
    runner.reportReady();
    return runner;
  }

  private static checkBatchSize(size: number): number {
    if (!Number.isInteger(size) || size < 1) throw new Error(`The batch size must be a whole number of at least 1, not ${size}.`);
    return size;
  }

  get backend(): Backend {
    return this.session.backend;
  }

  get batchSize(): number {
    return this.batchSizeValue;
  }

  set batchSize(size: number) {
    this.batchSizeValue = EncoderRunner.checkBatchSize(size);
  }

  get busy(): boolean {
    return this.running;
  }

  /** The exact `[3, crop, crop]` input tensor for one image ("what the encoder sees"). */
  preview(image: RgbImage): Float32Array {
    return preprocess(image, this.entry.preprocess);
  }

  /** Stops the running `embed` after its current batch; it then resolves as `cancelled`. */
  cancel(): void {
    if (this.running) this.cancelRequested = true;
  }

  async embed(items: readonly EmbedItem[], onProgress?: (progress: EmbedProgress) => void): Promise<EmbedOutcome> {
    if (this.running) throw new Error(`${this.entry.label} is already embedding a batch of images; wait for it or cancel it first.`);
    this.running = true;
    this.cancelRequested = false;
    const now = this.options.now ?? (() => performance.now());
    const started = now();
    const embeddings: Embedding[] = [];
    try {
      for (let start = 0; start < items.length; start += this.batchSizeValue) {
        // A WASM session can finish its run without ever yielding to the event loop, so a queued
        // cancel() message would only be seen after the last batch; give it a turn first.
        if (start > 0) await yieldToEventLoop();
        if (this.cancelRequested) return { status: 'cancelled', embeddings };
        const batch = items.slice(start, start + this.batchSizeValue);
        const outputs = await this.runBatch(this.batchTensor(batch), batch.length);
        // Read every row before publishing any, so a bad output never leaves half a batch behind.
        const rows = batch.map((item, i) => ({ id: item.id, embedding: takeEmbedding(outputs, this.entry, i) }));
        embeddings.push(...rows);
        const seconds = Math.max((now() - started) / 1000, 1e-9);
        const imagesPerSecond = embeddings.length / seconds;
        onProgress?.({
          done: embeddings.length,
          total: items.length,
          imagesPerSecond,
          etaSeconds: (items.length - embeddings.length) / imagesPerSecond,
          backend: this.session.backend,
        });
      }
      return { status: this.cancelRequested && embeddings.length < items.length ? 'cancelled' : 'complete', embeddings };
    } finally {
      this.running = false;
      this.cancelRequested = false;
    }
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }

  private batchTensor(batch: readonly EmbedItem[]): Float32Array {
    const size = this.entry.preprocess.cropSize;
    const perImage = 3 * size * size;
    const tensor = new Float32Array(batch.length * perImage);
    batch.forEach((item, i) => {
      if ('tensor' in item) {
        if (item.tensor.length !== perImage) {
          throw new Error(`The tensor for ${item.id} has ${item.tensor.length} values; ${this.entry.label} needs [3, ${size}, ${size}].`);
        }
        tensor.set(item.tensor, i * perImage);
      } else {
        preprocess(item.image, this.entry.preprocess, tensor, i * perImage);
      }
    });
    return tensor;
  }

  private async runBatch(tensor: Float32Array, count: number): Promise<Readonly<Record<string, OutputTensor>>> {
    const size = this.entry.preprocess.cropSize;
    const dims = [count, 3, size, size];
    try {
      return await this.session.run(tensor, dims);
    } catch (error) {
      if (this.session.backend !== 'webgpu' || this.options.fallbackToWasm === false) {
        throw new Error(`${this.entry.label} failed on ${this.session.backend.toUpperCase()}: ${describeError(error)}`);
      }
      this.options.onStatus?.({
        status: 'fallback',
        from: 'webgpu',
        to: 'wasm',
        reason: `WebGPU failed while running ${this.entry.label} (${describeError(error)}); continuing on WASM without skipping any image.`,
      });
      await this.session.dispose().catch(() => undefined);
      this.session = await this.options.createSession('wasm');
      this.reportReady();
      return await this.session.run(tensor, dims);
    }
  }

  private reportReady(): void {
    const backend = this.session.backend;
    const label = this.options.backendLabel?.(backend) ?? (backend === 'webgpu' ? 'WebGPU' : 'WASM');
    this.options.onStatus?.({ status: 'ready', backend, label });
  }
}
