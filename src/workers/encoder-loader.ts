/**
 * Browser loading of encoders: registry entries through `@huggingface/transformers` (self-hosted
 * `/models/<folder>/` first, else the hub, with its Cache API and per-file progress), custom
 * ONNX bytes through our own onnxruntime-web setup. Produces the `SessionFactory` that the core
 * `EncoderRunner` drives, so fallback and batching live in one place.
 */
import type { Backend } from '../core/backend.ts';
import type { EncoderSession, SessionFactory } from '../core/encoders/encoder-runner.ts';
import type { EncoderDtype, EncoderEntry, OutputTensor } from '../core/encoders/registry.ts';
import { configureOrt, createOrtSession, ensureWebGpuAdapter, ort } from './ort-web.ts';
import { messageOf } from '../core/errors.ts';
import { ENCODER_OFFLINE, offlineSentence } from '../core/encoders/registry.ts';
import type { ResolvedCommit } from '../core/encoders/revision.ts';
import { listenToFetches, noteOf, resolvedCommit, watchHubAnswers } from './hub-commit.ts';

export const DEFAULT_REMOTE_HOST = 'https://huggingface.co';
export const DEFAULT_LOCAL_MODEL_PATH = '/models/';

/** Per-file download progress, as transformers.js reports it. */
export interface FileProgress {
  status: 'initiate' | 'download' | 'progress' | 'done';
  file: string;
  loaded: number;
  total: number;
  /** 0..100 */
  progress: number;
}

export interface EncoderLoadOptions {
  /** The backend to start on; the runner falls back to WASM from WebGPU. */
  backend: Backend;
  /** fp32 by default; fp16 needs WebGPU with shader-f16 and a `_fp16` file. */
  dtype?: EncoderDtype;
  /** Lets WebGPU run on a software adapter (SwiftShader in tests). */
  allowFallbackAdapter?: boolean;
  /** The hub (or a mirror of its `/<repo>/resolve/<revision>/<file>` layout). */
  remoteHost?: string;
  /** Where self-hosted encoders live on this origin. */
  localModelPath?: string;
  /** Testing aid: make the WebGPU session fail at load or at its first run. */
  simulateWebGpuFailure?: 'load' | 'run';
  onProgress?: (progress: FileProgress) => void;
  /** Hears the commit the weights came from (40 hex, or 'unknown') and a sentence saying so, once the model has loaded. */
  onCommit?: (commit: ResolvedCommit, note: string) => void;
}

/** Where an entry will be loaded from, decided before any model file is fetched. */
export type ResolvedSource =
  | { kind: 'self-hosted'; modelId: string; localModelPath: string }
  | { kind: 'hub'; modelId: string; revision: string; remoteHost: string };

/** An error whose message is the one sentence the app shows as is. */
export class EncoderUnavailableError extends Error {}

/**
 * The encoder's files could not be fetched at all (the network is off, or its host does not
 * answer) and no copy is cached. Its name crosses the worker boundary, so the app can say what
 * happened and try again by itself when the network returns.
 */
export class EncoderOfflineError extends EncoderUnavailableError {
  override readonly name = ENCODER_OFFLINE;
  constructor(label: string) {
    super(offlineSentence([label]));
  }
}

/**
 * A fetch that failed without a usable answer, in the words Chromium, Firefox and Safari use
 * (also for a response cut short), or the browser saying it is offline.
 */
function isNetworkFailure(error: unknown): boolean {
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return true;
  return /failed to fetch|networkerror when attempting to fetch|^load failed/i.test(messageOf(error));
}

/** Where an entry's config.json lives on the host it loads from. */
function configUrlOf(source: ResolvedSource): string {
  return source.kind === 'hub' ? `${source.remoteHost}/${source.modelId}/resolve/${source.revision}/config.json` : `${source.localModelPath}${source.modelId}/config.json`;
}

/** Whether the host answers at all (any status): false when the network is off or the host unreachable. */
async function answers(url: string): Promise<boolean> {
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return false;
  try {
    await fetch(url, { method: 'HEAD', cache: 'no-store' });
    return true;
  } catch {
    return false;
  }
}

/** 'yes' / 'no' from the server (or the cache when it does not answer); 'unreachable' when neither answers. */
async function selfHostedConfigExists(localModelPath: string, folder: string): Promise<'yes' | 'no' | 'unreachable'> {
  const url = `${localModelPath}${folder}/config.json`;
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store' });
  } catch {
    // Offline: a config transformers.js cached on an earlier visit still proves the folder.
    return (await cachedJsonExists(url)) ? 'yes' : 'unreachable';
  }
  if (!response.ok) return 'no';
  try {
    // A single-page-app fallback may answer any path with HTML; only real JSON counts.
    await response.json();
    return 'yes';
  } catch {
    return 'no';
  }
}

async function cachedJsonExists(url: string): Promise<boolean> {
  try {
    if (typeof caches === 'undefined') return false;
    const absolute = new URL(url, globalThis.location.href).href;
    const cached = (await caches.match(absolute)) ?? (await caches.match(url));
    if (!cached) return false;
    await cached.json();
    return true;
  } catch {
    return false;
  }
}

/** Self-hosted `models/<folder>/` wins whenever its config.json is there; else the hub. */
export async function resolveSource(entry: EncoderEntry, options: Pick<EncoderLoadOptions, 'remoteHost' | 'localModelPath'> = {}): Promise<ResolvedSource> {
  const localModelPath = options.localModelPath ?? DEFAULT_LOCAL_MODEL_PATH;
  const source = entry.source;
  if (source.kind === 'custom') throw new Error('Custom encoders load from their ONNX bytes; use customSessionFactory.');
  const folder = source.kind === 'self-hosted' ? source.folder : entry.id;
  const local = await selfHostedConfigExists(localModelPath, folder);
  if (local === 'yes') return { kind: 'self-hosted', modelId: folder, localModelPath };
  if (source.kind === 'self-hosted') {
    if (local === 'unreachable') throw new EncoderOfflineError(entry.label);
    throw new EncoderUnavailableError(entry.missingHint ?? `The encoder ${entry.label} is missing from ${localModelPath}${folder}/.`);
  }
  return { kind: 'hub', modelId: source.repo, revision: source.revision, remoteHost: options.remoteHost ?? DEFAULT_REMOTE_HOST };
}

type Transformers = typeof import('@huggingface/transformers');
let transformersModule: Promise<Transformers> | undefined;

/**
 * transformers.js points onnxruntime-web at a CDN when it is first evaluated unless wasmPaths is
 * already set, so ORT is configured first and the library is imported lazily, never statically.
 */
function loadTransformers(): Promise<Transformers> {
  configureOrt();
  transformersModule ??= import('@huggingface/transformers');
  return transformersModule;
}

/** Lets ORT's WebGPU backend use the adapter our policy allows (the default is a hardware one only). */
/** Turns a lost GPU device into a clear failure of the next run, so the runner falls back. */
async function watchDeviceLoss(onLost: (reason: string) => void): Promise<void> {
  try {
    const device = await ort.env.webgpu.device;
    void device?.lost.then((info) => onLost(`the GPU device was lost (${info.message || info.reason})`));
  } catch {
    // No device to watch: a failing run still triggers the fallback.
  }
}

function wrapWebGpuFailures(session: EncoderSession, simulate: EncoderLoadOptions['simulateWebGpuFailure']): EncoderSession {
  if (session.backend !== 'webgpu') return session;
  let lostReason: string | undefined;
  void watchDeviceLoss((reason) => (lostReason = reason));
  return {
    backend: session.backend,
    async run(pixelValues, dims) {
      if (simulate === 'run') throw new Error('simulated WebGPU failure');
      if (lostReason) throw new Error(lostReason);
      return session.run(pixelValues, dims);
    },
    dispose: () => session.dispose(),
  };
}

function modelFileName(entry: EncoderEntry): { subfolder: string; model_file_name: string } {
  const file = entry.files.fp32 ?? 'onnx/model.onnx';
  const slash = file.lastIndexOf('/');
  return { subfolder: file.slice(0, Math.max(slash, 0)), model_file_name: file.slice(slash + 1).replace(/\.onnx$/, '') };
}

interface TransformersOutputs {
  [name: string]: { dims: number[]; data: ArrayLike<number> } | unknown;
}

function isTensorLike(value: unknown): value is OutputTensor {
  return typeof value === 'object' && value !== null && 'dims' in value && 'data' in value;
}

/** Sessions for a registry entry, created through transformers.js on the requested backend. */
export function entrySessionFactory(entry: EncoderEntry, options: EncoderLoadOptions): SessionFactory {
  let resolved: Promise<ResolvedSource> | undefined;
  return async (backend) => {
    resolved ??= resolveSource(entry, options);
    const source = await resolved;
    if (backend === 'webgpu') {
      if (options.simulateWebGpuFailure === 'load') throw new Error('simulated WebGPU failure');
      await ensureWebGpuAdapter(options.allowFallbackAdapter ?? false);
    }
    const transformers = await loadTransformers();
    const { env, Tensor } = transformers;
    env.useBrowserCache = true;
    listenToFetches(env);
    if (source.kind === 'self-hosted') {
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      env.localModelPath = source.localModelPath;
    } else {
      env.allowLocalModels = false;
      env.allowRemoteModels = true;
      env.remoteHost = source.remoteHost.replace(/\/*$/, '/');
    }
    // The precision is the user's choice and part of the embeddings' key: a fallback never changes it.
    const dtype = options.dtype ?? 'fp32';
    if (backend === 'wasm' && dtype === 'fp16') {
      throw new EncoderUnavailableError(`${entry.label} in fp16 runs on WebGPU only, and WebAssembly is in use here; choose fp32 or q8 under Precision.`);
    }
    if (!entry.files[dtype]) {
      throw new EncoderUnavailableError(`${entry.label} has no ${dtype} weights; choose ${Object.keys(entry.files).join(' or ')}.`);
    }
    const ModelClass = entry.modelClass === 'CLIPVisionModelWithProjection' ? transformers.CLIPVisionModelWithProjection : transformers.AutoModel;
    let model: Awaited<ReturnType<typeof ModelClass.from_pretrained>>;
    const watch = source.kind === 'hub' ? watchHubAnswers(entry, source) : null;
    try {
      model = await ModelClass.from_pretrained(source.modelId, {
        revision: source.kind === 'hub' ? source.revision : 'main',
        dtype,
        device: backend,
        ...modelFileName(entry),
        progress_callback: (info) => {
          if (!options.onProgress || !('file' in info)) return;
          const loaded = 'loaded' in info ? info.loaded : 0;
          const total = 'total' in info ? info.total : 0;
          const progress = 'progress' in info ? info.progress : info.status === 'done' ? 100 : 0;
          if (info.status === 'initiate' || info.status === 'download' || info.status === 'progress' || info.status === 'done') {
            options.onProgress({ status: info.status, file: info.file, loaded, total, progress });
          }
        },
      });
    } catch (error) {
      // The library may wrap what the fetch threw; the mismatch sentence is said as it is.
      const mismatch = watch?.mismatch();
      if (mismatch) throw new EncoderUnavailableError(mismatch.message);
      // "Failed to fetch" is also what a response cut short reads as: ask the host once more.
      if (isNetworkFailure(error) && !(await answers(configUrlOf(source)))) throw new EncoderOfflineError(entry.label);
      throw new EncoderUnavailableError(loadFailureSentence(entry, source, error));
    } finally {
      watch?.stop();
    }
    let commit: ResolvedCommit;
    try {
      commit = await resolvedCommit(entry, source, dtype, watch?.served ?? [], env.cacheKey);
    } catch (error) {
      await model.dispose();
      throw error instanceof EncoderUnavailableError ? error : new EncoderUnavailableError(messageOf(error));
    }
    options.onCommit?.(commit, noteOf(entry, source, commit));
    const session: EncoderSession = {
      backend,
      async run(pixelValues, dims) {
        const outputs = (await model({ [entry.inputName]: new Tensor('float32', pixelValues, [...dims]) })) as TransformersOutputs;
        const result: Record<string, OutputTensor> = {};
        for (const [name, value] of Object.entries(outputs)) if (isTensorLike(value)) result[name] = value;
        return result;
      },
      dispose: () => model.dispose().then(() => undefined),
    };
    return wrapWebGpuFailures(session, options.simulateWebGpuFailure);
  };
}

function loadFailureSentence(entry: EncoderEntry, source: ResolvedSource, error: unknown): string {
  const detail = messageOf(error);
  if (source.kind === 'self-hosted') {
    return `${entry.label} could not be loaded from ${source.localModelPath}${source.modelId}/ (${detail}); check that folder or recreate it.`;
  }
  return `${entry.label} could not be downloaded from ${source.remoteHost} (${detail}); check the connection and try again, or place it in models/ with \`npm run models -- ${entry.id}\`.`;
}

/** Sessions for user-picked ONNX bytes, on our own onnxruntime-web setup. */
export function customSessionFactory(entry: EncoderEntry, model: Uint8Array, options: EncoderLoadOptions): SessionFactory {
  return async (backend) => {
    if (backend === 'webgpu' && options.simulateWebGpuFailure === 'load') throw new Error('simulated WebGPU failure');
    let session: ort.InferenceSession;
    try {
      session = await createOrtSession(model, backend, { allowFallbackAdapter: options.allowFallbackAdapter });
    } catch (error) {
      const detail = messageOf(error);
      throw new EncoderUnavailableError(`The ONNX file ${entry.label} could not be opened on ${backend.toUpperCase()} (${detail}); pick a valid ONNX image encoder.`);
    }
    const inputName = session.inputNames.includes(entry.inputName) ? entry.inputName : session.inputNames[0];
    const wrapped: EncoderSession = {
      backend,
      async run(pixelValues, dims) {
        const outputs = await session.run({ [inputName]: new ort.Tensor('float32', pixelValues, [...dims]) });
        const result: Record<string, OutputTensor> = {};
        for (const [name, tensor] of Object.entries(outputs)) {
          const data = tensor.location === 'gpu-buffer' ? await tensor.getData() : tensor.data;
          result[name] = { dims: [...tensor.dims], data: data as Float32Array };
        }
        return result;
      },
      dispose: () => session.release(),
    };
    return wrapWebGpuFailures(wrapped, options.simulateWebGpuFailure);
  };
}

/** The `wasmPaths` ORT was given, for the privacy panel and the network test. */
export function ortWasmPaths(): string {
  const paths = ort.env.wasm.wasmPaths;
  return typeof paths === 'string' ? paths : JSON.stringify(paths ?? null);
}
