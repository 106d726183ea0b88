/**
 * The q8 variant of the ViT graph (the benchmark's precision figures): Linear weights quantised
 * per tensor to uint8 as onnxruntime's quantize_dynamic does, activations per call through
 * DynamicQuantizeLinear. Checked against the float32 graph of the same weights in onnxruntime-node
 * and against the quantisation rule applied by hand.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { buildVitGraph, randomVitWeights, vitParameters, type VitConfig } from '../../src/core/onnx/vit-graph.ts';
import { transpose2d } from '../../src/core/onnx/graph-ops.ts';
import { cosine } from '../support/cosine.ts';

const TINY: VitConfig = {
  imageSize: 28,
  patchSize: 14,
  width: 32,
  depth: 2,
  heads: 2,
  mlpRatio: 4,
  layerNormEps: 1e-6,
  layerScale: false,
  head: { kind: 'clip-projection', embedDim: 16, bias: false },
};

async function bytesOf(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk.slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}


describe('the q8 ViT graph', () => {
  it('embeds close to the float32 graph of the same weights, and not identically', async () => {
    const weights = randomVitWeights(7);
    const fp32 = await ort.InferenceSession.create(await bytesOf(buildVitGraph(TINY, weights)));
    const q8 = await ort.InferenceSession.create(await bytesOf(buildVitGraph(TINY, weights, { precision: 'q8' })));
    const batch = 3;
    const data = new Float32Array(batch * 3 * 28 * 28).map((_, i) => Math.sin(i * 0.05 + Math.floor(i / 2352)));
    const feeds = { pixel_values: new ort.Tensor('float32', data, [batch, 3, 28, 28]) };
    const [a, b] = [(await fp32.run(feeds)).image_embeds.data as Float32Array, (await q8.run(feeds)).image_embeds.data as Float32Array];
    for (let r = 0; r < batch; r++) {
      const cos = cosine(a.subarray(r * 16, r * 16 + 16), b.subarray(r * 16, r * 16 + 16));
      expect(cos).toBeGreaterThan(0.99);
      expect(cos).toBeLessThan(1 - 1e-7);
    }
  });

  it('stores each Linear weight as uint8 with the scale and zero point of quantize_dynamic', async () => {
    const weights = randomVitWeights(7);
    const model = onnxProto.onnx.ModelProto.decode(await bytesOf(buildVitGraph(TINY, weights, { precision: 'q8' })));
    const initializers = new Map(model.graph!.initializer!.map((t) => [t.name!, t]));
    const parameter = vitParameters(TINY).find((p) => p.name === 'blocks.1.mlp.fc1.weight')!;
    const [out, inp] = parameter.shape;
    const original = transpose2d(weights(parameter) as Float32Array, out, inp);
    const q = initializers.get('blocks.1.mlp.fc1.weight_quantized')!;
    expect(q.dims!.map(Number)).toEqual([inp, out]);
    expect(q.dataType).toBe(onnxProto.onnx.TensorProto.DataType.UINT8);
    const scaleBytes = initializers.get('blocks.1.mlp.fc1.weight_scale')!.rawData!;
    const scale = new Float32Array(scaleBytes.slice().buffer)[0];
    const zeroPoint = initializers.get('blocks.1.mlp.fc1.weight_zero_point')!.rawData![0];
    // The rule by hand: the range includes 0, 255 steps, zero point rounds -rmin / scale.
    const rmin = Math.min(0, ...original);
    const rmax = Math.max(0, ...original);
    expect(scale).toBeCloseTo((rmax - rmin) / 255, 7);
    expect(zeroPoint).toBe(Math.round(-rmin / ((rmax - rmin) / 255)));
    const raw = q.rawData!;
    for (let i = 0; i < original.length; i += 97) expect(Math.abs((raw[i] - zeroPoint) * scale - original[i])).toBeLessThanOrEqual(scale / 2 + 1e-7);
    // The float32 graph has no quantised tensor.
    const plain = onnxProto.onnx.ModelProto.decode(await bytesOf(buildVitGraph(TINY, weights)));
    expect(plain.graph!.initializer!.some((t) => t.name!.endsWith('_quantized'))).toBe(false);
  });
});
