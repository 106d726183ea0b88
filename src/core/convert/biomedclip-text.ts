/**
 * The text half of the BiomedCLIP converter: checks the checkpoint's `text.*` keys against the
 * PubMedBERT tower open_clip builds (HFTextEncoder: BertModel + `mlp` projection) and describes
 * what is missing, so a checkpoint without a usable text tower still converts its vision tower.
 */
import { BIOMEDCLIP_TEXT, bertParameters, type BertTextConfig } from '../onnx/bert-graph.ts';

/**
 * Text keys a BiomedCLIP checkpoint may hold that the graph does not use: BertModel's buffers
 * (saved by the transformers version BiomedCLIP was trained with) and the pooler, which
 * `cls_last_hidden_state_pooler` bypasses.
 */
export const UNUSED_TEXT_KEYS = [
  'text.transformer.embeddings.position_ids',
  'text.transformer.embeddings.token_type_ids',
  'text.transformer.pooler.dense.weight',
  'text.transformer.pooler.dense.bias',
];

/** The checkpoint key of a text-graph parameter: BertModel keys under `text.transformer.`, the head under `text.proj.`. */
export function textCheckpointKeyFor(graphName: string): string {
  return graphName.startsWith('proj.') ? `text.${graphName}` : `text.transformer.${graphName}`;
}

/** Every text key and PyTorch shape a checkpoint must contain for `config`. */
export function expectedTextKeys(config: BertTextConfig = BIOMEDCLIP_TEXT): Map<string, number[]> {
  return new Map(bertParameters(config).map((p) => [textCheckpointKeyFor(p.name), p.shape]));
}

/**
 * Why the checkpoint's text tower cannot be converted for `config`, in words; empty when it can.
 * Unused buffers and the pooler are allowed; any other unknown `text.*` key is reported.
 */
export function describeTextMismatches(checkpoint: Map<string, { shape: number[] }>, config: BertTextConfig = BIOMEDCLIP_TEXT): string[] {
  const expected = expectedTextKeys(config);
  const textKeys = [...checkpoint.keys()].filter((k) => k.startsWith('text.'));
  if (textKeys.length === 0) return ['the checkpoint has no text tower (no "text.*" keys)'];
  const missing = [...expected.keys()].filter((k) => !checkpoint.has(k));
  const unexpected = textKeys.filter((k) => !expected.has(k) && !UNUSED_TEXT_KEYS.includes(k));
  const wrongShapes = [...expected]
    .filter(([k, shape]) => checkpoint.has(k) && `${checkpoint.get(k)?.shape}` !== `${shape}`)
    .map(([k, shape]) => `${k} has shape [${checkpoint.get(k)?.shape.join(', ')}], expected [${shape.join(', ')}]`);
  const list = (keys: string[]) => keys.slice(0, 10).join(', ') + (keys.length > 10 ? `, and ${keys.length - 10} more` : '');
  const problems: string[] = [];
  if (missing.length) problems.push(`missing text keys: ${list(missing)}`);
  if (unexpected.length) problems.push(`unexpected text keys: ${list(unexpected)}`);
  if (wrongShapes.length) problems.push(`text shape mismatches: ${list(wrongShapes)}`);
  return problems;
}

/** The `text_config` block of config.json: what the app and CLI need to tokenise and run the tower. */
export function textConfigJson(config: BertTextConfig): Record<string, unknown> {
  return {
    model_type: 'bert',
    architectures: ['BertModel'],
    vocab_size: config.vocabSize,
    hidden_size: config.width,
    num_hidden_layers: config.depth,
    num_attention_heads: config.heads,
    intermediate_size: config.intermediateSize,
    max_position_embeddings: config.maxPositions,
    type_vocab_size: config.typeVocabSize,
    layer_norm_eps: config.layerNormEps,
    hidden_act: 'gelu',
    pad_token_id: config.padTokenId,
    context_length: config.contextLength,
    pooler_type: 'cls_last_hidden_state_pooler',
    proj_type: 'mlp',
    proj_hidden_size: config.projection.hidden,
    projection_dim: config.projection.embedDim,
    onnx_file: 'onnx/text_model.onnx',
    inputs: ['input_ids', 'attention_mask'],
    output: 'text_embeds',
  };
}
