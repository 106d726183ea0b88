/**
 * Node adapter for a CLIP text tower (the CLI's probes): the tokenizer and the ONNX file from the
 * encoder's folder under models/, run on onnxruntime-node, through the same core rules the app uses.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EncoderEntry, OutputTensor, TextTowerEntry } from '../core/encoders/registry.ts';
import { embedTexts, resolveLogitScale, type TextEncoderSession } from '../core/text/text-encoder.ts';
import { loadTextTokenizer, tokenizerSources, type WordTokenizer } from '../core/text/tokenizer.ts';

export interface NodeTextEncoder {
  tower: TextTowerEntry;
  tokenizer: WordTokenizer;
  /** exp(logit_scale). */
  logitScale: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

/** Opens `entry`'s text tower from `<modelsDir>/<folder>/`; `remoteHost` lets the tokenizer come from the hub when it is not there. */
export async function openNodeTextEncoder(entry: EncoderEntry, modelsDir: string, options: { remoteHost?: string } = {}): Promise<NodeTextEncoder> {
  const tower = entry.text;
  if (!tower) throw new Error(`The encoder ${entry.id} has no text tower; choose a CLIP encoder such as biomedclip.`);
  const folder = entry.source.kind === 'self-hosted' ? entry.source.folder : entry.id;
  const dir = join(modelsDir, folder);
  const file = tower.files.fp32;
  if (!file) throw new Error(`The encoder ${entry.id} lists no fp32 text model.`);
  const hint = entry.id === 'biomedclip' ? 'npm run models -- biomedclip' : entry.source.kind === 'self-hosted' ? 'npm run fixtures' : `npm run models -- ${entry.id}`;
  const config: unknown = JSON.parse(
    await readFile(join(dir, 'config.json'), 'utf8').catch(() => {
      throw new Error(`There is no ${join(dir, 'config.json')}; run \`${hint}\` first.`);
    }),
  );
  const logitScale = resolveLogitScale(tower, config);
  const transformers = await import('@huggingface/transformers');
  const tokenizer = await loadTextTokenizer(transformers, tokenizerSources(tower.tokenizer, folder, { localModelPath: modelsDir, remoteHost: options.remoteHost }));
  const ort = await import('onnxruntime-node');
  const onnx = await ort.InferenceSession.create(join(dir, file)).catch((error: Error) => {
    throw new Error(`Could not load the text model ${join(dir, file)} (${error.message}); run \`${hint}\` to write it.`);
  });
  const session: TextEncoderSession = {
    async run(batch) {
      const outputs = await onnx.run({
        [tower.inputNames.inputIds]: new ort.Tensor('int64', batch.inputIds, batch.dims),
        [tower.inputNames.attentionMask]: new ort.Tensor('int64', batch.attentionMask, batch.dims),
      });
      const result: Record<string, OutputTensor> = {};
      // text_embeds is float32; node-ort-session.ts reads image outputs the same way.
      for (const [name, tensor] of Object.entries(outputs)) result[name] = { dims: [...tensor.dims], data: tensor.data as Float32Array };
      return result;
    },
  };
  return {
    tower,
    tokenizer,
    logitScale,
    embed: (texts) => embedTexts(session, tokenizer, tower, texts),
    dispose: () => onnx.release(),
  };
}
