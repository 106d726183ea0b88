import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { convertBiomedClipCheckpoint, memoryFolderWriter } from '../../src/core/convert/biomedclip.ts';
import { bytesSource } from '../../src/core/convert/zip.ts';
import { compareRows, deterministicInput } from './convert-support.ts';
import { textConfigOf, tokenRows, unpaddedRow, visionConfigOf, type TextReference } from './convert-text-support.ts';

const golden = (name: string) => fileURLToPath(new URL(`../golden/biomedclip/${name}`, import.meta.url));
const reference = JSON.parse(readFileSync(golden('text_reference.json'), 'utf8')) as TextReference;

async function convertTwoTower() {
  const writer = memoryFolderWriter();
  const summary = await convertBiomedClipCheckpoint(bytesSource(readFileSync(golden('two_tower_fp32.bin'))), writer, {
    config: visionConfigOf(reference),
    textConfig: textConfigOf(reference),
  });
  return { writer, summary };
}

describe('BiomedCLIP text tower -> ONNX parity with the plain-torch BERT reference (onnxruntime-node)', () => {
  it('converts both towers, records logit_scale, and ignores only the unused BERT buffers and pooler', async () => {
    const { writer, summary } = await convertTwoTower();
    expect(summary.text.status).toBe('converted');
    expect(summary.files.sort()).toEqual(['config.json', 'onnx/text_model.onnx', 'onnx/vision_model.onnx', 'preprocessor_config.json']);
    expect(summary.ignoredKeys.sort()).toEqual([
      'logit_scale',
      'text.transformer.embeddings.position_ids',
      'text.transformer.pooler.dense.bias',
      'text.transformer.pooler.dense.weight',
    ]);
    expect(summary.logitScale).toBeCloseTo(reference.logit_scale, 6);
    const config = JSON.parse(new TextDecoder().decode(writer.files.get('config.json')));
    expect(config.logit_scale).toBeCloseTo(reference.logit_scale, 6);
    expect(config.text_config).toMatchObject({ model_type: 'bert', context_length: 256, projection_dim: 32, pad_token_id: 0, onnx_file: 'onnx/text_model.onnx' });
  });

  it('text_embeds equal the reference on rows of 256, 5, 37 and 130 tokens with padding masked (cosine >= 0.9999, max abs <= 1e-4)', async () => {
    const { writer } = await convertTwoTower();
    const session = await ort.InferenceSession.create(writer.files.get('onnx/text_model.onnx') as Uint8Array);
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(session.outputNames).toEqual(['text_embeds']);
    const rows = tokenRows(reference.text_config.vocab_size, reference.lengths);
    const dims = [reference.lengths.length, rows.width];
    expect(rows.width).toBe(256);
    const out = await session.run({ input_ids: new ort.Tensor('int64', rows.ids, dims), attention_mask: new ort.Tensor('int64', rows.mask, dims) });
    expect(out.text_embeds.dims).toEqual([reference.lengths.length, 32]);
    const { cosines, maxAbsDiff } = compareRows(out.text_embeds.data as Float32Array, reference.text_embeds);
    for (const c of cosines) expect(c).toBeGreaterThanOrEqual(0.9999);
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-4);
    // Different rows must give clearly different embeddings, or the comparison proves little.
    const [a, b] = reference.text_embeds;
    expect(compareRows(new Float32Array(a), [b]).cosines[0]).toBeLessThan(0.99);

    // Each row alone, without padding, gives its padded result: the mask really removes padding.
    for (let r = 1; r < reference.lengths.length; r++) {
      const n = reference.lengths[r];
      const alone = unpaddedRow(rows, r, n);
      const single = await session.run({ input_ids: new ort.Tensor('int64', alone.ids, [1, n]), attention_mask: new ort.Tensor('int64', alone.mask, [1, n]) });
      const check = compareRows(single.text_embeds.data as Float32Array, [reference.text_embeds[r]]);
      expect(check.cosines[0]).toBeGreaterThanOrEqual(0.9999);
      expect(check.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    }
    await session.release();
  });

  it('the vision tower of the same checkpoint still matches its reference', async () => {
    const { writer } = await convertTwoTower();
    const session = await ort.InferenceSession.create(writer.files.get('onnx/vision_model.onnx') as Uint8Array);
    const size = reference.vision_config.image_size;
    const out = await session.run({ pixel_values: new ort.Tensor('float32', deterministicInput(size), [2, 3, size, size]) });
    const { cosines, maxAbsDiff } = compareRows(out.image_embeds.data as Float32Array, reference.image_embeds);
    for (const c of cosines) expect(c).toBeGreaterThanOrEqual(0.9999);
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-4);
    await session.release();
  });
});
