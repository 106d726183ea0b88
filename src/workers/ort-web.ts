/**
 * The one place the browser configures onnxruntime-web. `@huggingface/transformers` imports the
 * same `onnxruntime-web/webgpu` module (one version, pinned by npm overrides), so this
 * configuration applies to sessions it creates too.
 */
import * as ort from 'onnxruntime-web/webgpu';
import type { Backend } from '../core/backend.ts';

export { ort };

let configured = false;

/** Serve WASM from our own origin (`/ort/`), never from a CDN; threads only under cross-origin isolation. */
export function configureOrt(options: { wasmThreads?: number; wasmBase?: string } = {}): void {
  if (!configured) {
    ort.env.wasm.wasmPaths = options.wasmBase ?? new URL('/ort/', globalThis.location.origin).href;
    ort.env.logLevel = 'error';
    configured = true;
  }
  const isolated = globalThis.crossOriginIsolated === true;
  ort.env.wasm.numThreads = isolated ? Math.max(1, options.wasmThreads ?? Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
}

/**
 * Hands ORT the adapter to use before its first WebGPU session, refusing a software (fallback)
 * adapter unless the caller forces WebGPU. Shared by our sessions and transformers.js's, which
 * use the same ORT module: the first caller decides, later calls keep that adapter.
 */
export async function ensureWebGpuAdapter(allowFallback: boolean): Promise<void> {
  if (ort.env.webgpu.adapter) return;
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('No WebGPU adapter is available in this browser.');
  const isFallback = (adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  if (isFallback && !allowFallback) throw new Error('Only a software WebGPU adapter is available.');
  ort.env.webgpu.adapter = adapter;
}

export async function createOrtSession(
  model: Uint8Array,
  backend: Backend,
  options: { allowFallbackAdapter?: boolean } = {},
): Promise<ort.InferenceSession> {
  configureOrt();
  if (backend === 'webgpu') await ensureWebGpuAdapter(options.allowFallbackAdapter ?? false);
  return ort.InferenceSession.create(model, {
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
  });
}
