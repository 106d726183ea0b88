/**
 * The encoder registry: everything needed to fetch, run and read out each image encoder.
 * Pure data and helpers; the browser loader, the CLI and the tests all read these entries.
 */
import { HF_BIT_DINOV2, OPEN_CLIP_224, type PreprocessSpec } from '../preprocess/spec.ts';
import type { TextTokenizerSpec } from '../text/tokenizer.ts';
import { halfToFloat } from '../half.ts';

export type EncoderFamily = 'clip-vision' | 'dinov2';
export type EncoderDtype = 'fp32' | 'fp16' | 'q8';

/** Where an encoder's files come from. */
export type EncoderSource =
  | { kind: 'hub'; repo: string; revision: string }
  /** `folder` is relative to the models root (`/models/` in the app, `models/` in the CLI). */
  | { kind: 'self-hosted'; folder: string; revision: string }
  /** User-picked ONNX bytes; `revision` is the SHA-256 of those bytes. */
  | { kind: 'custom'; revision: string };

/**
 * How the embedding is read from the model outputs:
 * - `pooled`: the output is `[batch, dim]` (CLIP `image_embeds`);
 * - `cls`: the output is `[batch, tokens, dim]` and the CLS token is row 0 (DINOv2 `last_hidden_state`).
 */
export interface EmbeddingReadout {
  output: string;
  take: 'pooled' | 'cls';
}

/** The transformers.js class that loads the encoder (a hint for the browser loader). */
export type ModelClassHint = 'CLIPVisionModelWithProjection' | 'AutoModel';

export interface EncoderEntry {
  id: string;
  label: string;
  family: EncoderFamily;
  source: EncoderSource;
  /** ONNX file per dtype, relative to the repository or folder root (under `onnx/`). */
  files: Partial<Record<EncoderDtype, string>>;
  modelClass: ModelClassHint;
  /** Name of the image input of the ONNX graph. */
  inputName: string;
  /** Square input side in pixels (equals `preprocess.cropSize`). */
  inputSize: number;
  preprocess: PreprocessSpec;
  embedding: EmbeddingReadout;
  /** Embedding length; 0 when unknown until the first run (custom encoders). */
  dim: number;
  /** False for the fixture encoders, whose seeded random weights carry no meaning. */
  meaningful: boolean;
  description: string;
  /** For self-hosted encoders: the one sentence shown when the folder is missing. */
  missingHint?: string;
  /** The CLIP text tower beside the image tower, for zero-shot probes and text search; absent for image-only encoders. */
  text?: TextTowerEntry;
}

/**
 * Where the softmax temperature of a CLIP model comes from:
 * - `config`: a `config.json` key holding ln(scale), as open_clip stores `logit_scale` (BiomedCLIP's converter records it);
 * - `fixed`: the scale itself, for exports whose config does not carry the trained value.
 */
export type LogitScaleSource = { kind: 'config'; file: 'config.json'; key: string } | { kind: 'fixed'; scale: number };

/** A CLIP text tower: ONNX files in the same folder or repository as the image tower, its tokenizer and temperature. */
export interface TextTowerEntry {
  /** ONNX file per dtype, relative to the encoder's folder or repository. */
  files: Partial<Record<EncoderDtype, string>>;
  /** int64 `[B, L]` inputs. */
  inputNames: { inputIds: string; attentionMask: string };
  /** `[B, dim]` output. */
  output: string;
  /** Equals the image embedding's `dim`: both live in one space. */
  dim: number;
  tokenizer: TextTokenizerSpec;
  /** Tokens per text after truncation, [CLS] and [SEP] included. */
  contextLength: number;
  logitScale: LogitScaleSource;
}

/** The uncased BiomedBERT WordPiece vocabulary BiomedCLIP's open_clip config names (`hf_tokenizer_name`). */
export const BIOMEDBERT_TOKENIZER_REPO = 'microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract';

const biomedClipText: TextTowerEntry = {
  files: { fp32: 'onnx/text_model.onnx' },
  inputNames: { inputIds: 'input_ids', attentionMask: 'attention_mask' },
  output: 'text_embeds',
  dim: 512,
  tokenizer: { kind: 'bert-wordpiece', hub: { repo: BIOMEDBERT_TOKENIZER_REPO, revision: 'main' }, vocabFile: 'vocab.txt' },
  contextLength: 256,
  logitScale: { kind: 'config', file: 'config.json', key: 'logit_scale' },
};

const fixtureClipText: TextTowerEntry = {
  ...biomedClipText,
  // Made by `npm run fixtures` next to the image tower; there is no hub copy.
  tokenizer: { kind: 'bert-wordpiece' },
};

const clipReadout: EmbeddingReadout = { output: 'image_embeds', take: 'pooled' };
const dinoReadout: EmbeddingReadout = { output: 'last_hidden_state', take: 'cls' };

function dinov2(size: 'small' | 'base' | 'large', dim: number, description: string): EncoderEntry {
  return {
    id: `dinov2-${size}`,
    label: `DINOv2 ${size[0].toUpperCase()}${size.slice(1)}`,
    family: 'dinov2',
    source: { kind: 'hub', repo: `onnx-community/dinov2-${size}`, revision: 'main' },
    files: { fp32: 'onnx/model.onnx', fp16: 'onnx/model_fp16.onnx', q8: 'onnx/model_quantized.onnx' },
    modelClass: 'AutoModel',
    inputName: 'pixel_values',
    inputSize: 224,
    preprocess: HF_BIT_DINOV2,
    embedding: dinoReadout,
    dim,
    meaningful: true,
    description,
  };
}

function openAiClip(id: string, repo: string, label: string, dim: number, description: string): EncoderEntry {
  return {
    id,
    label,
    family: 'clip-vision',
    source: { kind: 'hub', repo, revision: 'main' },
    files: { fp32: 'onnx/vision_model.onnx', fp16: 'onnx/vision_model_fp16.onnx', q8: 'onnx/vision_model_quantized.onnx' },
    modelClass: 'CLIPVisionModelWithProjection',
    inputName: 'pixel_values',
    inputSize: 224,
    preprocess: OPEN_CLIP_224,
    embedding: clipReadout,
    dim,
    meaningful: true,
    description,
  };
}

function fixture(id: 'fixture-clip' | 'fixture-dino'): EncoderEntry {
  const isClip = id === 'fixture-clip';
  return {
    id,
    label: isClip ? 'Fixture CLIP (not meaningful)' : 'Fixture DINOv2 (not meaningful)',
    family: isClip ? 'clip-vision' : 'dinov2',
    source: { kind: 'self-hosted', folder: id, revision: 'fixture-v1' },
    files: { fp32: isClip ? 'onnx/vision_model.onnx' : 'onnx/model.onnx' },
    modelClass: isClip ? 'CLIPVisionModelWithProjection' : 'AutoModel',
    inputName: 'pixel_values',
    inputSize: 224,
    preprocess: isClip ? OPEN_CLIP_224 : HF_BIT_DINOV2,
    embedding: isClip ? clipReadout : dinoReadout,
    dim: isClip ? 512 : 384,
    meaningful: false,
    description: `A tiny stand-in with seeded random weights and the real ${isClip ? 'CLIP' : 'DINOv2'} input and output contract; its embeddings mean nothing. For tests and offline demos.`,
    missingHint: `The fixture encoder ${id} is not in models/${id}/; run \`npm run fixtures\` to create it.`,
    ...(isClip ? { text: fixtureClipText } : {}),
  };
}

/** The built-in encoders, in the order the app lists them. */
export const ENCODERS: readonly EncoderEntry[] = [
  {
    id: 'biomedclip',
    label: 'BiomedCLIP ViT-B/16',
    family: 'clip-vision',
    source: { kind: 'self-hosted', folder: 'biomedclip', revision: 'microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224' },
    files: { fp32: 'onnx/vision_model.onnx' },
    modelClass: 'CLIPVisionModelWithProjection',
    inputName: 'pixel_values',
    inputSize: 224,
    preprocess: OPEN_CLIP_224,
    embedding: clipReadout,
    dim: 512,
    meaningful: true,
    description:
      'Microsoft BiomedCLIP (PubMedBERT_256, ViT-B/16), trained on 15 million PubMed Central figure-caption pairs; the image tower, projected to 512 dimensions.',
    missingHint:
      'BiomedCLIP has no public ONNX export, so it must be converted once into models/biomedclip/: run `npm run models -- biomedclip` and reload the page.',
    text: biomedClipText,
  },
  dinov2('small', 384, 'Meta DINOv2 ViT-S/14, self-supervised on natural images; the CLS token (384 dimensions). The default vision-only encoder.'),
  dinov2('base', 768, 'Meta DINOv2 ViT-B/14, self-supervised on natural images; the CLS token (768 dimensions).'),
  dinov2('large', 1024, 'Meta DINOv2 ViT-L/14, self-supervised on natural images; the CLS token (1024 dimensions).'),
  openAiClip('clip-vit-b16', 'Xenova/clip-vit-base-patch16', 'OpenAI CLIP ViT-B/16', 512, 'OpenAI CLIP ViT-B/16 image tower, projected to 512 dimensions (the MMVP setting).'),
  openAiClip('clip-vit-l14', 'Xenova/clip-vit-large-patch14', 'OpenAI CLIP ViT-L/14', 768, 'OpenAI CLIP ViT-L/14 image tower, projected to 768 dimensions (the MMVP setting).'),
  fixture('fixture-clip'),
  fixture('fixture-dino'),
];

export const DEFAULT_CLIP_ENCODER_ID = 'biomedclip';
export const DEFAULT_DINO_ENCODER_ID = 'dinov2-small';

export function findEncoder(id: string): EncoderEntry | undefined {
  return ENCODERS.find((e) => e.id === id);
}

/** Like `findEncoder`, but throws a sentence listing the known ids. */
export function getEncoder(id: string): EncoderEntry {
  const entry = findEncoder(id);
  if (!entry) {
    throw new Error(`There is no encoder called "${id}"; choose one of ${ENCODERS.map((e) => e.id).join(', ')}.`);
  }
  return entry;
}

export type PreprocessChoice = 'open_clip' | 'hf_bit';

export interface CustomEncoderOptions {
  /** Shown in the UI, e.g. the file name. */
  label: string;
  /** SHA-256 (hex) of the ONNX bytes: the revision embeddings are keyed by. */
  modelSha256: string;
  preprocess: PreprocessChoice | PreprocessSpec;
  /** Defaults to the CLIP (`image_embeds`, pooled) or DINOv2 (`last_hidden_state`, CLS) readout of the preprocessing choice. */
  embedding?: EmbeddingReadout;
  inputName?: string;
  dim?: number;
}

/** An entry for a user-picked ONNX file; the bytes themselves travel separately. */
export function customEncoder(options: CustomEncoderOptions): EncoderEntry {
  if (!/^[0-9a-f]{64}$/.test(options.modelSha256)) {
    throw new Error('A custom encoder needs the SHA-256 of its ONNX file as 64 lowercase hex digits.');
  }
  const spec =
    typeof options.preprocess === 'string' ? (options.preprocess === 'open_clip' ? OPEN_CLIP_224 : HF_BIT_DINOV2) : options.preprocess;
  const clipLike = spec.pipeline !== 'hf_bit';
  return {
    id: `custom-${options.modelSha256.slice(0, 12)}`,
    label: options.label,
    family: clipLike ? 'clip-vision' : 'dinov2',
    source: { kind: 'custom', revision: options.modelSha256 },
    files: {},
    modelClass: clipLike ? 'CLIPVisionModelWithProjection' : 'AutoModel',
    inputName: options.inputName ?? 'pixel_values',
    inputSize: spec.cropSize,
    preprocess: spec,
    embedding: options.embedding ?? (clipLike ? clipReadout : dinoReadout),
    dim: options.dim ?? 0,
    meaningful: true,
    description: `A custom ONNX encoder picked by the user (${options.label}).`,
  };
}

/** `https://huggingface.co/<repo>/resolve/<revision>/<file>`, with any trailing slash of `host` ignored. */
export function hubFileUrl(host: string, repo: string, revision: string, file: string): string {
  return `${host.replace(/\/+$/, '')}/${repo}/resolve/${encodeURIComponent(revision)}/${file}`;
}

/**
 * The revision part of an embedding's key (sha256, encoderId, revision): changes whenever the
 * weights may have changed, so stale embeddings are never mixed with fresh ones.
 */
export function encoderRevisionKey(entry: EncoderEntry, dtype: EncoderDtype = 'fp32'): string {
  // fp32 keys are as they always were (embeddings stored before precision was a choice are fp32);
  // other precisions are keyed apart, so rows of different precision never share a matrix.
  const precision = dtype === 'fp32' ? '' : `#${dtype}`;
  const source = entry.source;
  switch (source.kind) {
    case 'hub':
      return `hub:${source.repo}@${source.revision}${precision}`;
    case 'self-hosted':
      return `self-hosted:${source.folder}@${source.revision}${precision}`;
    case 'custom':
      return `custom:sha256-${source.revision}${precision}`;
  }
}

/** A model output as any runtime gives it (ORT tensors and transformers.js tensors both fit). */
export interface OutputTensor {
  readonly dims: readonly number[];
  readonly data: ArrayLike<number>;
  /** 'float16' outputs carry IEEE half-precision bits (a Uint16Array) where the runtime has no Float16Array. */
  readonly type?: string;
}

/** The L2-normalised embedding of item `batchIndex` of a batch, read as the entry says. */
export function takeEmbedding(outputs: Readonly<Record<string, OutputTensor>>, entry: EncoderEntry, batchIndex: number): Float32Array {
  const { output, take } = entry.embedding;
  const tensor = outputs[output];
  if (!tensor) {
    const found = Object.keys(outputs).join(', ') || 'none';
    throw new Error(`The encoder ${entry.id} produced no "${output}" output (outputs: ${found}); check the model file or the readout choice.`);
  }
  const dims = tensor.dims;
  const expectedRank = take === 'pooled' ? 2 : 3;
  if (dims.length !== expectedRank) {
    throw new Error(
      `The "${output}" output of ${entry.id} has shape [${dims.join(', ')}]; the ${take} readout needs ${expectedRank} dimensions.`,
    );
  }
  if (batchIndex < 0 || batchIndex >= dims[0]) {
    throw new Error(`Batch index ${batchIndex} is outside the batch of ${dims[0]} produced by ${entry.id}.`);
  }
  const dim = dims[dims.length - 1];
  if (entry.dim > 0 && dim !== entry.dim) {
    throw new Error(`The encoder ${entry.id} produced ${dim}-dimensional embeddings; the registry expects ${entry.dim}.`);
  }
  const rowStride = take === 'pooled' ? dim : dims[1] * dim;
  const start = batchIndex * rowStride;
  const embedding = new Float32Array(dim);
  let sumSquares = 0;
  const halfBits = tensor.type === 'float16' && tensor.data instanceof Uint16Array;
  for (let i = 0; i < dim; i++) {
    const raw = Number(tensor.data[start + i]);
    const v = halfBits ? halfToFloat(raw) : raw;
    embedding[i] = v;
    sumSquares += v * v;
  }
  const norm = Math.sqrt(sumSquares);
  if (!Number.isFinite(norm) || norm === 0) {
    throw new Error(`The encoder ${entry.id} produced an embedding of zero or non-finite length for batch item ${batchIndex}.`);
  }
  for (let i = 0; i < dim; i++) embedding[i] /= norm;
  return embedding;
}

/** Name of the error (it crosses the worker boundary) for an encoder whose files could not be fetched at all and are not cached. */
export const ENCODER_OFFLINE = 'EncoderOfflineError';

/**
 * What the app says when encoders could not load while the browser is offline: which ones are
 * not cached yet, and that the work waits for the network (the app resumes it on "online").
 */
export function offlineSentence(labels: readonly string[]): string {
  const which = labels.length === 0 ? 'the chosen encoders are' : `${labels.join(' and ')} ${labels.length === 1 ? 'is' : 'are'}`;
  return `The network is off and ${which} not cached in this browser yet. Your images are stored; embedding starts by itself when the connection returns.`;
}
