/**
 * One encoder in its own module worker (the app starts one per encoder so both run at once),
 * exposed with comlink. Thin: the core `EncoderRunner` does batching, progress, cancellation and
 * the WebGPU -> WASM fallback; `encoder-loader` makes the sessions.
 */
import * as Comlink from 'comlink';
import type { EncoderSpec, WorkerLoadOptions, LoadResult, PreviewImage } from './encoder.protocol.ts';
import { chooseBackend } from '../core/backend.ts';
import { EncoderRunner, type EmbedItem, type EmbedOutcome, type EmbedProgress, type EncoderStatus } from '../core/encoders/encoder-runner.ts';
import { customEncoder, encoderRevisionKey, getEncoder } from '../core/encoders/registry.ts';
import type { RgbImage } from '../core/image.ts';
import { tensorToDisplayRgba } from '../core/preprocess/index.ts';
import { probeBackend } from './backend-probe.ts';
import { customSessionFactory, entrySessionFactory, ortWasmPaths, resolveSource, type EncoderLoadOptions } from './encoder-loader.ts';
import { messageOf } from '../core/errors.ts';
import type { ResolvedCommit } from '../core/encoders/revision.ts';

function sentence(error: unknown): string {
  return messageOf(error);
}

export class EncoderWorker {
  private runner?: EncoderRunner;

  async load(spec: EncoderSpec, options: WorkerLoadOptions = {}, onStatus?: (status: EncoderStatus) => void): Promise<LoadResult> {
    await this.dispose();
    const report = (status: EncoderStatus) => void onStatus?.(status);
    try {
      const entry = 'encoderId' in spec ? getEncoder(spec.encoderId) : 'entry' in spec ? spec.entry : customEncoder(spec.custom);
      const choice = chooseBackend(await probeBackend(), options.backend ?? 'auto');
      if (options.backend === 'webgpu') choice.backend = 'webgpu';
      // fp32 unless the user picked another precision: the backend never lowers it on its own.
      const dtype = options.dtype ?? 'fp32';
      // A WebGPU -> WASM fallback loads again; the session that runs is the last one to say its commit.
      let commit: { commit: ResolvedCommit; commitNote: string } | undefined;
      const loadOptions: EncoderLoadOptions = {
        ...options,
        backend: choice.backend,
        dtype,
        onProgress: (p) => report({ status: 'loading', file: p.file, loaded: p.loaded, total: p.total, progress: p.progress }),
        onCommit: (resolved, note) => (commit = { commit: resolved, commitNote: note }),
      };
      const source = 'custom' in spec ? 'custom' : (await resolveSource(entry, options)).kind;
      const createSession = 'custom' in spec ? customSessionFactory(entry, spec.model, loadOptions) : entrySessionFactory(entry, loadOptions);
      let label = choice.label;
      this.runner = await EncoderRunner.create({
        entry,
        backend: choice.backend,
        createSession,
        batchSize: options.batchSize,
        backendLabel: (backend) => (label = backend === choice.backend ? choice.label : `WASM · ${choice.wasmThreads} threads`),
        onStatus: report,
      });
      return { entry, backend: this.runner.backend, label, source, revisionKey: encoderRevisionKey(entry, dtype), ...commit };
    } catch (error) {
      report({ status: 'error', message: sentence(error) });
      throw error;
    }
  }

  /** Embeddings in input order; `cancelled` keeps only whole batches finished before `cancel()`. */
  async embed(items: EmbedItem[], onProgress?: (progress: EmbedProgress) => void): Promise<EmbedOutcome> {
    const outcome = await this.loaded().embed(items, (p) => void onProgress?.(p));
    return Comlink.transfer(outcome, outcome.embeddings.map((e) => e.embedding.buffer as ArrayBuffer));
  }

  async preview(image: RgbImage): Promise<PreviewImage> {
    const runner = this.loaded();
    const size = runner.entry.preprocess.cropSize;
    const rgba = tensorToDisplayRgba(runner.preview(image), runner.entry.preprocess);
    return Comlink.transfer({ width: size, height: size, rgba }, [rgba.buffer as ArrayBuffer]);
  }

  setBatchSize(size: number): void {
    this.loaded().batchSize = size;
  }

  cancel(): void {
    this.runner?.cancel();
  }

  async dispose(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    await runner?.dispose();
  }

  /** Facts for the privacy panel: where ORT loads WASM from and which origins this worker contacted. */
  diagnostics(): { wasmPaths: string; origins: string[] } {
    const origins = new Set(performance.getEntriesByType('resource').map((e) => new URL(e.name).origin));
    return { wasmPaths: ortWasmPaths(), origins: [...origins].sort() };
  }

  private loaded(): EncoderRunner {
    if (!this.runner) throw new Error('No encoder is loaded in this worker; call load() first.');
    return this.runner;
  }
}

