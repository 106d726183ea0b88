/**
 * The fixture CLIP text tower: the real text contract (`input_ids`, `attention_mask` int64
 * `[B, L]` -> `text_embeds [B, 512]`, L2-normalised, padding masked) built with the same BERT
 * graph as the converted BiomedCLIP tower, at a tiny size with seeded random weights, plus a small
 * uncased WordPiece tokenizer. Its embeddings mean nothing; it lets tests and offline demos run
 * text probes without the 440 MB model.
 */
import { bertTextGraph, randomBertWeights, type BertTextConfig } from './bert-graph.ts';
import { bertTokenizerFilesFromVocab } from '../text/wordpiece-files.ts';

/** Medical words so short probe prompts mostly tokenise to whole words; anything else falls back to letters. */
const FIXTURE_WORDS = [
  'chest', 'x', 'ray', 'ct', 'mri', 'brain', 'lung', 'heart', 'liver', 'kidney', 'bone', 'image', 'scan', 'left', 'right',
  'normal', 'abnormal', 'lesion', 'mass', 'nodule', 'tumor', 'fracture', 'effusion', 'pleural', 'edema', 'yes', 'no',
  'is', 'there', 'a', 'an', 'the', 'of', 'in', 'on', 'with', 'without', 'present', 'absent', 'shows', 'this', 'photo',
  'larger', 'smaller', 'more', 'less', 'upper', 'lower', 'side', 'contrast', 'enhanced', 'axial', 'view',
];

export function fixtureTextVocab(): string {
  const tokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...'.,-/()+?:;!\'"'];
  const letters = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
  tokens.push(...letters, ...letters.map((c) => `##${c}`));
  for (const w of FIXTURE_WORDS) if (!tokens.includes(w)) tokens.push(w);
  return tokens.map((t) => `${t}\n`).join('');
}

/** Tiny BERT with BiomedCLIP's context length and fixture-clip's image dimension (512). */
export const FIXTURE_TEXT_CONFIG: BertTextConfig = {
  vocabSize: fixtureTextVocab().split('\n').length - 1,
  maxPositions: 512,
  typeVocabSize: 2,
  width: 32,
  depth: 1,
  heads: 2,
  intermediateSize: 64,
  layerNormEps: 1e-12,
  contextLength: 256,
  projection: { kind: 'mlp', hidden: (32 + 512) >> 1, embedDim: 512 },
  padTokenId: 0,
};

export function buildFixtureClipText(): Uint8Array {
  return bertTextGraph(FIXTURE_TEXT_CONFIG, randomBertWeights(20)).toBytes();
}

/** `onnx/text_model.onnx`, `tokenizer.json` and `tokenizer_config.json` of fixture-clip. */
export function fixtureTextFiles(): Record<string, Uint8Array | string> {
  return { 'onnx/text_model.onnx': buildFixtureClipText(), ...bertTokenizerFilesFromVocab(fixtureTextVocab(), { modelMaxLength: 512 }) };
}
