import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { convertBiomedClipCheckpoint, memoryFolderWriter, type ConversionProgress } from '../../src/core/convert/biomedclip.ts';
import { bytesSource } from '../../src/core/convert/zip.ts';
import { compareRows, deterministicInput, reducedConfig, type BiomedClipReference } from './convert-support.ts';

const golden = (name: string) => fileURLToPath(new URL(`../golden/biomedclip/${name}`, import.meta.url));
const reference = JSON.parse(readFileSync(golden('reference.json'), 'utf8')) as BiomedClipReference;

describe('BiomedCLIP checkpoint -> ONNX parity with the torch reference (onnxruntime-node)', () => {
  for (const dtype of ['fp32', 'fp16'] as const) {
    it(`${dtype} storages: cosine >= 0.9999 per row and max abs diff <= 1e-4`, async () => {
      const writer = memoryFolderWriter();
      const progress: ConversionProgress[] = [];
      const config = reducedConfig(reference);
      const summary = await convertBiomedClipCheckpoint(bytesSource(readFileSync(golden(`reduced_${dtype}.bin`))), writer, {
        config,
        onProgress: (p) => progress.push(p),
      });
      expect(summary.files.sort()).toEqual(['config.json', 'onnx/vision_model.onnx', 'preprocessor_config.json']);
      expect(summary.ignoredKeys.sort()).toEqual(['logit_scale', 'text.proj.0.weight', 'text.transformer.embeddings.word_embeddings.weight']);
      expect(progress.at(-1)).toMatchObject({ phase: 'done', tensorsDone: progress.at(-1)?.tensorsTotal });

      const session = await ort.InferenceSession.create(writer.files.get('onnx/vision_model.onnx') as Uint8Array);
      expect(session.inputNames).toEqual(['pixel_values']);
      expect(session.outputNames).toEqual(['image_embeds']);
      const size = config.imageSize;
      const out = await session.run({ pixel_values: new ort.Tensor('float32', deterministicInput(size), [2, 3, size, size]) });
      const embeds = out.image_embeds;
      expect(embeds.dims).toEqual([2, config.head.kind === 'clip-projection' ? config.head.embedDim : 0]);
      const { cosines, maxAbsDiff } = compareRows(embeds.data as Float32Array, reference.image_embeds[dtype]);
      for (const c of cosines) expect(c).toBeGreaterThanOrEqual(0.9999);
      expect(maxAbsDiff).toBeLessThanOrEqual(1e-4);
      // The two inputs must give clearly different embeddings, or the comparison proves little.
      const rows = reference.image_embeds[dtype];
      expect(compareRows(new Float32Array(rows[0]), [rows[1]]).cosines[0]).toBeLessThan(0.99);
    });
  }

  it('writes the self-hosted layout: config.json and an open_clip preprocessor_config.json', async () => {
    const writer = memoryFolderWriter();
    await convertBiomedClipCheckpoint(bytesSource(readFileSync(golden('reduced_fp32.bin'))), writer, { config: reducedConfig(reference) });
    const pre = JSON.parse(new TextDecoder().decode(writer.files.get('preprocessor_config.json')));
    expect(pre).toMatchObject({ resample: 3, size: { shortest_edge: 224 }, crop_size: { height: 224, width: 224 }, image_mean: [0.48145466, 0.4578275, 0.40821073] });
    const config = JSON.parse(new TextDecoder().decode(writer.files.get('config.json')));
    expect(config).toMatchObject({ model_type: 'clip_vision_model', projection_dim: 32, image_size: 224, patch_size: 16 });
  });
});
