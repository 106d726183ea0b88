import { describe, expect, it } from 'vitest';
import { convertBiomedClipCheckpoint, memoryFolderWriter } from '../../src/core/convert/biomedclip.ts';
import { blobSource } from '../../src/core/convert/zip.ts';
import { createOrtSession, ort } from '../../src/workers/ort-web.ts';
import { compareRows } from '../unit/convert-support.ts';
import { textConfigOf, tokenRows, unpaddedRow, visionConfigOf, type TextReference } from '../unit/convert-text-support.ts';

const golden = (name: string) => new URL(`../golden/biomedclip/${name}`, import.meta.url).href;

describe('BiomedCLIP text tower converted in the browser (onnxruntime-web WASM)', () => {
  it('converts the two-tower fixture from a Blob and text_embeds match the torch reference with padding masked', async () => {
    const reference = (await (await fetch(golden('text_reference.json'))).json()) as TextReference;
    const response = await fetch(golden('two_tower_fp32.bin'));
    expect(response.ok).toBe(true);
    const writer = memoryFolderWriter();
    const summary = await convertBiomedClipCheckpoint(blobSource(await response.blob()), writer, {
      config: visionConfigOf(reference),
      textConfig: textConfigOf(reference),
    });
    expect(summary.text.status).toBe('converted');

    const session = await createOrtSession(writer.files.get('onnx/text_model.onnx') as Uint8Array, 'wasm');
    const rows = tokenRows(reference.text_config.vocab_size, reference.lengths);
    const dims = [reference.lengths.length, rows.width];
    const result = await session.run({ input_ids: new ort.Tensor('int64', rows.ids, dims), attention_mask: new ort.Tensor('int64', rows.mask, dims) });
    expect(result.text_embeds.dims).toEqual([4, 32]);
    const { cosines, maxAbsDiff } = compareRows(result.text_embeds.data as Float32Array, reference.text_embeds);
    for (const c of cosines) expect(c).toBeGreaterThanOrEqual(0.9999);
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-4);

    const alone = unpaddedRow(rows, 1, reference.lengths[1]);
    const n = reference.lengths[1];
    const single = await session.run({ input_ids: new ort.Tensor('int64', alone.ids, [1, n]), attention_mask: new ort.Tensor('int64', alone.mask, [1, n]) });
    const check = compareRows(single.text_embeds.data as Float32Array, [reference.text_embeds[1]]);
    expect(check.cosines[0]).toBeGreaterThanOrEqual(0.9999);
    expect(check.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    await session.release();
  });
});
