/**
 * What the service worker does with each request, as pure functions (tested in Node); the
 * event wiring lives in src/sw/service-worker.ts.
 *
 * Storage is split so no large file is stored twice:
 * - the app shell (index.html, hashed /assets/*) is precached per build, cache-first;
 * - onnxruntime-web's /ort/* files are cached on first use, cache-first, per ORT version;
 * - small /models/* metadata (config.json and friends) is network-first with a cached fallback,
 *   so the self-hosted-encoder check works offline;
 * - model weights (/models/*.onnx and hub files) are left to transformers.js, which keeps every
 *   file it loads, self-hosted ones included, in its own `transformers-cache` and reads it first.
 */

export const CACHE_PREFIX = 'mediconfusion-';

/**
 * The WASM runtime the encoders start with (transformers.js picks the asyncify build). Precached
 * at install so that the first visit, which the worker does not control yet, still leaves the
 * app able to embed offline.
 */
export const ORT_PRECACHE = ['/ort/ort-wasm-simd-threaded.asyncify.mjs', '/ort/ort-wasm-simd-threaded.asyncify.wasm'];

/** What the build writes into the service worker (and into `sw-manifest.json`). */
export interface ShellManifest {
  /** Changes whenever any precached file changes. */
  version: string;
  /** onnxruntime-web's version: /ort/ file names carry none, so the cache name does. */
  ortVersion: string;
  /** Absolute paths to precache, `/index.html` first. */
  shell: string[];
}

export interface CacheNames {
  shell: string;
  ort: string;
  modelMeta: string;
}

export function cacheNames(manifest: Pick<ShellManifest, 'version' | 'ortVersion'>): CacheNames {
  return {
    shell: `${CACHE_PREFIX}shell-${manifest.version}`,
    ort: `${CACHE_PREFIX}ort-${manifest.ortVersion}`,
    modelMeta: `${CACHE_PREFIX}model-meta-v1`,
  };
}

/** Our caches that the active worker no longer uses; other caches (transformers-cache) stay. */
export function staleCaches(existing: readonly string[], current: CacheNames): string[] {
  const keep = new Set(Object.values(current));
  return existing.filter((name) => name.startsWith(CACHE_PREFIX) && !keep.has(name));
}

/** The parts of a Request the policy looks at. */
export interface RequestFacts {
  method: string;
  url: string;
  mode: string;
  /** Whether a `Range` header is present (partial responses are never cached). */
  hasRange: boolean;
}

export type Strategy =
  /** Network first; offline, the precached index.html (single-page app). */
  | { kind: 'navigation'; cache: string; fallback: string }
  /** Cache first; on a miss fetch, store and answer (re-caches lazily after "Forget everything"). */
  | { kind: 'cache-first'; cache: string }
  /** Network first; store successes; offline, the cached copy. */
  | { kind: 'network-first'; cache: string }
  /** Not handled: the browser fetches as if there were no service worker. */
  | { kind: 'passthrough' };

const MODEL_METADATA = /\.(json|txt|md)$/i;

/** Decides how the service worker at `scopeOrigin` answers a request. */
export function strategyFor(request: RequestFacts, scopeOrigin: string, names: CacheNames, shell: readonly string[] = []): Strategy {
  if (request.method !== 'GET' || request.hasRange) return { kind: 'passthrough' };
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { kind: 'passthrough' };
  }
  // Hub downloads are cached by transformers.js; anything else cross-origin is not ours to keep.
  if (url.origin !== scopeOrigin) return { kind: 'passthrough' };
  if (request.mode === 'navigate') return { kind: 'navigation', cache: names.shell, fallback: '/index.html' };
  const path = url.pathname;
  if (path === '/sw.js') return { kind: 'passthrough' };
  if (path.startsWith('/assets/') || shell.includes(path)) return { kind: 'cache-first', cache: names.shell };
  if (path.startsWith('/ort/')) return { kind: 'cache-first', cache: names.ort };
  if (path.startsWith('/models/') && MODEL_METADATA.test(path)) return { kind: 'network-first', cache: names.modelMeta };
  return { kind: 'passthrough' };
}

/** Only complete, successful, same-origin answers are stored. */
export function isCacheable(response: { status: number; type: string }): boolean {
  return response.status === 200 && (response.type === 'basic' || response.type === 'default');
}
