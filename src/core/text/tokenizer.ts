/**
 * Text tokenisation for the CLIP text towers, shared by the app, the workers and the CLI.
 *
 * Loading goes through `@huggingface/transformers` (AutoTokenizer reads `tokenizer.json` +
 * `tokenizer_config.json`), which the caller passes in: the browser imports it lazily after
 * configuring onnxruntime-web, Node imports it directly, and this module stays free of runtime
 * imports. The batching rule is ours, because transformers.js truncates by cutting the list
 * (dropping the final [SEP]), while open_clip's HFTokenizer truncates the way Hugging Face's
 * Python tokenizers do: [CLS] + the first L-2 pieces + [SEP].
 */
import type { AutoTokenizer as AutoTokenizerClass, env as transformersEnv } from '@huggingface/transformers';
import { messageOf } from '../errors.ts';

/** The part of `@huggingface/transformers` tokenizer loading needs. */
export interface TokenizerLibrary {
  AutoTokenizer: Pick<typeof AutoTokenizerClass, 'from_pretrained'>;
  env: Pick<typeof transformersEnv, 'allowLocalModels' | 'allowRemoteModels' | 'localModelPath' | 'remoteHost'>;
}

/** What a loaded tokenizer must offer; transformers.js's PreTrainedTokenizer fits. */
export interface WordTokenizer {
  /** Ids with the special tokens ([CLS] ... [SEP]) added, not truncated. */
  encode(text: string): number[];
  readonly pad_token_id?: number | null;
}

/** Where a registry entry's tokenizer files are. */
export interface TextTokenizerSpec {
  /** `bert-wordpiece`: uncased WordPiece with BERT's basic tokenizer (lower-casing, accent stripping). */
  kind: 'bert-wordpiece';
  /** The hub repository the files come from by default; absent for fixtures made locally. */
  hub?: { repo: string; revision: string };
  /** Its `vocab.txt`, from which `tokenizer.json` is built when the repository has none. */
  vocabFile?: string;
}

/** One place to try loading a tokenizer from. */
export type TokenizerSource =
  /** `localModelPath` is `/models/` in the app and the models folder on disk in Node; the files sit in `<folder>/`. */
  | { kind: 'self-hosted'; localModelPath: string; folder: string }
  | { kind: 'hub'; remoteHost: string; repo: string; revision: string };

/** The self-hosted folder first (offline sites), then the hub when the spec names one. */
export function tokenizerSources(
  spec: TextTokenizerSpec,
  folder: string,
  where: { localModelPath: string; remoteHost?: string },
): TokenizerSource[] {
  const sources: TokenizerSource[] = [{ kind: 'self-hosted', localModelPath: where.localModelPath, folder }];
  if (spec.hub && where.remoteHost) sources.push({ kind: 'hub', remoteHost: where.remoteHost, ...spec.hub });
  return sources;
}

function describe(source: TokenizerSource): string {
  return source.kind === 'self-hosted' ? `${source.localModelPath.replace(/\/*$/, '/')}${source.folder}/tokenizer.json` : `${source.repo} on ${source.remoteHost}`;
}

/**
 * Loads the tokenizer from the first source that has it. The library's `env` is global, so it is
 * set right before each attempt, as the encoder loader does for models.
 */
export async function loadTextTokenizer(lib: TokenizerLibrary, sources: readonly TokenizerSource[]): Promise<WordTokenizer> {
  const failures: string[] = [];
  for (const source of sources) {
    try {
      if (source.kind === 'self-hosted') {
        lib.env.allowLocalModels = true;
        lib.env.allowRemoteModels = false;
        lib.env.localModelPath = source.localModelPath.replace(/\/*$/, '/');
        return await lib.AutoTokenizer.from_pretrained(source.folder);
      }
      lib.env.allowLocalModels = false;
      lib.env.allowRemoteModels = true;
      lib.env.remoteHost = source.remoteHost.replace(/\/*$/, '/');
      return await lib.AutoTokenizer.from_pretrained(source.repo, { revision: source.revision });
    } catch (error) {
      failures.push(`${describe(source)}: ${messageOf(error)}`);
    }
  }
  throw new Error(
    `Could not load the text tokenizer (tried ${failures.join('; ')}). Run \`npm run models -- biomedclip\` (or \`npm run fixtures\` for the fixture encoder) to put tokenizer.json and tokenizer_config.json into models/.`,
  );
}

/** Token ids and mask of a batch, padded to its longest row: the text tower's two int64 inputs. */
export interface TokenBatch {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  /** `[batch, length]`. */
  dims: [number, number];
  /** Tokens per row before padding. */
  lengths: number[];
}

/**
 * Ids of one text, truncated to `contextLength` as Hugging Face truncates a single sequence: the
 * leading special token and the first pieces kept, the closing special token ([SEP]) put back.
 */
export function truncateIds(ids: readonly number[], contextLength: number): number[] {
  if (!Number.isInteger(contextLength) || contextLength < 2) throw new Error(`A context length of ${contextLength} cannot hold [CLS] and [SEP]; use 2 or more.`);
  if (ids.length <= contextLength) return [...ids];
  return [...ids.slice(0, contextLength - 1), ids[ids.length - 1]];
}

/**
 * Tokenises `texts` for a text tower: special tokens added, each row truncated to
 * `contextLength`, padded with the tokenizer's pad id (0 when it has none) to the longest row,
 * mask 1 on real tokens. Padding to the longest instead of to 256 (open_clip) gives the same
 * embeddings, since padding is masked, and shorter runs.
 */
export function tokenizeTexts(tokenizer: WordTokenizer, texts: readonly string[], contextLength: number): TokenBatch {
  if (texts.length === 0) throw new Error('There is no text to tokenise; pass at least one.');
  const rows = texts.map((t) => truncateIds(tokenizer.encode(t), contextLength));
  const width = Math.max(...rows.map((r) => r.length));
  const pad = BigInt(tokenizer.pad_token_id ?? 0);
  const inputIds = new BigInt64Array(rows.length * width).fill(pad);
  const attentionMask = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => {
    row.forEach((id, t) => {
      inputIds[r * width + t] = BigInt(id);
      attentionMask[r * width + t] = 1n;
    });
  });
  return { inputIds, attentionMask, dims: [rows.length, width], lengths: rows.map((r) => r.length) };
}
