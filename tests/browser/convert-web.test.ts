import { describe, expect, it } from 'vitest';
import { convertBiomedClipCheckpoint, memoryFolderWriter } from '../../src/core/convert/biomedclip.ts';
import { blobSource } from '../../src/core/convert/zip.ts';
import { createOrtSession, ort } from '../../src/workers/ort-web.ts';
import { compareRows, deterministicInput, reducedConfig, type BiomedClipReference } from '../unit/convert-support.ts';

const golden = (name: string) => new URL(`../golden/biomedclip/${name}`, import.meta.url).href;

describe('BiomedCLIP conversion in the browser (onnxruntime-web WASM)', () => {
  for (const dtype of ['fp32', 'fp16'] as const) {
    it(`converts the ${dtype} fixture checkpoint from a Blob and matches the torch reference`, async () => {
      const reference = (await (await fetch(golden('reference.json'))).json()) as BiomedClipReference;
      const response = await fetch(golden(`reduced_${dtype}.bin`));
      expect(response.ok).toBe(true);
      const checkpoint = await response.blob();
      const writer = memoryFolderWriter();
      const config = reducedConfig(reference);
      await convertBiomedClipCheckpoint(blobSource(checkpoint), writer, { config });

      const session = await createOrtSession(writer.files.get('onnx/vision_model.onnx') as Uint8Array, 'wasm');
      const size = config.imageSize;
      const result = await session.run({ pixel_values: new ort.Tensor('float32', deterministicInput(size), [2, 3, size, size]) });
      expect(result.image_embeds.dims).toEqual([2, 32]);
      const { cosines, maxAbsDiff } = compareRows(result.image_embeds.data as Float32Array, reference.image_embeds[dtype]);
      for (const c of cosines) expect(c).toBeGreaterThanOrEqual(0.9999);
      expect(maxAbsDiff).toBeLessThanOrEqual(1e-4);
      await session.release();
    });
  }
});
