/**
 * Downloads encoders into a models folder (`models/<id>/`, the self-hosted layout) so an
 * air-gapped site can run them: hub encoders file by file at their pinned revision, BiomedCLIP as
 * its official open_clip checkpoint converted to ONNX (no Python) plus its BiomedBERT tokenizer.
 * The revision (a branch such as `main`, or a commit) is resolved to its commit first and every
 * file is fetched at that commit, so a folder never mixes two commits; `source.json` records it.
 * Backs `npm run models`.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { getEncoder, hubFileUrl, type EncoderDtype, type EncoderEntry, type TextTowerEntry } from '../core/encoders/registry.ts';
import { bertTokenizerFilesFromVocab } from '../core/text/wordpiece-files.ts';
import {
  SOURCE_RECORD_FILE,
  checkServedCommit,
  commitOf,
  isCommit,
  parseRevision,
  withRevision,
  type ResolvedCommit,
  type SourceRecord,
} from '../core/encoders/revision.ts';

export const BIOMEDCLIP_REPO = 'microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224';
export const BIOMEDCLIP_CHECKPOINT = 'open_clip_pytorch_model.bin';

export interface DownloadOptions {
  host?: string;
  modelsDir: string;
  dtype?: EncoderDtype;
  /** A branch, tag or commit instead of the registry's revision; for one encoder at a time. */
  revision?: string;
  onFile?: (file: string, bytes: number) => void;
  /** Hears the commit an encoder's files were fetched at (40 hex, or 'unknown' from a host that names none). */
  onCommit?: (id: string, commit: ResolvedCommit) => void;
}

/** A download the server answered with an error status (404: the repository has no such file). */
export class HttpStatusError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Fetches one hub file to `target` atomically (a `.part` file renamed at the end). */
export async function downloadFile(url: string, target: string): Promise<number> {
  const response = await fetch(url);
  if (!response.ok || !response.body) {
    throw new HttpStatusError(`Downloading ${url} failed with HTTP ${response.status}; check the network (or the hub host) and try again.`, response.status);
  }
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.part`;
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(partial));
  } catch (error) {
    await rm(partial, { force: true });
    throw new Error(`Downloading ${url} broke off (${(error as Error).message}); run the command again.`);
  }
  const expected = Number(response.headers.get('content-length') ?? NaN);
  const { size } = await import('node:fs/promises').then((fs) => fs.stat(partial));
  if (Number.isFinite(expected) && size !== expected) {
    await rm(partial, { force: true });
    throw new Error(`Downloading ${url} gave ${size} of ${expected} bytes; run the command again.`);
  }
  await rename(partial, target);
  return size;
}

/**
 * The commit the hub resolves `revision` to, from the `X-Repo-Commit` of a HEAD request for
 * `file`. Redirects are not followed: the hub sends large files from a CDN whose answers carry no
 * commit, while its own redirect does. Null when the host names none or does not answer (the
 * download that follows then fails with its own sentence).
 */
export async function resolveHubCommit(host: string, repo: string, revision: string, file: string): Promise<string | null> {
  try {
    const response = await fetch(hubFileUrl(host, repo, revision, file), { method: 'HEAD', redirect: 'manual' });
    return commitOf(response.headers);
  } catch {
    return null;
  }
}

/** Resolves the revision, checks it against a pinned commit, and says at which revision to fetch every file. */
async function pinToCommit(label: string, host: string, repo: string, revision: string, firstFile: string): Promise<{ commit: ResolvedCommit; fetchAt: string }> {
  const commit = checkServedCommit(label, revision, await resolveHubCommit(host, repo, revision, firstFile), host);
  return { commit, fetchAt: isCommit(commit) ? commit : revision };
}

async function writeSourceRecord(folder: string, record: SourceRecord): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, SOURCE_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/** Copies a hub encoder's config, preprocessor config and ONNX file into `<modelsDir>/<id>/`, all at one commit. */
export async function downloadHubEncoder(entry: EncoderEntry, options: DownloadOptions): Promise<string> {
  if (entry.source.kind !== 'hub') throw new Error(`${entry.id} is not a hub encoder.`);
  const dtype = options.dtype ?? 'fp32';
  const onnx = entry.files[dtype];
  if (!onnx) throw new Error(`${entry.id} has no ${dtype} weights; choose ${Object.keys(entry.files).join(' or ')}.`);
  const folder = join(options.modelsDir, entry.id);
  const host = options.host ?? 'https://huggingface.co';
  const { repo, revision } = entry.source;
  const { commit, fetchAt } = await pinToCommit(entry.label, host, repo, revision, 'config.json');
  for (const file of ['config.json', 'preprocessor_config.json', onnx]) {
    const bytes = await downloadFile(hubFileUrl(host, repo, fetchAt, file), join(folder, file));
    options.onFile?.(file, bytes);
  }
  await writeSourceRecord(folder, { repo, revision, commit });
  options.onCommit?.(entry.id, commit);
  return folder;
}

/** Downloads the official BiomedCLIP checkpoint and converts it into `<modelsDir>/biomedclip/`. */
export async function downloadBiomedClip(options: DownloadOptions): Promise<string> {
  const host = options.host ?? 'https://huggingface.co';
  const cache = join(options.modelsDir, '.downloads', BIOMEDCLIP_CHECKPOINT);
  const revision = options.revision ?? 'main';
  const { commit, fetchAt } = await pinToCommit('BiomedCLIP', host, BIOMEDCLIP_REPO, revision, BIOMEDCLIP_CHECKPOINT);
  const bytes = await downloadFile(hubFileUrl(host, BIOMEDCLIP_REPO, fetchAt, BIOMEDCLIP_CHECKPOINT), cache);
  options.onFile?.(BIOMEDCLIP_CHECKPOINT, bytes);
  const { convertBiomedClipFile } = await import('./commands/convert-biomedclip.ts');
  const folder = join(options.modelsDir, 'biomedclip');
  const summary = await convertBiomedClipFile(cache, folder);
  await rm(cache, { force: true });
  const text = getEncoder('biomedclip').text;
  if (summary.text.status === 'converted' && text) await downloadTextTokenizer(text, folder, options);
  await writeSourceRecord(folder, { repo: BIOMEDCLIP_REPO, revision, commit });
  options.onCommit?.('biomedclip', commit);
  return folder;
}

/**
 * Puts a text tower's tokenizer (`tokenizer.json`, `tokenizer_config.json`) into `folder`, from
 * the hub repository the registry names. A repository that ships only `vocab.txt` (BERT
 * checkpoints from before the fast tokenizers) gets both files built from the vocabulary.
 */
export async function downloadTextTokenizer(tower: TextTowerEntry, folder: string, options: DownloadOptions): Promise<void> {
  const hub = tower.tokenizer.hub;
  if (!hub) return;
  const host = options.host ?? 'https://huggingface.co';
  const url = (file: string) => hubFileUrl(host, hub.repo, hub.revision, file);
  try {
    for (const file of ['tokenizer.json', 'tokenizer_config.json']) {
      const bytes = await downloadFile(url(file), join(folder, file));
      options.onFile?.(file, bytes);
    }
    return;
  } catch (error) {
    if (!(error instanceof HttpStatusError && error.status === 404 && tower.tokenizer.vocabFile)) throw error;
  }
  const vocabPath = join(options.modelsDir, '.downloads', `${hub.repo.replace(/\//g, '--')}-${tower.tokenizer.vocabFile}`);
  const vocabBytes = await downloadFile(url(tower.tokenizer.vocabFile), vocabPath);
  options.onFile?.(tower.tokenizer.vocabFile, vocabBytes);
  const files = bertTokenizerFilesFromVocab(await readFile(vocabPath, 'utf8'));
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(folder, name), content);
    options.onFile?.(`${name} (built from ${tower.tokenizer.vocabFile})`, content.length);
  }
  await rm(vocabPath, { force: true });
}

/** Downloads each id in turn; returns the folders written. */
export async function downloadEncoders(ids: readonly string[], options: DownloadOptions): Promise<string[]> {
  if (options.revision !== undefined && ids.length !== 1) {
    throw new Error(`--revision names a commit of one repository, but ${ids.length} encoders were given; download them one at a time.`);
  }
  const revision = options.revision === undefined ? undefined : parseRevision(options.revision);
  const folders: string[] = [];
  for (const id of ids) {
    const entry = getEncoder(id);
    if (entry.id === 'biomedclip') folders.push(await downloadBiomedClip({ ...options, revision }));
    else if (entry.source.kind === 'hub') folders.push(await downloadHubEncoder(revision === undefined ? entry : withRevision(entry, revision), options));
    else throw new Error(`${id} is made locally, not downloaded: run \`npm run fixtures\` to create it.`);
  }
  return folders;
}
