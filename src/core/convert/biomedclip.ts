/**
 * Converts the official BiomedCLIP open_clip checkpoint (`open_clip_pytorch_model.bin`) into the
 * self-hosted encoder layout (`onnx/vision_model.onnx`, `onnx/text_model.onnx`, `config.json`,
 * `preprocessor_config.json`) without Python. The checkpoint is read tensor by tensor and each
 * ONNX file is streamed out, so memory stays near the size of the largest single tensor.
 */
import { BIOMEDCLIP_TEXT, bertParameters, buildBertTextGraph, type BertTextConfig } from '../onnx/bert-graph.ts';
import { BIOMEDCLIP_VISION, buildVitGraph, vitParameters, type VitConfig, type VitParameter } from '../onnx/vit-graph.ts';
import { describeTextMismatches, textCheckpointKeyFor, textConfigJson } from './biomedclip-text.ts';
import { OPENAI_CLIP_MEAN, OPENAI_CLIP_STD } from '../preprocess/spec.ts';
import { TorchCheckpoint } from './torch-checkpoint.ts';
import { CheckpointError, type RandomAccessSource } from './zip.ts';

export { CheckpointError } from './zip.ts';

/** How checkpoint keys map onto the vision graph's parameters (the text tower: biomedclip-text.ts). */
export interface TowerKeyMapping {
  /** Checkpoint key prefix -> graph parameter prefix, first match wins. */
  rules: { checkpointPrefix: string; graphPrefix: string }[];
  /** Keys starting with these belong to other towers or training state and are ignored. */
  ignoredPrefixes: string[];
}

export const BIOMEDCLIP_VISION_KEYS: TowerKeyMapping = {
  rules: [
    { checkpointPrefix: 'visual.trunk.', graphPrefix: '' },
    { checkpointPrefix: 'visual.head.', graphPrefix: 'head.' },
  ],
  ignoredPrefixes: ['text.', 'logit_scale', 'logit_bias'],
};

/** The checkpoint key a graph parameter comes from (the inverse of the mapping rules). */
export function checkpointKeyFor(graphName: string, mapping: TowerKeyMapping = BIOMEDCLIP_VISION_KEYS): string {
  const rule = [...mapping.rules]
    .sort((a, b) => b.graphPrefix.length - a.graphPrefix.length)
    .find((r) => graphName.startsWith(r.graphPrefix));
  if (!rule) throw new Error(`No checkpoint key maps onto ${graphName}.`);
  return rule.checkpointPrefix + graphName.slice(rule.graphPrefix.length);
}

/** Every vision key and PyTorch shape a checkpoint must contain for `config`. */
export function expectedVisionKeys(config: VitConfig = BIOMEDCLIP_VISION): Map<string, number[]> {
  return new Map(vitParameters(config).map((p) => [checkpointKeyFor(p.name), p.shape]));
}

export interface ConversionProgress {
  phase: 'index' | 'weights' | 'done';
  tensorsDone: number;
  tensorsTotal: number;
  /** Bytes of ONNX written so far and in all. */
  bytesWritten: number;
  bytesTotal: number;
}

/** Where the converted encoder goes: a folder on disk, OPFS, Cache Storage or memory. */
export interface ModelFolderWriter {
  /** Writes one file; `content` chunks must be consumed in order and may be reused after each yield. */
  writeFile(relativePath: string, content: string | AsyncIterable<Uint8Array>): Promise<void>;
}

export interface ConversionOptions {
  onProgress?: (progress: ConversionProgress) => void;
  /** The architecture to expect; BiomedCLIP's ViT-B/16 -> 512 unless a test passes a reduced one. */
  config?: VitConfig;
  /** The text tower to expect; BiomedCLIP's PubMedBERT -> 512 unless a test passes a reduced one. */
  textConfig?: BertTextConfig;
}

/** What happened to the text tower: converted, or skipped with the reason in words. */
export type TextTowerOutcome =
  | { status: 'converted'; config: BertTextConfig; file: 'onnx/text_model.onnx'; onnxBytes: number }
  | { status: 'skipped'; reason: string };

export interface ConversionSummary {
  config: VitConfig;
  files: string[];
  /** Bytes of ONNX written in all (both towers). */
  onnxBytes: number;
  /** Checkpoint keys that went into neither graph (unused buffers, the BERT pooler, logit_scale, a skipped text tower). */
  ignoredKeys: string[];
  text: TextTowerOutcome;
  /** The checkpoint's `logit_scale` (natural log of the softmax temperature), recorded in config.json; null when absent. */
  logitScale: number | null;
}

/**
 * Checks that the checkpoint holds exactly the vision tower `config` describes (same keys, same
 * shapes; other towers ignored) and returns the problems in words, empty when it does.
 */
export function describeMismatches(checkpoint: Map<string, { shape: number[] }>, config: VitConfig, mapping = BIOMEDCLIP_VISION_KEYS): string[] {
  const expected = expectedVisionKeys(config);
  const missing = [...expected.keys()].filter((k) => !checkpoint.has(k));
  const ours = mapping.rules.map((r) => r.checkpointPrefix);
  const unexpected = [...checkpoint.keys()].filter(
    (k) => !expected.has(k) && ours.some((p) => k.startsWith(p)) && !mapping.ignoredPrefixes.some((p) => k.startsWith(p)),
  );
  const wrongShapes = [...expected]
    .filter(([k, shape]) => checkpoint.has(k) && `${checkpoint.get(k)?.shape}` !== `${shape}`)
    .map(([k, shape]) => `${k} has shape [${checkpoint.get(k)?.shape.join(', ')}], expected [${shape.join(', ')}]`);
  const problems: string[] = [];
  const list = (keys: string[]) => keys.slice(0, 20).join(', ') + (keys.length > 20 ? `, and ${keys.length - 20} more` : '');
  if (missing.length) problems.push(`missing keys: ${list(missing)}`);
  if (unexpected.length) problems.push(`unexpected keys: ${list(unexpected)}`);
  if (wrongShapes.length) problems.push(`shape mismatches: ${list(wrongShapes)}`);
  return problems;
}

/**
 * Converts a BiomedCLIP open_clip checkpoint into `onnx/vision_model.onnx` (`pixel_values
 * [B,3,224,224]` -> `image_embeds [B,512]`, L2-normalised), `config.json` and
 * `preprocessor_config.json`. Throws {@link CheckpointError} with a readable message for damaged
 * or unknown checkpoints before anything is written.
 */
export async function convertBiomedClipCheckpoint(
  source: RandomAccessSource,
  writer: ModelFolderWriter,
  options: ConversionOptions = {},
): Promise<ConversionSummary> {
  const onProgress = options.onProgress ?? (() => {});
  const checkpoint = await TorchCheckpoint.open(source);
  let config = options.config ?? BIOMEDCLIP_VISION;
  // open_clip's head has no bias by default (timm_proj_bias=false); accept one if a fine-tune added it.
  if (config.head.kind === 'clip-projection' && !config.head.bias && checkpoint.tensors.has('visual.head.proj.bias')) {
    config = { ...config, head: { ...config.head, bias: true } };
  }
  const problems = describeMismatches(checkpoint.tensors, config);
  if (problems.length) {
    const visualKeys = [...checkpoint.tensors.keys()].filter((k) => k.startsWith('visual.')).length;
    const hint =
      visualKeys === 0
        ? 'It contains no vision tower (no "visual.*" keys): it is not an open_clip checkpoint.'
        : 'It is not the BiomedCLIP ViT-B/16 checkpoint, or it is damaged.';
    throw new CheckpointError(`This checkpoint cannot be converted. ${hint} Found ${problems.join('; ')}.`);
  }

  // The text tower is checked up front so progress counts both towers; problems only skip it.
  const textConfig = options.textConfig ?? BIOMEDCLIP_TEXT;
  const textProblems = describeTextMismatches(checkpoint.tensors, textConfig);
  const textParameters = textProblems.length ? [] : bertParameters(textConfig);
  const parameters = vitParameters(config);
  const tensorsTotal = parameters.length + textParameters.length;
  const bytesTotal = estimateOnnxBytes([...parameters, ...textParameters]);
  let tensorsDone = 0;
  let bytesWritten = 0;
  onProgress({ phase: 'index', tensorsDone, tensorsTotal, bytesWritten, bytesTotal });
  const readChecked = async (key: string) => {
    const values = await checkpoint.readFloat32(key);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new CheckpointError(`The checkpoint's tensor ${key} contains non-finite values (NaN or infinity). The file is damaged: download it again.`);
      }
    }
    tensorsDone++;
    return values;
  };
  async function* counted(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      yield chunk;
      bytesWritten += chunk.length;
      onProgress({ phase: 'weights', tensorsDone, tensorsTotal, bytesWritten, bytesTotal: Math.max(bytesTotal, bytesWritten) });
    }
  }
  await writer.writeFile('onnx/vision_model.onnx', counted(buildVitGraph(config, (p: VitParameter) => readChecked(checkpointKeyFor(p.name)))));
  const visionBytes = bytesWritten;

  let text: TextTowerOutcome = { status: 'skipped', reason: textProblems.join('; ') };
  if (textProblems.length === 0) {
    try {
      await writer.writeFile('onnx/text_model.onnx', counted(buildBertTextGraph(textConfig, (p) => readChecked(textCheckpointKeyFor(p.name)))));
      text = { status: 'converted', config: textConfig, file: 'onnx/text_model.onnx', onnxBytes: bytesWritten - visionBytes };
    } catch (error) {
      // A damaged text tensor must not cost the user the vision tower already written.
      if (!(error instanceof CheckpointError)) throw error;
      text = { status: 'skipped', reason: error.message };
    }
  }
  const logitScale = await readLogitScale(checkpoint);
  const files = biomedClipConfigFiles(config, text.status === 'converted' ? text.config : null, logitScale);
  for (const [path, content] of Object.entries(files)) await writer.writeFile(path, content);
  onProgress({ phase: 'done', tensorsDone, tensorsTotal, bytesWritten, bytesTotal: bytesWritten });
  const converted = new Set([
    ...parameters.map((p) => checkpointKeyFor(p.name)),
    ...(text.status === 'converted' ? textParameters.map((p) => textCheckpointKeyFor(p.name)) : []),
  ]);
  const ignoredKeys = [...checkpoint.tensors.keys()].filter((k) => !converted.has(k));
  const onnxFiles = ['onnx/vision_model.onnx', ...(text.status === 'converted' ? [text.file] : [])];
  return { config, files: [...onnxFiles, ...Object.keys(files)], onnxBytes: bytesWritten, ignoredKeys, text, logitScale };
}

/** open_clip stores the log of the temperature; a missing or non-scalar entry is simply not recorded. */
async function readLogitScale(checkpoint: TorchCheckpoint): Promise<number | null> {
  const ref = checkpoint.tensors.get('logit_scale');
  if (!ref || ref.shape.reduce((a, b) => a * b, 1) !== 1) return null;
  const [value] = await checkpoint.readFloat32('logit_scale');
  return Number.isFinite(value) ? value : null;
}

function estimateOnnxBytes(parameters: { shape: number[] }[]): number {
  // Weights dominate; the graph structure adds a few tens of kilobytes.
  return parameters.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1) * 4 + 64, 0) + 64 * 1024;
}

/**
 * `config.json` and `preprocessor_config.json` for a converted BiomedCLIP. The vision fields stay
 * those of a CLIPVisionModelWithProjection (what the image loader reads); `text_config` and
 * `logit_scale` are added when the text tower was converted / the checkpoint holds it.
 */
export function biomedClipConfigFiles(config: VitConfig, textConfig: BertTextConfig | null = null, logitScale: number | null = null): Record<string, string> {
  const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
  const embedDim = config.head.kind === 'clip-projection' ? config.head.embedDim : config.width;
  return {
    'config.json': json({
      model_type: 'clip_vision_model',
      architectures: ['CLIPVisionModelWithProjection'],
      projection_dim: embedDim,
      hidden_size: config.width,
      num_hidden_layers: config.depth,
      num_attention_heads: config.heads,
      image_size: config.imageSize,
      patch_size: config.patchSize,
      layer_norm_eps: config.layerNormEps,
      ...(logitScale === null ? {} : { logit_scale: logitScale }),
      ...(textConfig ? { text_config: textConfigJson(textConfig) } : {}),
      _source:
        'Converted by mediconfusion convert-biomedclip from microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224 (open_clip_pytorch_model.bin): timm vit_base_patch16_224 trunk, CLS pooling, linear head, L2-normalised' +
        (textConfig ? '; PubMedBERT text tower, CLS of the last hidden state, mlp projection, L2-normalised; logit_scale is the natural log of the temperature.' : '.'),
    }),
    // open_clip's eval transform: resize the short side to 224 (bicubic), centre crop, OpenAI mean/std.
    'preprocessor_config.json': json({
      image_processor_type: 'CLIPImageProcessor',
      do_resize: true,
      size: { shortest_edge: config.imageSize },
      resample: 3,
      do_center_crop: true,
      crop_size: { height: config.imageSize, width: config.imageSize },
      do_rescale: true,
      rescale_factor: 1 / 255,
      do_normalize: true,
      image_mean: OPENAI_CLIP_MEAN,
      image_std: OPENAI_CLIP_STD,
      do_convert_rgb: true,
    }),
  };
}

/** A writer that keeps files in memory (tests, and the browser before storing them). */
export function memoryFolderWriter(): ModelFolderWriter & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    async writeFile(path, content) {
      if (typeof content === 'string') {
        files.set(path, new TextEncoder().encode(content));
        return;
      }
      const parts: Uint8Array[] = [];
      for await (const chunk of content) parts.push(chunk.slice());
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      files.set(path, out);
    },
  };
}
