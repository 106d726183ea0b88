/** Shared by the text-tower converter tests (Node and browser): the two-tower fixture's configs and token rows. */
import type { BertTextConfig } from '../../src/core/onnx/bert-graph.ts';
import type { VitConfig } from '../../src/core/onnx/vit-graph.ts';

export interface TextReference {
  text_config: {
    vocab_size: number;
    max_positions: number;
    type_vocab_size: number;
    width: number;
    depth: number;
    heads: number;
    intermediate: number;
    eps: number;
    context_length: number;
    embed_dim: number;
    pad_token_id: number;
  };
  vision_config: { image_size: number; patch_size: number; width: number; depth: number; heads: number; mlp_ratio: number; embed_dim: number; eps: number };
  logit_scale: number;
  lengths: number[];
  text_embeds: number[][];
  image_embeds: number[][];
}

export function textConfigOf(ref: TextReference): BertTextConfig {
  const c = ref.text_config;
  return {
    vocabSize: c.vocab_size,
    maxPositions: c.max_positions,
    typeVocabSize: c.type_vocab_size,
    width: c.width,
    depth: c.depth,
    heads: c.heads,
    intermediateSize: c.intermediate,
    layerNormEps: c.eps,
    contextLength: c.context_length,
    projection: { kind: 'mlp', hidden: (c.width + c.embed_dim) >> 1, embedDim: c.embed_dim },
    padTokenId: c.pad_token_id,
  };
}

export function visionConfigOf(ref: TextReference): VitConfig {
  const c = ref.vision_config;
  return {
    imageSize: c.image_size,
    patchSize: c.patch_size,
    width: c.width,
    depth: c.depth,
    heads: c.heads,
    mlpRatio: c.mlp_ratio,
    layerNormEps: c.eps,
    layerScale: false,
    head: { kind: 'clip-projection', embedDim: c.embed_dim, bias: false },
  };
}

/** The recipe of scripts/golden/biomedclip_text.py: [CLS]=2 ... [SEP]=3 per row, padded with 0 to the longest. */
export function tokenRows(vocabSize: number, lengths: number[]): { ids: BigInt64Array; mask: BigInt64Array; width: number } {
  const width = Math.max(...lengths);
  const ids = new BigInt64Array(lengths.length * width);
  const mask = new BigInt64Array(lengths.length * width);
  lengths.forEach((n, r) => {
    for (let t = 0; t < n; t++) {
      const id = t === 0 ? 2 : t === n - 1 ? 3 : 5 + ((r * 131 + t * 37 + t * t) % (vocabSize - 5));
      ids[r * width + t] = BigInt(id);
      mask[r * width + t] = 1n;
    }
  });
  return { ids, mask, width };
}

/** Row `r` of a token batch alone, without its padding. */
export function unpaddedRow(rows: { ids: BigInt64Array; width: number }, r: number, length: number): { ids: BigInt64Array; mask: BigInt64Array } {
  return { ids: rows.ids.slice(r * rows.width, r * rows.width + length), mask: new BigInt64Array(length).fill(1n) };
}
