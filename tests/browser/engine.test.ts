import { describe, expect, it, afterAll } from 'vitest';
import * as Comlink from 'comlink';
import type { OrtSessionHost } from '../../src/workers/ort-session.worker.ts';

const worker = new Worker(new URL('../../src/workers/ort-session.worker.ts', import.meta.url), { type: 'module' });
const host = Comlink.wrap<OrtSessionHost>(worker);

function batchOfTwo(width: number, height: number): Float32Array {
  const plane = width * height;
  const data = new Float32Array(2 * 3 * plane);
  for (let i = 0; i < plane * 3; i++) {
    const x = i % width;
    const y = Math.floor(i / width) % height;
    data[i] = Math.sin(x / 9) + Math.cos(y / 13);
    data[plane * 3 + i] = ((x * 7 + y * 3) % 31) / 15 - 1;
  }
  return data;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const cases = [
  { id: 'fixture-clip', file: '/models/fixture-clip/onnx/vision_model.onnx', output: 'image_embeds', dims: [2, 512] },
  { id: 'fixture-dino', file: '/models/fixture-dino/onnx/model.onnx', output: 'last_hidden_state', dims: [2, 257, 384] },
];

describe('onnxruntime-web in a comlink worker', () => {
  afterAll(() => worker.terminate());

  it('runs in a cross-origin isolated page (WASM threads possible)', () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
  });

  for (const c of cases) {
    it(`${c.id}: WASM and WebGPU agree on a batch of 2`, async () => {
      const input = batchOfTwo(224, 224);
      await host.load(`${c.id}-wasm`, c.file, 'wasm');
      await host.load(`${c.id}-gpu`, c.file, 'webgpu', true);
      const wasm = (await host.run(`${c.id}-wasm`, 'pixel_values', input, [2, 3, 224, 224]))[c.output];
      const gpu = (await host.run(`${c.id}-gpu`, 'pixel_values', input, [2, 3, 224, 224]))[c.output];
      expect(wasm.dims).toEqual(c.dims);
      expect(gpu.dims).toEqual(c.dims);
      expect(maxAbsDiff(wasm.data, gpu.data)).toBeLessThanOrEqual(1e-4);
      // The two images of the batch must give different outputs.
      const half = wasm.data.length / 2;
      expect(maxAbsDiff(wasm.data.subarray(0, half), wasm.data.subarray(half))).toBeGreaterThan(1e-3);
    });
  }
});
