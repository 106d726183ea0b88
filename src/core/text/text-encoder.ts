/**
 * Embeds texts with a CLIP text tower: tokenise (tokenizer.ts), run the ONNX session in batches,
 * read and re-normalise `text_embeds` rows. The session is injected (onnxruntime-web in a worker,
 * onnxruntime-node in the CLI), so the rule is the same everywhere.
 */
import type { OutputTensor, TextTowerEntry } from '../encoders/registry.ts';
import { tokenizeTexts, type TokenBatch, type WordTokenizer } from './tokenizer.ts';

/** One loaded text-tower session; output names as in the ONNX graph. */
export interface TextEncoderSession {
  run(batch: TokenBatch): Promise<Readonly<Record<string, OutputTensor>>>;
}

export const DEFAULT_TEXT_BATCH_SIZE = 16;

/**
 * The L2-normalised embedding of every text, in input order. Texts are batched so one long text
 * pads only its own batch.
 */
export async function embedTexts(
  session: TextEncoderSession,
  tokenizer: WordTokenizer,
  tower: TextTowerEntry,
  texts: readonly string[],
  batchSize = DEFAULT_TEXT_BATCH_SIZE,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let start = 0; start < texts.length; start += batchSize) {
    const batch = tokenizeTexts(tokenizer, texts.slice(start, start + batchSize), tower.contextLength);
    const outputs = await session.run(batch);
    out.push(...readTextEmbeddings(outputs, tower, batch.dims[0]));
  }
  return out;
}

/** Rows of the tower's `[B, dim]` output, each L2-normalised, with a sentence for every wrong shape. */
export function readTextEmbeddings(outputs: Readonly<Record<string, OutputTensor>>, tower: TextTowerEntry, rows: number): Float32Array[] {
  const tensor = outputs[tower.output];
  if (!tensor) {
    throw new Error(`The text model produced no "${tower.output}" output (outputs: ${Object.keys(outputs).join(', ') || 'none'}); check onnx/text_model.onnx.`);
  }
  const [batch, dim] = tensor.dims;
  if (tensor.dims.length !== 2 || batch !== rows || dim !== tower.dim) {
    throw new Error(`The text model's "${tower.output}" has shape [${tensor.dims.join(', ')}]; expected [${rows}, ${tower.dim}]. The file is not this encoder's text tower.`);
  }
  const result: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const row = new Float32Array(dim);
    let sumSquares = 0;
    for (let i = 0; i < dim; i++) {
      row[i] = Number(tensor.data[r * dim + i]);
      sumSquares += row[i] * row[i];
    }
    const norm = Math.sqrt(sumSquares);
    if (!Number.isFinite(norm) || norm === 0) throw new Error(`The text model produced an embedding of zero or non-finite length for text ${r + 1} of the batch.`);
    for (let i = 0; i < dim; i++) row[i] /= norm;
    result.push(row);
  }
  return result;
}

/**
 * The softmax temperature (already exponentiated: ~100 for trained CLIP models) from the entry's
 * source and the encoder's parsed config.json.
 */
export function resolveLogitScale(tower: TextTowerEntry, config: unknown): number {
  const source = tower.logitScale;
  if (source.kind === 'fixed') return source.scale;
  const value = typeof config === 'object' && config !== null ? (config as Record<string, unknown>)[source.key] : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`The encoder's ${source.file} has no numeric "${source.key}"; convert the checkpoint again with a version that records it (npm run models -- biomedclip).`);
  }
  return Math.exp(value);
}
