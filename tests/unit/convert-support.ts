/** Shared by the converter tests (Node and browser): the reduced fixture's config and inputs. */
import type { VitConfig } from '../../src/core/onnx/vit-graph.ts';

export interface BiomedClipReference {
  config: { image_size: number; patch_size: number; width: number; depth: number; heads: number; mlp_ratio: number; embed_dim: number; eps: number };
  image_embeds: { fp32: number[][]; fp16: number[][] };
}

export function reducedConfig(ref: BiomedClipReference): VitConfig {
  const c = ref.config;
  return {
    imageSize: c.image_size,
    patchSize: c.patch_size,
    width: c.width,
    depth: c.depth,
    heads: c.heads,
    mlpRatio: c.mlp_ratio,
    layerNormEps: c.eps,
    layerScale: false,
    head: { kind: 'clip-projection', embedDim: c.embed_dim, bias: false },
  };
}

/** The same recipe as scripts/golden/biomedclip_fixture.py: a float64 formula cast to float32. */
export function deterministicInput(size: number): Float32Array {
  const out = new Float32Array(2 * 3 * size * size);
  let i = 0;
  for (let b = 0; b < 2; b++)
    for (let ch = 0; ch < 3; ch++)
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          out[i++] = Math.sin(0.05 * y * (ch + 1) + 0.07 * x + 1.3 * b) + 0.5 * Math.cos(0.11 * x * (b + 1) - 0.03 * y * ch);
        }
  return out;
}

/** Per-row cosine similarity and the overall max abs difference against the reference rows. */
export function compareRows(actual: Float32Array, expected: number[][]): { cosines: number[]; maxAbsDiff: number } {
  const dim = expected[0].length;
  const cosines: number[] = [];
  let maxAbsDiff = 0;
  expected.forEach((row, r) => {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let j = 0; j < dim; j++) {
      const a = actual[r * dim + j];
      dot += a * row[j];
      na += a * a;
      nb += row[j] * row[j];
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a - row[j]));
    }
    cosines.push(dot / Math.sqrt(na * nb));
  });
  return { cosines, maxAbsDiff };
}
