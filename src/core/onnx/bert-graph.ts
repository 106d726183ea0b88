/**
 * ONNX graph of a BERT text tower as open_clip's HFTextEncoder runs it for BiomedCLIP:
 * post-LayerNorm BERT (Hugging Face BertModel: word + position + token-type embeddings,
 * LayerNorm, blocks of self-attention -> Add & LayerNorm -> GELU MLP -> Add & LayerNorm), the CLS
 * row of the last hidden state (`cls_last_hidden_state_pooler`), open_clip's `mlp` projection
 * (Linear -> GELU -> Linear, no biases), then L2 normalisation.
 *
 * Inputs `input_ids` and `attention_mask` (int64 `[B, L]`), output `text_embeds [B, embedDim]`.
 * Padding is masked as BertModel does it: an additive bias of the float32 minimum on masked keys,
 * so padded rows give the same CLS embedding as the unpadded sequence. token_type_ids are all zero
 * (open_clip never passes them), so row 0 of the token-type table is added to every token.
 *
 * Weights are named as in BertModel's state dict (`encoder.layer.0.attention.self.query.weight`),
 * the projection as `proj.0.weight` / `proj.2.weight`, all in PyTorch layout.
 */
import { GraphBuilder, seededUniform } from './graph-builder.ts';
import { exactGelu, l2NormaliseRows, streamedWeight } from './graph-ops.ts';

export interface BertTextConfig {
  vocabSize: number;
  /** Rows of the position table (512 for BERT-base); inputs longer than this cannot run. */
  maxPositions: number;
  typeVocabSize: number;
  width: number;
  depth: number;
  heads: number;
  intermediateSize: number;
  layerNormEps: number;
  /** open_clip's text context: the tokenizer truncates to this many tokens. */
  contextLength: number;
  /** open_clip `mlp` projection: width -> hidden -> embedDim, no biases, GELU between. */
  projection: { kind: 'mlp'; hidden: number; embedDim: number };
  /** The id open_clip masks (`input_ids != pad_token_id`). */
  padTokenId: number;
}

/** PubMedBERT-base (BiomedNLP-BiomedBERT-base-uncased-abstract) with BiomedCLIP's 768 -> 640 -> 512 head. */
export const BIOMEDCLIP_TEXT: BertTextConfig = {
  vocabSize: 30522,
  maxPositions: 512,
  typeVocabSize: 2,
  width: 768,
  depth: 12,
  heads: 12,
  intermediateSize: 3072,
  layerNormEps: 1e-12,
  contextLength: 256,
  // open_clip: hidden_size = (d_model + output_dim) // 2.
  projection: { kind: 'mlp', hidden: (768 + 512) >> 1, embedDim: 512 },
  padTokenId: 0,
};

export type BertParameterRole = 'linear-weight' | 'norm-weight' | 'bias' | 'embedding';

export interface BertParameter {
  /** BertModel state-dict name, or `proj.0.weight` / `proj.2.weight` for open_clip's head. */
  name: string;
  /** PyTorch shape. */
  shape: number[];
  role: BertParameterRole;
}

export type BertWeightProvider = (parameter: BertParameter) => Float32Array | Promise<Float32Array>;

/** Every parameter the graph needs, in the order they are written. */
export function bertParameters(config: BertTextConfig): BertParameter[] {
  const d = config.width;
  const ff = config.intermediateSize;
  const params: BertParameter[] = [
    { name: 'embeddings.word_embeddings.weight', shape: [config.vocabSize, d], role: 'embedding' },
    { name: 'embeddings.position_embeddings.weight', shape: [config.maxPositions, d], role: 'embedding' },
    { name: 'embeddings.token_type_embeddings.weight', shape: [config.typeVocabSize, d], role: 'embedding' },
    { name: 'embeddings.LayerNorm.weight', shape: [d], role: 'norm-weight' },
    { name: 'embeddings.LayerNorm.bias', shape: [d], role: 'bias' },
  ];
  for (let i = 0; i < config.depth; i++) {
    const l = `encoder.layer.${i}`;
    for (const part of ['query', 'key', 'value']) {
      params.push(
        { name: `${l}.attention.self.${part}.weight`, shape: [d, d], role: 'linear-weight' },
        { name: `${l}.attention.self.${part}.bias`, shape: [d], role: 'bias' },
      );
    }
    params.push(
      { name: `${l}.attention.output.dense.weight`, shape: [d, d], role: 'linear-weight' },
      { name: `${l}.attention.output.dense.bias`, shape: [d], role: 'bias' },
      { name: `${l}.attention.output.LayerNorm.weight`, shape: [d], role: 'norm-weight' },
      { name: `${l}.attention.output.LayerNorm.bias`, shape: [d], role: 'bias' },
      { name: `${l}.intermediate.dense.weight`, shape: [ff, d], role: 'linear-weight' },
      { name: `${l}.intermediate.dense.bias`, shape: [ff], role: 'bias' },
      { name: `${l}.output.dense.weight`, shape: [d, ff], role: 'linear-weight' },
      { name: `${l}.output.dense.bias`, shape: [d], role: 'bias' },
      { name: `${l}.output.LayerNorm.weight`, shape: [d], role: 'norm-weight' },
      { name: `${l}.output.LayerNorm.bias`, shape: [d], role: 'bias' },
    );
  }
  const p = config.projection;
  params.push(
    { name: 'proj.0.weight', shape: [p.hidden, d], role: 'linear-weight' },
    { name: 'proj.2.weight', shape: [p.embedDim, p.hidden], role: 'linear-weight' },
  );
  return params;
}

/** The serialised text tower as a stream of byte chunks (weights pulled one at a time from `weights`). */
export function buildBertTextGraph(config: BertTextConfig, weights: BertWeightProvider): AsyncGenerator<Uint8Array> {
  return bertTextGraph(config, weights).toChunks(17);
}

/** The text tower as a graph whose weights are produced when it is serialised. */
export function bertTextGraph(config: BertTextConfig, weights: BertWeightProvider): GraphBuilder {
  const g = new GraphBuilder('bert_clip_text');
  const params = new Map(bertParameters(config).map((p) => [p.name, p]));
  const w = (name: string): string => {
    const parameter = params.get(name);
    if (!parameter) throw new Error(`Internal error: the BERT graph has no parameter ${name}.`);
    return streamedWeight(g, parameter, weights);
  };
  const d = config.width;
  const headDim = d / config.heads;
  if (!Number.isInteger(headDim)) throw new Error(`Width ${d} is not divisible by ${config.heads} heads.`);
  const inputIds = g.input('input_ids', ['batch_size', 'sequence_length'], 'int64');
  const mask = g.input('attention_mask', ['batch_size', 'sequence_length'], 'int64');
  const eps = config.layerNormEps;
  const layerNorm = (input: string, prefix: string) =>
    g.op('LayerNormalization', [input, w(`${prefix}.weight`), w(`${prefix}.bias`)], { axis: -1, epsilon: eps });
  const linear = (input: string, prefix: string) => g.op('Add', [g.op('MatMul', [input, w(`${prefix}.weight`)]), w(`${prefix}.bias`)]);
  const gelu = exactGelu(g);

  // Embeddings: positions 0..L-1 are the first L rows of the table; token type 0 for every token.
  const words = g.op('Gather', [w('embeddings.word_embeddings.weight'), inputIds], { axis: 0 });
  const length = g.op('Slice', [g.op('Shape', [inputIds]), g.int64('length_start', [1]), g.int64('length_end', [2])]);
  const positions = g.op('Slice', [w('embeddings.position_embeddings.weight'), g.int64('position_start', [0]), length, g.int64('position_axis', [0])]);
  const tokenType = g.op('Gather', [w('embeddings.token_type_embeddings.weight'), g.int64('token_type_zero', [0])], { axis: 0 });
  let x = layerNorm(g.op('Add', [g.op('Add', [words, positions]), tokenType]), 'embeddings.LayerNorm');

  // BertModel's extended mask: (1 - mask) * finfo(float32).min, broadcast over heads and queries.
  const maskFloat = g.op('Cast', [mask], { to: 1 });
  const one = g.weight('mask_one', [1], new Float32Array([1]));
  const floatMin = g.weight('mask_min', [1], new Float32Array([-3.4028234663852886e38]));
  const maskBias = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [one, maskFloat]), floatMin]), g.int64('mask_axes', [1, 2])]);

  const headsShape = g.int64('heads_shape', [0, 0, config.heads, headDim]);
  const mergedShape = g.int64('merged_heads_shape', [0, 0, d]);
  const scale = g.weight('attn_scale', [1], new Float32Array([1 / Math.sqrt(headDim)]));
  for (let i = 0; i < config.depth; i++) {
    const l = `encoder.layer.${i}`;
    // [B,L,D] -> [B,H,L,hd] (keys -> [B,H,hd,L]); scores = q @ k^T / sqrt(hd) + mask; softmax @ v.
    const split = (part: string, perm: number[]) =>
      g.op('Transpose', [g.op('Reshape', [linear(x, `${l}.attention.self.${part}`), headsShape])], { perm });
    const q = split('query', [0, 2, 1, 3]);
    const k = split('key', [0, 2, 3, 1]);
    const v = split('value', [0, 2, 1, 3]);
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, k]), scale]), maskBias]);
    const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), mergedShape]);
    const attended = layerNorm(g.op('Add', [linear(merged, `${l}.attention.output.dense`), x]), `${l}.attention.output.LayerNorm`);
    const hidden = gelu(linear(attended, `${l}.intermediate.dense`));
    x = layerNorm(g.op('Add', [linear(hidden, `${l}.output.dense`), attended]), `${l}.output.LayerNorm`);
  }

  const cls = g.op('Squeeze', [g.op('Gather', [x, g.int64('cls_index', [0])], { axis: 1 }), g.int64('cls_axis', [1])]);
  const projected = g.op('MatMul', [gelu(g.op('MatMul', [cls, w('proj.0.weight')])), w('proj.2.weight')]);
  // open_clip's encode_text(normalize=True).
  l2NormaliseRows(g, projected, 'text_embeds');
  g.output('text_embeds', ['batch_size', config.projection.embedDim]);
  return g;
}

/** Seeded random weights with a sane scale, for benchmarks and tests that need no torch reference. */
export function randomBertWeights(seed: number): BertWeightProvider {
  return (p) => {
    const count = p.shape.reduce((a, b) => a * b, 1);
    let s = seed >>> 0;
    for (let i = 0; i < p.name.length; i++) s = Math.imul(s ^ p.name.charCodeAt(i), 0x01000193) >>> 0;
    switch (p.role) {
      case 'norm-weight':
        return new Float32Array(count).fill(1);
      case 'bias':
        return seededUniform(s, count, 0.02);
      case 'embedding':
        return seededUniform(s, count, 0.5);
      default:
        return seededUniform(s, count, Math.sqrt(3 / p.shape[1]));
    }
  };
}
