/**
 * Encoder sessions on onnxruntime-node (CPU) for the CLI, the golden script and Node tests.
 * They share `EncoderRunner` with the browser workers; only the runtime differs.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { EncoderSession, SessionFactory } from '../core/encoders/encoder-runner.ts';
import type { EncoderEntry, OutputTensor } from '../core/encoders/registry.ts';

/**
 * A CPU session over ONNX bytes. It reports itself as 'wasm' (the CPU backend of `Backend`),
 * so the runner never tries a GPU fallback in Node.
 */
export async function createNodeSession(model: Uint8Array, inputName = 'pixel_values'): Promise<EncoderSession> {
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all' });
  return {
    backend: 'wasm',
    async run(pixelValues, dims) {
      const outputs = await session.run({ [inputName]: new ort.Tensor('float32', pixelValues, [...dims]) });
      const result: Record<string, OutputTensor> = {};
      for (const [name, tensor] of Object.entries(outputs)) {
        result[name] = { dims: [...tensor.dims], data: tensor.data as Float32Array };
      }
      return result;
    },
    async dispose() {
      await session.release();
    },
  };
}

/** The fp32 ONNX file of a registry entry inside a models folder laid out like `models/<id>/`. */
export function nodeModelPath(entry: EncoderEntry, modelsDir: string): string {
  const file = entry.files.fp32;
  if (!file) throw new Error(`The encoder ${entry.id} has no fp32 ONNX file to run in Node.`);
  const folder = entry.source.kind === 'self-hosted' ? entry.source.folder : entry.id;
  return join(modelsDir, folder, file);
}

/** A session factory reading `entry` from `modelsDir`; it explains how to get missing files. */
export function nodeSessionFactory(entry: EncoderEntry, modelsDir: string): SessionFactory {
  return async () => {
    const path = nodeModelPath(entry, modelsDir);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch {
      throw new Error(
        entry.missingHint ??
          `The encoder ${entry.id} is not in ${path}; run \`npm run models -- ${entry.id}\` to download it for offline use.`,
      );
    }
    return createNodeSession(bytes, entry.inputName);
  };
}
