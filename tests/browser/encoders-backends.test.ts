import { afterAll, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import type { EmbedItem, EmbedProgress } from '../../src/core/encoders/encoder-runner.ts';
import { getEncoder } from '../../src/core/encoders/registry.ts';
import { preprocess, tensorToDisplayRgba } from '../../src/core/preprocess/index.ts';
import { goldenImages } from '../support/encoders-golden-images.ts';
import goldenClip from '../golden/embeddings/fixture-clip.json';
import goldenDino from '../golden/embeddings/fixture-dino.json';
import { cosine, maxAbsDiff, startEncoderWorker, type WorkerHandle } from './encoders-support.ts';

const goldens = { 'fixture-clip': goldenClip, 'fixture-dino': goldenDino };
const items = (): EmbedItem[] => goldenImages().map((g) => ({ id: g.name, image: g.image }));
const gpuOptions = { backend: 'webgpu', allowFallbackAdapter: true } as const;

// Two workers reused across tests (starting ORT's WASM threads costs seconds per worker); each
// load() replaces the worker's previous encoder.
const workers: Record<string, WorkerHandle> = {};
function workerFor(key: 'wasm' | 'gpu'): WorkerHandle {
  workers[key] ??= startEncoderWorker();
  workers[key].statuses.length = 0;
  return workers[key];
}

describe('encoder workers on WASM and WebGPU', () => {
  afterAll(() => Object.values(workers).forEach((w) => w.terminate()));

  for (const id of ['fixture-clip', 'fixture-dino'] as const) {
    it(`${id}: WASM matches the Node golden and WebGPU matches WASM`, async () => {
      const wasm = workerFor('wasm');
      const gpu = workerFor('gpu');
      expect(await wasm.api.load({ encoderId: id }, { backend: 'wasm', batchSize: 2 })).toMatchObject({ backend: 'wasm', source: 'self-hosted' });
      const loaded = await gpu.api.load({ encoderId: id }, gpuOptions, gpu.onStatus);
      expect(loaded.backend).toBe('webgpu');
      expect(gpu.statuses.map((s) => s.status)).not.toContain('fallback');
      const fromWasm = await wasm.api.embed(items());
      const fromGpu = await gpu.api.embed(items());
      expect(fromGpu.embeddings.map((e) => e.id)).toEqual(fromWasm.embeddings.map((e) => e.id));
      fromWasm.embeddings.forEach((e, i) => {
        expect(e.embedding.length).toBe(getEncoder(id).dim);
        expect(cosine(e.embedding, goldens[id].embeddings[i])).toBeGreaterThanOrEqual(0.9999);
        expect(maxAbsDiff(e.embedding, fromGpu.embeddings[i].embedding)).toBeLessThanOrEqual(1e-4);
      });
    });
  }

  it('previews the de-normalised input the encoder receives', async () => {
    const w = workerFor('wasm');
    await w.api.load({ encoderId: 'fixture-dino' }, { backend: 'wasm' });
    const image = goldenImages()[1].image;
    const seen = await w.api.preview(image);
    expect([seen.width, seen.height]).toEqual([224, 224]);
    const expected = tensorToDisplayRgba(preprocess(image, getEncoder('fixture-dino').preprocess), getEncoder('fixture-dino').preprocess);
    expect(seen.rgba.length).toBe(224 * 224 * 4);
    expect(maxAbsDiff(seen.rgba, expected)).toBe(0);
  });

  it('cancels mid-run after a whole batch, keeping valid embeddings only', async () => {
    const w = workerFor('wasm');
    await w.api.load({ encoderId: 'fixture-dino' }, { backend: 'wasm' });
    await w.api.setBatchSize(2);
    const tensor = preprocess(goldenImages()[0].image, getEncoder('fixture-dino').preprocess);
    const many: EmbedItem[] = Array.from({ length: 30 }, (_, i) => ({ id: `t${i}`, tensor }));
    const progress: EmbedProgress[] = [];
    const outcome = await w.api.embed(
      many,
      Comlink.proxy((p: EmbedProgress) => {
        progress.push(p);
        if (p.done === 2) void w.api.cancel();
      }),
    );
    expect(outcome.status).toBe('cancelled');
    expect(outcome.embeddings.length % 2).toBe(0);
    expect(outcome.embeddings.length).toBeGreaterThanOrEqual(2);
    expect(outcome.embeddings.length).toBeLessThan(30);
    expect(outcome.embeddings.map((e) => e.id)).toEqual(many.slice(0, outcome.embeddings.length).map((m) => m.id));
    for (const e of outcome.embeddings) expect(cosine(e.embedding, goldenDino.embeddings[0])).toBeGreaterThanOrEqual(0.9999);
    expect(progress[0]).toMatchObject({ done: 2, total: 30, backend: 'wasm' });
    expect(progress[0].imagesPerSecond).toBeGreaterThan(0);
    expect(progress[0].etaSeconds).toBeGreaterThan(0);
    // The worker is usable again afterwards.
    expect((await w.api.embed(many.slice(0, 3))).status).toBe('complete');
  });

  it('falls back to WASM when a WebGPU run fails, re-running the batch so no image is skipped', async () => {
    const w = workerFor('gpu');
    const loaded = await w.api.load({ encoderId: 'fixture-clip' }, { ...gpuOptions, simulateWebGpuFailure: 'run', batchSize: 2 }, w.onStatus);
    expect(loaded.backend).toBe('webgpu');
    const outcome = await w.api.embed(items());
    expect(outcome.status).toBe('complete');
    expect(outcome.embeddings.map((e) => e.id)).toEqual(goldenImages().map((g) => g.name));
    outcome.embeddings.forEach((e, i) => expect(cosine(e.embedding, goldenClip.embeddings[i])).toBeGreaterThanOrEqual(0.9999));
    const fallback = w.statuses.find((s) => s.status === 'fallback');
    expect(fallback).toMatchObject({ from: 'webgpu', to: 'wasm', reason: expect.stringMatching(/simulated WebGPU failure.*without skipping/) });
    expect(w.statuses.at(-1)).toMatchObject({ status: 'ready', backend: 'wasm' });
  });

  it('falls back to WASM when the WebGPU session cannot load', async () => {
    const w = workerFor('gpu');
    const loaded = await w.api.load({ encoderId: 'fixture-dino' }, { ...gpuOptions, simulateWebGpuFailure: 'load' }, w.onStatus);
    expect(loaded.backend).toBe('wasm');
    expect(loaded.label).toMatch(/^WASM/);
    // Statuses come through their own Comlink callback, which can arrive just after load() resolves.
    await expect.poll(() => w.statuses.map((s) => s.status).filter((s) => s !== 'loading')).toEqual(['fallback', 'ready']);
    const outcome = await w.api.embed(items());
    outcome.embeddings.forEach((e, i) => expect(cosine(e.embedding, goldenDino.embeddings[i])).toBeGreaterThanOrEqual(0.9999));
  });

  it('keeps the precision explicit: fp32 by default on WebGPU too, keyed by precision, and fp16 refused on WASM with a sentence', async () => {
    const w = workerFor('gpu');
    const onGpu = await w.api.load({ encoderId: 'fixture-dino' }, gpuOptions);
    expect(onGpu.backend).toBe('webgpu');
    // The backend never lowers the precision on its own: the key is the fp32 one.
    expect(onGpu.revisionKey).toBe('self-hosted:fixture-dino@fixture-v1');
    await expect(w.api.load({ encoderId: 'fixture-dino' }, { backend: 'wasm', dtype: 'fp16' })).rejects.toThrow(
      /in fp16 runs on WebGPU only, and WebAssembly is in use here; choose fp32 or q8 under Precision\./,
    );
    // Weights a model does not have are said, not replaced by others.
    await expect(w.api.load({ encoderId: 'fixture-dino' }, { backend: 'wasm', dtype: 'q8' })).rejects.toThrow(/has no q8 weights; choose fp32/);
  });

  it('chooses WASM on its own when the only WebGPU adapter is a software fallback', async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    const info = adapter?.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
    const w = workerFor('gpu');
    const loaded = await w.api.load({ encoderId: 'fixture-clip' }, { backend: 'auto' });
    if (!adapter || info?.isFallbackAdapter) expect(loaded.backend).toBe('wasm');
    else expect(loaded.backend).toBe('webgpu');
  });

  it('runs a custom ONNX file with a preprocessing choice on both backends', async () => {
    const bytes = new Uint8Array(await (await fetch('/models/fixture-dino/onnx/model.onnx')).arrayBuffer());
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const sha = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    const custom = { label: 'model.onnx', modelSha256: sha, preprocess: 'hf_bit' as const };
    const w = workerFor('gpu');
    const onWasm = await w.api.load({ custom, model: bytes }, { backend: 'wasm' });
    expect(onWasm).toMatchObject({ source: 'custom', backend: 'wasm', revisionKey: `custom:sha256-${sha}` });
    const fromWasm = await w.api.embed(items());
    fromWasm.embeddings.forEach((e, i) => expect(cosine(e.embedding, goldenDino.embeddings[i])).toBeGreaterThanOrEqual(0.9999));
    expect((await w.api.load({ custom, model: bytes }, gpuOptions)).backend).toBe('webgpu');
    const fromGpu = await w.api.embed(items());
    fromGpu.embeddings.forEach((e, i) => expect(maxAbsDiff(e.embedding, fromWasm.embeddings[i].embedding)).toBeLessThanOrEqual(1e-4));
  });
});
