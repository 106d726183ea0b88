import { describe, expect, it } from 'vitest';
import { chooseBackend, type BackendProbe } from '../../src/core/backend.ts';

const gpu = (over: Partial<NonNullable<BackendProbe['webgpu']>> = {}): BackendProbe['webgpu'] => ({
  vendor: 'nvidia',
  architecture: 'ampere',
  description: '',
  isFallbackAdapter: false,
  shaderF16: true,
  ...over,
});

describe('chooseBackend', () => {
  it('prefers a hardware WebGPU adapter, fp16 only with shader-f16', () => {
    expect(chooseBackend({ webgpu: gpu(), crossOriginIsolated: true, hardwareConcurrency: 8 })).toMatchObject({
      backend: 'webgpu',
      dtype: 'fp16',
      label: 'WebGPU · nvidia ampere',
    });
    expect(chooseBackend({ webgpu: gpu({ shaderF16: false }), crossOriginIsolated: true, hardwareConcurrency: 8 }).dtype).toBe('fp32');
  });

  it('uses WASM when only a software fallback adapter exists, unless WebGPU is forced', () => {
    const probe = { webgpu: gpu({ isFallbackAdapter: true, shaderF16: false }), crossOriginIsolated: true, hardwareConcurrency: 2 };
    expect(chooseBackend(probe)).toMatchObject({ backend: 'wasm', label: 'WASM · 2 threads' });
    expect(chooseBackend(probe, 'webgpu').backend).toBe('webgpu');
  });

  it('uses one WASM thread without cross-origin isolation', () => {
    expect(chooseBackend({ webgpu: null, crossOriginIsolated: false, hardwareConcurrency: 16 })).toMatchObject({
      backend: 'wasm',
      wasmThreads: 1,
      label: 'WASM · 1 thread',
    });
  });
});
