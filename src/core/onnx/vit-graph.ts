/**
 * ONNX graph of a timm-style Vision Transformer image encoder (`vit_base_patch16_224` and
 * relatives): Conv patch embedding, class token, learned position embedding, pre-norm blocks
 * (LayerNormalization, fused qkv Linear, softmax attention, exact-erf GELU MLP, optional layer
 * scale), final LayerNorm, then either
 * - the open_clip TimmModel head of BiomedCLIP: CLS token -> Linear (no bias by default) -> L2
 *   normalisation, output `image_embeds [B, embedDim]`; or
 * - the hidden states as DINOv2 returns them: `last_hidden_state [B, 1+P, width]` and
 *   `pooler_output [B, width]` (the CLS row).
 *
 * Weights are named as in timm's state dict (`blocks.0.attn.qkv.weight`, ...) and supplied in
 * PyTorch layout (Linear weights `[out, in]`); the graph transposes Linear weights itself while
 * streaming, so the converter and the random-weight generator can hand over tensors as they are.
 */
import { GraphBuilder, seededUniform } from './graph-builder.ts';
import { exactGelu, l2NormaliseRows, quantizedLinearWeight, quantizedMatMul, streamedWeight } from './graph-ops.ts';

export { transpose2d } from './graph-ops.ts';

export type VitHead = { kind: 'clip-projection'; embedDim: number; bias: boolean } | { kind: 'hidden-states' };

export interface VitConfig {
  imageSize: number;
  patchSize: number;
  width: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  layerNormEps: number;
  /** DINOv2-style per-channel residual scaling (`ls1.gamma`, `ls2.gamma`). */
  layerScale: boolean;
  head: VitHead;
}

/** timm `vit_base_patch16_224` + open_clip linear head to 512, as in BiomedCLIP. */
export const BIOMEDCLIP_VISION: VitConfig = {
  imageSize: 224,
  patchSize: 16,
  width: 768,
  depth: 12,
  heads: 12,
  mlpRatio: 4,
  layerNormEps: 1e-6,
  layerScale: false,
  head: { kind: 'clip-projection', embedDim: 512, bias: false },
};

/** DINOv2 ViT-S/14 at a fixed 224x224 input (16x16 patches + CLS). */
export const DINOV2_SMALL_224: VitConfig = {
  imageSize: 224,
  patchSize: 14,
  width: 384,
  depth: 12,
  heads: 6,
  mlpRatio: 4,
  layerNormEps: 1e-6,
  layerScale: true,
  head: { kind: 'hidden-states' },
};

/** How a parameter is laid out: `linear` weights are `[out, in]` in PyTorch and transposed for MatMul. */
export type VitParameterRole = 'linear-weight' | 'norm-weight' | 'layer-scale' | 'bias' | 'embedding' | 'conv-weight';

export interface VitParameter {
  /** timm state-dict name, e.g. `blocks.3.mlp.fc1.weight`; the head is `head.proj.weight`. */
  name: string;
  /** PyTorch shape. */
  shape: number[];
  role: VitParameterRole;
}

/** Values of one parameter in PyTorch layout, produced on demand. */
export type VitWeightProvider = (parameter: VitParameter) => Float32Array | Promise<Float32Array>;

export function patchCount(config: VitConfig): number {
  if (config.imageSize % config.patchSize !== 0) {
    throw new Error(`Image size ${config.imageSize} is not a multiple of the patch size ${config.patchSize}.`);
  }
  return (config.imageSize / config.patchSize) ** 2;
}

/** Every parameter the graph needs, in the order they are written. */
export function vitParameters(config: VitConfig): VitParameter[] {
  const d = config.width;
  const hidden = Math.round(d * config.mlpRatio);
  const p = config.patchSize;
  const params: VitParameter[] = [
    { name: 'cls_token', shape: [1, 1, d], role: 'embedding' },
    { name: 'pos_embed', shape: [1, 1 + patchCount(config), d], role: 'embedding' },
    { name: 'patch_embed.proj.weight', shape: [d, 3, p, p], role: 'conv-weight' },
    { name: 'patch_embed.proj.bias', shape: [d], role: 'bias' },
  ];
  for (let i = 0; i < config.depth; i++) {
    const b = `blocks.${i}`;
    params.push(
      { name: `${b}.norm1.weight`, shape: [d], role: 'norm-weight' },
      { name: `${b}.norm1.bias`, shape: [d], role: 'bias' },
      { name: `${b}.attn.qkv.weight`, shape: [3 * d, d], role: 'linear-weight' },
      { name: `${b}.attn.qkv.bias`, shape: [3 * d], role: 'bias' },
      { name: `${b}.attn.proj.weight`, shape: [d, d], role: 'linear-weight' },
      { name: `${b}.attn.proj.bias`, shape: [d], role: 'bias' },
    );
    if (config.layerScale) params.push({ name: `${b}.ls1.gamma`, shape: [d], role: 'layer-scale' });
    params.push(
      { name: `${b}.norm2.weight`, shape: [d], role: 'norm-weight' },
      { name: `${b}.norm2.bias`, shape: [d], role: 'bias' },
      { name: `${b}.mlp.fc1.weight`, shape: [hidden, d], role: 'linear-weight' },
      { name: `${b}.mlp.fc1.bias`, shape: [hidden], role: 'bias' },
      { name: `${b}.mlp.fc2.weight`, shape: [d, hidden], role: 'linear-weight' },
      { name: `${b}.mlp.fc2.bias`, shape: [d], role: 'bias' },
    );
    if (config.layerScale) params.push({ name: `${b}.ls2.gamma`, shape: [d], role: 'layer-scale' });
  }
  params.push({ name: 'norm.weight', shape: [d], role: 'norm-weight' }, { name: 'norm.bias', shape: [d], role: 'bias' });
  if (config.head.kind === 'clip-projection') {
    params.push({ name: 'head.proj.weight', shape: [config.head.embedDim, d], role: 'linear-weight' });
    if (config.head.bias) params.push({ name: 'head.proj.bias', shape: [config.head.embedDim], role: 'bias' });
  }
  return params;
}

/**
 * The serialised encoder as a stream of byte chunks (weights pulled one at a time from `weights`).
 * `q8` quantises every Linear (and the CLIP projection) as onnxruntime's `quantize_dynamic` does,
 * for the benchmark's precision figures; the patch Conv stays float32.
 */
export function buildVitGraph(config: VitConfig, weights: VitWeightProvider, options: { precision?: 'fp32' | 'q8' } = {}): AsyncGenerator<Uint8Array> {
  const g = new GraphBuilder(config.head.kind === 'clip-projection' ? 'vit_clip_vision' : 'vit_hidden_states');
  const params = new Map(vitParameters(config).map((p) => [p.name, p]));
  const w = (name: string): string => {
    const parameter = params.get(name);
    if (!parameter) throw new Error(`Internal error: the ViT graph has no parameter ${name}.`);
    return streamedWeight(g, parameter, weights);
  };
  const d = config.width;
  const headDim = d / config.heads;
  if (!Number.isInteger(headDim)) throw new Error(`Width ${d} is not divisible by ${config.heads} heads.`);
  const size = config.imageSize;
  const pixels = g.input('pixel_values', ['batch_size', 3, size, size]);

  // Patch embedding: Conv with stride = kernel = patch size, then [B, D, h, w] -> [B, P, D].
  const grid = g.op('Conv', [pixels, w('patch_embed.proj.weight'), w('patch_embed.proj.bias')], {
    kernel_shape: [config.patchSize, config.patchSize],
    strides: [config.patchSize, config.patchSize],
  });
  const patches = g.op('Transpose', [g.op('Reshape', [grid, g.int64('patch_tokens_shape', [0, d, -1])])], { perm: [0, 2, 1] });

  // The class token is broadcast to the (symbolic) batch size read from the input's shape.
  const batch = g.op('Slice', [g.op('Shape', [pixels]), g.int64('batch_start', [0]), g.int64('batch_end', [1])]);
  const clsShape = g.op('Concat', [batch, g.int64('cls_ones', [1, 1])], { axis: 0 });
  const cls = g.op('Expand', [w('cls_token'), clsShape]);
  let x = g.op('Add', [g.op('Concat', [cls, patches], { axis: 1 }), w('pos_embed')]);

  const layerNorm = (input: string, prefix: string) =>
    g.op('LayerNormalization', [input, w(`${prefix}.weight`), w(`${prefix}.bias`)], { axis: -1, epsilon: config.layerNormEps });
  const q8 = options.precision === 'q8';
  const matMul = (input: string, name: string): string => {
    if (!q8) return g.op('MatMul', [input, w(name)]);
    const parameter = params.get(name);
    if (!parameter) throw new Error(`Internal error: the ViT graph has no parameter ${name}.`);
    return quantizedMatMul(g, input, quantizedLinearWeight(g, parameter, weights));
  };
  const linear = (input: string, prefix: string) => g.op('Add', [matMul(input, `${prefix}.weight`), w(`${prefix}.bias`)]);
  const qkvShape = g.int64('qkv_shape', [0, 0, 3, config.heads, headDim]);
  const mergedShape = g.int64('merged_heads_shape', [0, 0, d]);
  const scale = g.weight('attn_scale', [1], new Float32Array([headDim ** -0.5]));
  const gelu = exactGelu(g);
  const qkvIndex = [0, 1, 2].map((i) => g.int64(`qkv_index_${i}`, [i]));
  const squeezeAxes = g.int64('qkv_squeeze_axes', [0]);

  for (let i = 0; i < config.depth; i++) {
    const b = `blocks.${i}`;
    // Attention: qkv [B,N,3D] -> [3,B,H,N,hd]; softmax(q*scale @ k^T) @ v -> [B,N,D].
    const qkv = g.op('Transpose', [g.op('Reshape', [linear(layerNorm(x, `${b}.norm1`), `${b}.attn.qkv`), qkvShape])], {
      perm: [2, 0, 3, 1, 4],
    });
    const [q, k, v] = qkvIndex.map((index) => g.op('Squeeze', [g.op('Gather', [qkv, index], { axis: 0 }), squeezeAxes]));
    const scores = g.op('MatMul', [g.op('Mul', [q, scale]), g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]);
    const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), mergedShape]);
    let attn = linear(merged, `${b}.attn.proj`);
    if (config.layerScale) attn = g.op('Mul', [attn, w(`${b}.ls1.gamma`)]);
    x = g.op('Add', [x, attn]);

    let mlp = linear(gelu(linear(layerNorm(x, `${b}.norm2`), `${b}.mlp.fc1`)), `${b}.mlp.fc2`);
    if (config.layerScale) mlp = g.op('Mul', [mlp, w(`${b}.ls2.gamma`)]);
    x = g.op('Add', [x, mlp]);
  }

  const normed = layerNorm(x, 'norm');
  const clsRow = g.op('Squeeze', [g.op('Gather', [normed, g.int64('cls_index', [0])], { axis: 1 }), g.int64('cls_axis', [1])]);
  if (config.head.kind === 'hidden-states') {
    g.op('Identity', [normed], {}, 'last_hidden_state');
    g.output('last_hidden_state', ['batch_size', 1 + patchCount(config), d]);
    g.op('Identity', [clsRow], {}, 'pooler_output');
    g.output('pooler_output', ['batch_size', d]);
  } else {
    let embeds = matMul(clsRow, 'head.proj.weight');
    if (config.head.bias) embeds = g.op('Add', [embeds, w('head.proj.bias')]);
    // open_clip's encode_image(normalize=True).
    l2NormaliseRows(g, embeds, 'image_embeds');
    g.output('image_embeds', ['batch_size', config.head.embedDim]);
  }
  return g.toChunks(17);
}

/**
 * Seeded random weights with a sane scale (activations stay O(1) through every block): LayerNorm
 * weights 1, biases and embeddings small, Linear/Conv weights uniform with variance ~ 1/fan_in.
 */
export function randomVitWeights(seed: number): VitWeightProvider {
  return (p) => {
    const count = p.shape.reduce((a, b) => a * b, 1);
    let s = seed >>> 0;
    for (let i = 0; i < p.name.length; i++) s = Math.imul(s ^ p.name.charCodeAt(i), 0x01000193) >>> 0;
    switch (p.role) {
      case 'norm-weight':
        return new Float32Array(count).fill(1);
      case 'layer-scale':
        return new Float32Array(count).fill(0.1);
      case 'bias':
        return seededUniform(s, count, 0.02);
      case 'embedding':
        return seededUniform(s, count, 0.05);
      default: {
        const fanIn = count / p.shape[0];
        return seededUniform(s, count, Math.sqrt(3 / fanIn));
      }
    }
  };
}
