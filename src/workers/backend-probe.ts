/** Reads the facts `chooseBackend` needs from the current browser context (window or worker). */
import type { BackendProbe } from '../core/backend.ts';

export async function probeBackend(): Promise<BackendProbe> {
  let webgpu: BackendProbe['webgpu'] = null;
  try {
    const adapter = await navigator.gpu?.requestAdapter();
    if (adapter) {
      const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
      webgpu = {
        vendor: info.vendor,
        architecture: info.architecture,
        description: info.description,
        isFallbackAdapter: info.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
        shaderF16: adapter.features.has('shader-f16'),
      };
    }
  } catch {
    webgpu = null;
  }
  return {
    webgpu,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency || 1,
  };
}
