import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { convertBiomedClipCheckpoint, memoryFolderWriter } from '../../src/core/convert/biomedclip.ts';
import { describeTextMismatches, expectedTextKeys, textCheckpointKeyFor } from '../../src/core/convert/biomedclip-text.ts';
import { bytesSource } from '../../src/core/convert/zip.ts';
import { BIOMEDCLIP_TEXT } from '../../src/core/onnx/bert-graph.ts';
import { reducedConfig, type BiomedClipReference } from './convert-support.ts';

/**
 * The text half of BiomedCLIP's state dict as open_clip's HFTextEncoder names it: a Hugging Face
 * BertModel (PubMedBERT-base, vocabulary 30,522, 512 positions) under `text.transformer.`, with
 * the `position_ids` buffer and the pooler, and the `mlp` head `Sequential(Linear, GELU, Linear)`
 * under `text.proj.` (indices 0 and 2). Written out independently of the converter.
 */
function officialTextStateDict(): Map<string, number[]> {
  const t = 'text.transformer.';
  const keys = new Map<string, number[]>([
    [`${t}embeddings.position_ids`, [1, 512]],
    [`${t}embeddings.word_embeddings.weight`, [30522, 768]],
    [`${t}embeddings.position_embeddings.weight`, [512, 768]],
    [`${t}embeddings.token_type_embeddings.weight`, [2, 768]],
    [`${t}embeddings.LayerNorm.weight`, [768]],
    [`${t}embeddings.LayerNorm.bias`, [768]],
  ]);
  for (let i = 0; i < 12; i++) {
    const l = `${t}encoder.layer.${i}.`;
    for (const part of ['query', 'key', 'value']) {
      keys.set(`${l}attention.self.${part}.weight`, [768, 768]);
      keys.set(`${l}attention.self.${part}.bias`, [768]);
    }
    keys.set(`${l}attention.output.dense.weight`, [768, 768]);
    keys.set(`${l}attention.output.dense.bias`, [768]);
    keys.set(`${l}attention.output.LayerNorm.weight`, [768]);
    keys.set(`${l}attention.output.LayerNorm.bias`, [768]);
    keys.set(`${l}intermediate.dense.weight`, [3072, 768]);
    keys.set(`${l}intermediate.dense.bias`, [3072]);
    keys.set(`${l}output.dense.weight`, [768, 3072]);
    keys.set(`${l}output.dense.bias`, [768]);
    keys.set(`${l}output.LayerNorm.weight`, [768]);
    keys.set(`${l}output.LayerNorm.bias`, [768]);
  }
  keys.set(`${t}pooler.dense.weight`, [768, 768]);
  keys.set(`${t}pooler.dense.bias`, [768]);
  keys.set('text.proj.0.weight', [640, 768]);
  keys.set('text.proj.2.weight', [512, 640]);
  return keys;
}

const golden = (name: string) => fileURLToPath(new URL(`../golden/biomedclip/${name}`, import.meta.url));

describe('BiomedCLIP text-tower key mapping', () => {
  it('expects the official BertModel + mlp keys (minus the unused buffer and pooler), ~110M parameters', () => {
    const official = officialTextStateDict();
    const expected = expectedTextKeys(BIOMEDCLIP_TEXT);
    const used = [...official.keys()].filter((k) => !k.endsWith('position_ids') && !k.includes('.pooler.'));
    expect([...expected.keys()].sort()).toEqual(used.sort());
    for (const key of used) expect(expected.get(key), key).toEqual(official.get(key));
    const params = used.reduce((n, k) => n + (official.get(k) as number[]).reduce((a, b) => a * b, 1), 0);
    expect(params).toBeGreaterThan(109e6);
    expect(params).toBeLessThan(110e6);
    expect(describeTextMismatches(new Map([...official].map(([k, shape]) => [k, { shape }])))).toEqual([]);
  });

  it('maps graph names to checkpoint keys', () => {
    expect(textCheckpointKeyFor('encoder.layer.11.output.LayerNorm.bias')).toBe('text.transformer.encoder.layer.11.output.LayerNorm.bias');
    expect(textCheckpointKeyFor('proj.2.weight')).toBe('text.proj.2.weight');
  });

  it('says why a text tower cannot be converted: none, missing, unexpected or misshapen keys', () => {
    expect(describeTextMismatches(new Map([['visual.trunk.cls_token', { shape: [1, 1, 768] }]]))).toEqual([
      'the checkpoint has no text tower (no "text.*" keys)',
    ]);
    const checkpoint = new Map([...officialTextStateDict()].map(([k, shape]) => [k, { shape }]));
    checkpoint.delete('text.proj.2.weight');
    checkpoint.set('text.proj.1.weight', { shape: [640] });
    checkpoint.set('text.transformer.embeddings.word_embeddings.weight', { shape: [28996, 768] });
    expect(describeTextMismatches(checkpoint)).toEqual([
      'missing text keys: text.proj.2.weight',
      'unexpected text keys: text.proj.1.weight',
      'text shape mismatches: text.transformer.embeddings.word_embeddings.weight has shape [28996, 768], expected [30522, 768]',
    ]);
  });

  it('a checkpoint with a malformed text tower still converts its vision tower and says why the text was skipped', async () => {
    const reference = JSON.parse(readFileSync(golden('reference.json'), 'utf8')) as BiomedClipReference;
    const writer = memoryFolderWriter();
    const summary = await convertBiomedClipCheckpoint(bytesSource(readFileSync(golden('reduced_fp32.bin'))), writer, { config: reducedConfig(reference) });
    expect(summary.text.status).toBe('skipped');
    expect(summary.text.status === 'skipped' && summary.text.reason).toMatch(/missing text keys: text\.transformer\.embeddings\.position_embeddings\.weight/);
    expect([...writer.files.keys()].sort()).toEqual(['config.json', 'onnx/vision_model.onnx', 'preprocessor_config.json']);
    const config = JSON.parse(new TextDecoder().decode(writer.files.get('config.json')));
    expect(config.text_config).toBeUndefined();
    expect(config.logit_scale).toBeCloseTo(4.6052, 3);
  });
});
