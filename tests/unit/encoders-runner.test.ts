import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/core/backend.ts';
import { EncoderRunner, type EmbedItem, type EmbedProgress, type EncoderSession, type EncoderStatus } from '../../src/core/encoders/encoder-runner.ts';
import { getEncoder } from '../../src/core/encoders/registry.ts';
import { preprocess } from '../../src/core/preprocess/index.ts';
import { rgbImage, type RgbImage } from '../../src/core/image.ts';

// A pooled readout with an unknown dim, so the fake model can emit 2-d embeddings.
const entry = { ...getEncoder('fixture-clip'), dim: 0 };
const plane = 224 * 224;

function solid(value: number, width = 40, height = 30): RgbImage {
  return rgbImage(width, height, new Uint8Array(width * height * 3).fill(value));
}

/** A fake model: embedding of each item = [mean of its red plane, 1]. */
function fakeSession(backend: Backend, log: string[], behaviour: { failOnRun?: number; gate?: () => Promise<void> } = {}): EncoderSession {
  let runs = 0;
  return {
    backend,
    async run(data, dims) {
      runs++;
      log.push(`${backend}:run[${dims.join(',')}]`);
      await behaviour.gate?.();
      if (behaviour.failOnRun === runs) throw new Error('GPU device lost');
      const batch = dims[0];
      const out = new Float32Array(batch * 2);
      for (let b = 0; b < batch; b++) {
        let sum = 0;
        for (let i = 0; i < plane; i++) sum += data[b * 3 * plane + i];
        out[b * 2] = sum / plane;
        out[b * 2 + 1] = 1;
      }
      return { image_embeds: { dims: [batch, 2], data: out } };
    },
    async dispose() {
      log.push(`${backend}:dispose`);
    },
  };
}

function expectedEmbedding(image: RgbImage): [number, number] {
  const tensor = preprocess(image, entry.preprocess);
  let sum = 0;
  for (let i = 0; i < plane; i++) sum += tensor[i];
  const x = sum / plane;
  const n = Math.hypot(x, 1);
  return [x / n, 1 / n];
}

const items: EmbedItem[] = Array.from({ length: 7 }, (_, i) => ({ id: `img${i}`, image: solid(i * 30) }));

describe('EncoderRunner', () => {
  it('embeds in fixed batches, in order, with progress, rate and ETA', async () => {
    const log: string[] = [];
    let clock = 0;
    const runner = await EncoderRunner.create({ entry, backend: 'wasm', createSession: async (b) => fakeSession(b, log), batchSize: 3, now: () => (clock += 500) });
    const progress: EmbedProgress[] = [];
    const outcome = await runner.embed(items, (p) => progress.push(p));
    expect(outcome.status).toBe('complete');
    expect(outcome.embeddings.map((e) => e.id)).toEqual(items.map((i) => i.id));
    expect(log).toEqual(['wasm:run[3,3,224,224]', 'wasm:run[3,3,224,224]', 'wasm:run[1,3,224,224]']);
    items.forEach((item, i) => {
      const [a, b] = expectedEmbedding((item as { image: RgbImage }).image);
      expect(outcome.embeddings[i].embedding[0]).toBeCloseTo(a, 5);
      expect(outcome.embeddings[i].embedding[1]).toBeCloseTo(b, 5);
    });
    expect(progress.map((p) => [p.done, p.total])).toEqual([[3, 7], [6, 7], [7, 7]]);
    // Clock: start at 500 ms, first batch done at 1000 ms -> 3 images in 0.5 s.
    expect(progress[0].imagesPerSecond).toBeCloseTo(6, 6);
    expect(progress[0].etaSeconds).toBeCloseTo(4 / 6, 6);
    expect(progress[2].etaSeconds).toBe(0);
  });

  it('accepts preprocessed tensors and rejects wrongly sized ones', async () => {
    const runner = await EncoderRunner.create({ entry, backend: 'wasm', createSession: async (b) => fakeSession(b, []) });
    const tensor = preprocess(solid(200), entry.preprocess);
    const fromTensor = await runner.embed([{ id: 't', tensor }]);
    const fromImage = await runner.embed([{ id: 'i', image: solid(200) }]);
    expect(Array.from(fromTensor.embeddings[0].embedding)).toEqual(Array.from(fromImage.embeddings[0].embedding));
    await expect(runner.embed([{ id: 'bad', tensor: new Float32Array(10) }])).rejects.toThrow(/bad has 10 values.*\[3, 224, 224\]/);
    expect(runner.busy).toBe(false);
  });

  it('cancels after the current batch and keeps only whole batches', async () => {
    let release: () => void = () => undefined;
    let runs = 0;
    const gate = () => {
      runs++;
      return runs === 2 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
    };
    const log: string[] = [];
    const runner = await EncoderRunner.create({ entry, backend: 'wasm', createSession: async (b) => fakeSession(b, log, { gate }), batchSize: 3 });
    const done = runner.embed(items);
    await new Promise((r) => setTimeout(r, 10));
    expect(runner.busy).toBe(true);
    runner.cancel();
    release();
    const outcome = await done;
    expect(outcome.status).toBe('cancelled');
    expect(outcome.embeddings.map((e) => e.id)).toEqual(['img0', 'img1', 'img2', 'img3', 'img4', 'img5']);
    expect(log).toHaveLength(2);
    // The runner is usable again and a later run is not cancelled by the old request.
    expect((await runner.embed(items.slice(0, 2))).status).toBe('complete');
  });

  it('sees a cancel queued as a task even when runs never yield to the event loop', async () => {
    const runner = await EncoderRunner.create({ entry, backend: 'wasm', createSession: async (b) => fakeSession(b, []), batchSize: 3 });
    const outcome = await runner.embed(items, (p) => {
      if (p.done === 3) setTimeout(() => runner.cancel(), 0);
    });
    expect(outcome.status).toBe('cancelled');
    expect(outcome.embeddings).toHaveLength(3);
  });

  it('refuses a second embed while one runs', async () => {
    const runner = await EncoderRunner.create({ entry, backend: 'wasm', createSession: async (b) => fakeSession(b, []) });
    const first = runner.embed(items);
    await expect(runner.embed(items)).rejects.toThrow(/already embedding/);
    await first;
  });

  it('falls back to WASM when a WebGPU run fails and re-runs that batch', async () => {
    const log: string[] = [];
    const statuses: EncoderStatus[] = [];
    const runner = await EncoderRunner.create({
      entry,
      backend: 'webgpu',
      batchSize: 3,
      createSession: async (b) => fakeSession(b, log, b === 'webgpu' ? { failOnRun: 2 } : {}),
      onStatus: (s) => statuses.push(s),
    });
    const progress: EmbedProgress[] = [];
    const outcome = await runner.embed(items, (p) => progress.push(p));
    expect(outcome.status).toBe('complete');
    expect(outcome.embeddings.map((e) => e.id)).toEqual(items.map((i) => i.id));
    expect(log).toEqual(['webgpu:run[3,3,224,224]', 'webgpu:run[3,3,224,224]', 'webgpu:dispose', 'wasm:run[3,3,224,224]', 'wasm:run[1,3,224,224]']);
    expect(statuses.map((s) => s.status)).toEqual(['ready', 'fallback', 'ready']);
    expect(statuses[1]).toMatchObject({ from: 'webgpu', to: 'wasm' });
    expect((statuses[1] as { reason: string }).reason).toMatch(/GPU device lost.*without skipping/);
    expect(progress.map((p) => p.backend)).toEqual(['webgpu', 'wasm', 'wasm']);
    expect(runner.backend).toBe('wasm');
    const reference = await (await EncoderRunner.create({ entry, backend: 'wasm', createSession: async (b) => fakeSession(b, []) })).embed(items);
    expect(outcome.embeddings).toEqual(reference.embeddings);
  });

  it('falls back to WASM when the WebGPU session cannot load', async () => {
    const statuses: EncoderStatus[] = [];
    const runner = await EncoderRunner.create({
      entry,
      backend: 'webgpu',
      createSession: async (b) => {
        if (b === 'webgpu') throw new Error('no adapter');
        return fakeSession(b, []);
      },
      onStatus: (s) => statuses.push(s),
    });
    expect(runner.backend).toBe('wasm');
    expect(statuses).toEqual([
      { status: 'fallback', from: 'webgpu', to: 'wasm', reason: expect.stringMatching(/no adapter/) },
      { status: 'ready', backend: 'wasm', label: 'WASM' },
    ]);
  });

  it('reports a WASM failure as a sentence and does not fall back without permission', async () => {
    const wasm = await EncoderRunner.create({ entry, backend: 'wasm', createSession: async (b) => fakeSession(b, [], { failOnRun: 1 }) });
    await expect(wasm.embed(items)).rejects.toThrow(/failed on WASM: GPU device lost/);
    const strict = await EncoderRunner.create({ entry, backend: 'webgpu', fallbackToWasm: false, createSession: async (b) => fakeSession(b, [], { failOnRun: 1 }) });
    await expect(strict.embed(items)).rejects.toThrow(/failed on WEBGPU/);
  });

  it('validates the batch size', async () => {
    await expect(EncoderRunner.create({ entry, backend: 'wasm', batchSize: 0, createSession: async (b) => fakeSession(b, []) })).rejects.toThrow(/batch size/);
    const runner = await EncoderRunner.create({ entry, backend: 'wasm', createSession: async (b) => fakeSession(b, []) });
    expect(runner.batchSize).toBe(8);
    runner.batchSize = 2;
    expect(runner.batchSize).toBe(2);
    expect(() => (runner.batchSize = 1.5)).toThrow(/whole number/);
  });

  it('previews exactly the tensor the encoder receives', async () => {
    const runner = await EncoderRunner.create({ entry, backend: 'wasm', createSession: async (b) => fakeSession(b, []) });
    const image = solid(90, 300, 200);
    const seen = runner.preview(image);
    const reference = preprocess(image, entry.preprocess);
    expect(seen.length).toBe(3 * plane);
    expect(seen.every((v, i) => v === reference[i])).toBe(true);
  });
});
