/**
 * Which execution backend an encoder runs on. Pure policy: the probe (browser) or the CLI feeds it facts.
 */
export type Backend = 'webgpu' | 'wasm';
export type BackendPreference = 'auto' | Backend;

export interface BackendProbe {
  webgpu: null | {
    vendor: string;
    architecture: string;
    description: string;
    /** Software adapters (SwiftShader) report true: usable, but slower than WASM with threads. */
    isFallbackAdapter: boolean;
    shaderF16: boolean;
  };
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
}

export interface BackendChoice {
  backend: Backend;
  /** fp16 weights only where the adapter has shader-f16. */
  dtype: 'fp32' | 'fp16';
  wasmThreads: number;
  /** Short human label for the badge, e.g. "WebGPU · nvidia ampere" or "WASM · 4 threads". */
  label: string;
  /** Why this backend, in a sentence for the tooltip. */
  reason: string;
}

export function wasmThreadCount(probe: BackendProbe): number {
  return probe.crossOriginIsolated ? Math.max(1, Math.min(8, probe.hardwareConcurrency)) : 1;
}

export function chooseBackend(probe: BackendProbe, preference: BackendPreference = 'auto'): BackendChoice {
  const threads = wasmThreadCount(probe);
  const wasm = (reason: string): BackendChoice => ({
    backend: 'wasm',
    dtype: 'fp32',
    wasmThreads: threads,
    label: `WASM · ${threads} thread${threads === 1 ? '' : 's'}`,
    reason,
  });
  const gpu = probe.webgpu;
  if (preference === 'wasm') return wasm('WASM was chosen in the settings.');
  if (!gpu) return wasm('This browser offers no WebGPU adapter, so encoders run on WASM.');
  if (gpu.isFallbackAdapter && preference === 'auto') {
    return wasm('The only WebGPU adapter is a software fallback, which is slower than WASM.');
  }
  const name = [gpu.vendor, gpu.architecture || gpu.description].filter(Boolean).join(' ');
  return {
    backend: 'webgpu',
    dtype: gpu.shaderF16 ? 'fp16' : 'fp32',
    wasmThreads: threads,
    label: `WebGPU · ${name || 'adapter'}`,
    reason: gpu.isFallbackAdapter
      ? 'WebGPU was forced on a software fallback adapter.'
      : 'A hardware WebGPU adapter is available.',
  };
}
