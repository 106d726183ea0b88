/**
 * Browser side of the precision figures: the full-size random-weight graphs at fp32 and q8 (the
 * same weights quantised as onnxruntime's quantize_dynamic does) on WASM, timed on the same
 * batches, and how far q8 moves the similarities: max and mean |cos_q8 - cos_fp32| over up to
 * 1,000 pairs of the embedded images. Query: ?images=46&batch=8. Publishes `window.precisionResult`.
 */
import * as Comlink from 'comlink';
import type { OrtSessionHost, TensorResult } from '../../src/workers/ort-session.worker.ts';
import { cosine } from '../../tests/support/cosine.ts';

interface VariantFigures {
  images_per_second: number;
}

interface ShapeFigures {
  fp32: VariantFigures;
  q8: VariantFigures & { pairs: number; max_abs_delta_cos: number; mean_abs_delta_cos: number };
  q8_over_fp32_speed: number;
}

declare global {
  interface Window {
    precisionResult?: Record<string, unknown>;
  }
}

const params = new URLSearchParams(location.search);
const count = Number(params.get('images') ?? '46');
const batch = Number(params.get('batch') ?? '8');
const log = document.getElementById('log')!;
const PAIRS = 1000;

const shapes = {
  vit_b16: { file: '/fixtures/full-size/vit-b16/onnx/vision_model', output: 'image_embeds', cls: false },
  vit_s14: { file: '/fixtures/full-size/vit-s14/onnx/model', output: 'last_hidden_state', cls: true },
} as const;

/** Image `index` as a normalised tensor: smooth patterns whose frequencies differ per image, so pairs differ. */
function tensorOf(first: number, size: number): Float32Array {
  const plane = 224 * 224;
  const data = new Float32Array(size * 3 * plane);
  for (let b = 0; b < size; b++) {
    const k = first + b;
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < plane; i++) {
        const x = i % 224;
        const y = Math.floor(i / 224);
        data[(b * 3 + c) * plane + i] = Math.sin(x * (0.02 + 0.003 * k) + c) * Math.cos(y * (0.015 + 0.002 * (k % 7))) * 1.5;
      }
    }
  }
  return data;
}

/** Row `row` of the embedding output: the pooled row, or the CLS token of the hidden states. */
function rowOf(result: TensorResult, row: number, cls: boolean): Float32Array {
  const dim = result.dims[result.dims.length - 1];
  const stride = cls ? result.dims[1] * dim : dim;
  return result.data.slice(row * stride, row * stride + dim);
}


async function embedAll(host: Comlink.Remote<OrtSessionHost>, url: string, key: string, output: string, cls: boolean): Promise<{ rows: Float32Array[]; imagesPerSecond: number }> {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const info = await host.load(key, Comlink.transfer(bytes, [bytes.buffer]), 'wasm', true);
  await host.run(key, info.inputs[0], tensorOf(0, 1), [1, 3, 224, 224]);
  const inputs: Float32Array[] = [];
  for (let at = 0; at < count; at += batch) inputs.push(tensorOf(at, Math.min(batch, count - at)));
  const rows: Float32Array[] = [];
  const start = performance.now();
  for (const [k, data] of inputs.entries()) {
    const size = Math.min(batch, count - k * batch);
    const result = (await host.run(key, info.inputs[0], data, [size, 3, 224, 224]))[output];
    for (let r = 0; r < size; r++) rows.push(rowOf(result, r, cls));
  }
  return { rows, imagesPerSecond: (count * 1000) / (performance.now() - start) };
}

async function main(): Promise<Record<string, unknown>> {
  const host = Comlink.wrap<OrtSessionHost>(new Worker(new URL('../../src/workers/ort-session.worker.ts', import.meta.url), { type: 'module' }));
  const out: Record<string, unknown> = {};
  for (const [id, shape] of Object.entries(shapes)) {
    log.textContent = `${id} fp32…`;
    const fp32 = await embedAll(host, `${shape.file}.onnx`, `${id}-fp32`, shape.output, shape.cls);
    log.textContent = `${id} q8…`;
    const q8 = await embedAll(host, `${shape.file}_quantized.onnx`, `${id}-q8`, shape.output, shape.cls);
    let pairs = 0;
    let maxDelta = 0;
    let sumDelta = 0;
    for (let i = 0; i < count && pairs < PAIRS; i++) {
      for (let j = i + 1; j < count && pairs < PAIRS; j++) {
        const delta = Math.abs(cosine(q8.rows[i], q8.rows[j]) - cosine(fp32.rows[i], fp32.rows[j]));
        maxDelta = Math.max(maxDelta, delta);
        sumDelta += delta;
        pairs++;
      }
    }
    const figures: ShapeFigures = {
      fp32: { images_per_second: fp32.imagesPerSecond },
      q8: { images_per_second: q8.imagesPerSecond, pairs, max_abs_delta_cos: maxDelta, mean_abs_delta_cos: sumDelta / pairs },
      q8_over_fp32_speed: q8.imagesPerSecond / fp32.imagesPerSecond,
    };
    out[id] = figures;
  }
  out.fp16 =
    'not measured: the app runs fp16 only on WebGPU with shader-f16, and the benchmark has no fp16 random-weight graph yet; on a GPU machine, time the real model_fp16.onnx files.';
  out.note = 'Random weights: the drift shows what uint8 weight and activation rounding does to these shapes, not what it does to the trained BiomedCLIP or DINOv2.';
  return out;
}

main()
  .then((r) => (window.precisionResult = r))
  .catch((e: unknown) => (window.precisionResult = { error: e instanceof Error ? e.message : String(e) }))
  .finally(() => (log.textContent = JSON.stringify(window.precisionResult, null, 2)));
