/**
 * Random-weight encoders with the real ViT shapes, for benchmarks (not committed; written by
 * `npm run fixtures -- --full-size` into fixtures/full-size/):
 * - vit-b16/onnx/vision_model.onnx: BiomedCLIP's ViT-B/16 -> image_embeds [B,512];
 * - vit-s14/onnx/model.onnx: DINOv2 ViT-S/14 at 224 -> last_hidden_state [B,257,384];
 * - beside each, `*_quantized.onnx`: the same weights quantised to uint8 (q8), for the precision figures.
 * Weights are seeded and streamed to disk tensor by tensor (ViT-B/16 is ~344 MB of float32).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { BIOMEDCLIP_VISION, DINOV2_SMALL_224, buildVitGraph, randomVitWeights, type VitConfig } from '../src/core/onnx/vit-graph.ts';
import { biomedClipConfigFiles } from '../src/core/convert/biomedclip.ts';
import { fixtureEncoderFiles } from '../src/core/onnx/fixture-encoders.ts';

async function streamToFile(path: string, chunks: AsyncIterable<Uint8Array>): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await rename(partial, path);
  return bytes;
}

/** Writes the float32 graph and, beside it as `<name>_quantized.onnx` (the registry's q8 file name), the same weights quantised to uint8. */
async function writeEncoder(dir: string, onnxPath: string, config: VitConfig, seed: number, files: Record<string, string>) {
  for (const precision of ['fp32', 'q8'] as const) {
    const path = join(dir, precision === 'fp32' ? onnxPath : onnxPath.replace(/\.onnx$/, '_quantized.onnx'));
    const bytes = await streamToFile(path, buildVitGraph(config, randomVitWeights(seed), { precision }));
    console.log(`full-size: ${path} (${(bytes / 2 ** 20).toFixed(1)} MiB)`);
  }
  for (const [rel, text] of Object.entries(files)) await writeFile(join(dir, rel), text);
}

export async function writeFullSizeGraphs(dir: string): Promise<void> {
  const note = { _comment: 'Random-weight benchmark graph with the real shapes: embeddings carry no meaning.' };
  const clipFiles = biomedClipConfigFiles(BIOMEDCLIP_VISION);
  const clipConfig = { ...JSON.parse(clipFiles['config.json']), ...note };
  await writeEncoder(join(dir, 'vit-b16'), 'onnx/vision_model.onnx', BIOMEDCLIP_VISION, 16, {
    ...clipFiles,
    'config.json': JSON.stringify(clipConfig, null, 2) + '\n',
  });
  // DINOv2's config and preprocessing are those of the fixture encoder, which mirrors the real one.
  const dino = fixtureEncoderFiles('fixture-dino');
  const dinoConfig = { ...JSON.parse(dino['config.json'] as string), num_hidden_layers: 12, num_attention_heads: 6, ...note };
  await writeEncoder(join(dir, 'vit-s14'), 'onnx/model.onnx', DINOV2_SMALL_224, 14, {
    'config.json': JSON.stringify(dinoConfig, null, 2) + '\n',
    'preprocessor_config.json': dino['preprocessor_config.json'] as string,
  });
}
