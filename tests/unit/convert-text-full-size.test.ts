/**
 * Opt-in full-size check of the text tower (110M parameters; the checkpoint is ~0.8 GB and not
 * committed). Write it with `/usr/bin/python3 scripts/golden/biomedclip_fixture.py --full-size DIR`,
 * then run `BIOMEDCLIP_FULL_SIZE_DIR=DIR npx vitest run --project unit tests/unit/convert-text-full-size.test.ts`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { nodeFileSource, nodeFolderWriter } from '../../src/cli/commands/convert-biomedclip.ts';
import { convertBiomedClipCheckpoint } from '../../src/core/convert/biomedclip.ts';
import { BIOMEDCLIP_TEXT } from '../../src/core/onnx/bert-graph.ts';
import { BIOMEDCLIP_VISION } from '../../src/core/onnx/vit-graph.ts';
import { compareRows, deterministicInput } from './convert-support.ts';
import { textConfigOf, tokenRows, visionConfigOf, type TextReference } from './convert-text-support.ts';

const dir = process.env.BIOMEDCLIP_FULL_SIZE_DIR;
const out = mkdtempSync(join(tmpdir(), 'text-full-size-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(!dir)('full-size BiomedCLIP two-tower checkpoint (opt-in: BIOMEDCLIP_FULL_SIZE_DIR)', () => {
  it('converts with the default configs and matches the torch reference on both towers', { timeout: 600_000 }, async () => {
    const reference = JSON.parse(readFileSync(join(dir as string, 'text_reference.json'), 'utf8')) as TextReference;
    expect(textConfigOf(reference)).toEqual(BIOMEDCLIP_TEXT);
    expect(visionConfigOf(reference)).toEqual(BIOMEDCLIP_VISION);
    const source = await nodeFileSource(join(dir as string, 'two_tower_fp32.bin'));
    const summary = await convertBiomedClipCheckpoint(source, nodeFolderWriter(out));
    await source.close();
    expect(summary.text.status).toBe('converted');

    const text = await ort.InferenceSession.create(join(out, 'onnx', 'text_model.onnx'));
    const rows = tokenRows(reference.text_config.vocab_size, reference.lengths);
    const dims = [reference.lengths.length, rows.width];
    const result = await text.run({ input_ids: new ort.Tensor('int64', rows.ids, dims), attention_mask: new ort.Tensor('int64', rows.mask, dims) });
    const t = compareRows(result.text_embeds.data as Float32Array, reference.text_embeds);
    console.info(`full-size text tower: cosines ${t.cosines.map((c) => c.toFixed(8)).join(', ')}, max abs ${t.maxAbsDiff.toExponential(2)}`);
    for (const c of t.cosines) expect(c).toBeGreaterThanOrEqual(0.9999);
    expect(t.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    await text.release();

    const vision = await ort.InferenceSession.create(join(out, 'onnx', 'vision_model.onnx'));
    const image = await vision.run({ pixel_values: new ort.Tensor('float32', deterministicInput(224), [2, 3, 224, 224]) });
    const v = compareRows(image.image_embeds.data as Float32Array, reference.image_embeds);
    for (const c of v.cosines) expect(c).toBeGreaterThanOrEqual(0.9999);
    expect(v.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    await vision.release();
  });
});
