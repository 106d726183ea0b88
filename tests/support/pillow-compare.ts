/**
 * Comparison of our encoder input with the pixels Pillow's pipelines make (8-bit crops written
 * by scripts/golden/make_preprocess_goldens.py), in normalised units: both crops go through the
 * same normalisation, so the numbers read like the tensors' difference.
 */
import { decodeImage } from '../../src/core/decode/index.ts';
import { ingestFile } from '../../src/core/ingest/index.ts';
import { normalise, preprocess, type PreprocessSpec } from '../../src/core/preprocess/index.ts';

export interface Difference {
  mean: number;
  max: number;
}

export function difference(actual: Float32Array, expected: Float32Array): Difference {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    sum += d;
    if (d > max) max = d;
  }
  return { mean: sum / expected.length, max };
}

/** The reference crop (a 224 x 224 RGB PNG) as the normalised tensor it stands for. */
export async function referenceTensor(png: Uint8Array, spec: PreprocessSpec): Promise<Float32Array> {
  const image = await decodeImage(png, 'reference.png');
  if (image.channels !== 3 || image.bitDepth !== 8) throw new Error('A reference crop must be an 8-bit RGB PNG.');
  return normalise({ width: image.width, height: image.height, data: image.data as Uint8Array }, spec);
}

/** What the app and the CLI feed the encoder for a file: ingest, then the encoder's preprocessing. */
export async function encoderTensor(bytes: Uint8Array, name: string, spec: PreprocessSpec): Promise<Float32Array> {
  const result = await ingestFile(bytes, { name }, { keepRgb: true, thumbnailSide: 16 });
  if (!result.ok || !result.rgb) throw new Error(`${name}: ${result.ok ? 'no pixels' : result.error.reason}`);
  return preprocess(result.rgb, spec);
}
