/**
 * Which hub commit a browser load ran: the `X-Repo-Commit` of the hub's answers (fetched now or
 * read back from the Cache API copy), or the `source.json` that `npm run models` writes into a
 * self-hosted folder. The rules (what a commit is, when answers contradict a pin) are core's.
 */
import type { EncoderDtype, EncoderEntry } from '../core/encoders/registry.ts';
import { hubFileUrl } from '../core/encoders/registry.ts';
import {
  SOURCE_RECORD_FILE,
  UNKNOWN_COMMIT,
  checkServedCommit,
  commitNote,
  commitOf,
  oneCommit,
  parseSourceRecord,
  type ResolvedCommit,
} from '../core/encoders/revision.ts';
import type { ResolvedSource } from './encoder-loader.ts';

type TransformersEnv = (typeof import('@huggingface/transformers'))['env'];

/**
 * Sees every answer transformers.js fetches. The library takes no per-call fetch, so one wrapper
 * is installed on its `env` and the load in progress (a worker loads one encoder at a time)
 * listens through `fetchListener`.
 */
let fetchListener: ((url: string, response: Response) => void) | null = null;
let fetchWrapped = false;

export function listenToFetches(env: TransformersEnv): void {
  if (fetchWrapped) return;
  fetchWrapped = true;
  const base = env.fetch;
  env.fetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const response = (await base(input, init)) as Response;
    fetchListener?.(String(input), response);
    return response;
  };
}

/** The hub files a load reads: config.json and the weights of the chosen precision. */
function hubFilesOf(entry: EncoderEntry, dtype: EncoderDtype): string[] {
  return ['config.json', entry.files[dtype] ?? entry.files.fp32 ?? 'onnx/model.onnx'];
}

/** The commits that the Cache API copies of a hub load's files were answered with. */
async function cachedCommits(cacheName: string, urls: readonly string[]): Promise<(string | null)[]> {
  if (typeof caches === 'undefined') return [];
  try {
    const cache = await caches.open(cacheName);
    return await Promise.all(
      urls.map(async (url) => {
        const cached = await cache.match(url);
        return cached ? commitOf(cached.headers) : null;
      }),
    );
  } catch {
    return [];
  }
}

async function forgetCached(cacheName: string, urls: readonly string[]): Promise<void> {
  try {
    const cache = await caches.open(cacheName);
    await Promise.all(urls.map((url) => cache.delete(url)));
  } catch {
    // Nothing cached to remove.
  }
}

/**
 * The commit a self-hosted folder records in its `source.json` (written by `npm run models`),
 * or null: folders made before it, by hand, or by `npm run fixtures` record none.
 */
async function selfHostedCommit(source: Extract<ResolvedSource, { kind: 'self-hosted' }>): Promise<string | null> {
  try {
    const response = await fetch(`${source.localModelPath}${source.modelId}/${SOURCE_RECORD_FILE}`, { cache: 'no-store' });
    if (!response.ok) return null;
    const record = parseSourceRecord(await response.json());
    return record && record.commit !== UNKNOWN_COMMIT ? record.commit : null;
  } catch {
    return null;
  }
}

/** Watches a hub load: the first answer naming another commit than a pinned one stops it before the weights download. */
export function watchHubAnswers(entry: EncoderEntry, source: Extract<ResolvedSource, { kind: 'hub' }>): { served: (string | null)[]; mismatch: () => Error | null; stop: () => void } {
  const prefix = `${source.remoteHost.replace(/\/+$/, '')}/${source.modelId}/resolve/`;
  const served: (string | null)[] = [];
  let mismatch: Error | null = null;
  fetchListener = (url, response) => {
    if (!url.startsWith(prefix) || !response.ok) return;
    const commit = commitOf(response.headers);
    served.push(commit);
    try {
      checkServedCommit(entry.label, source.revision, commit, source.remoteHost);
    } catch (error) {
      mismatch = error as Error;
      throw error;
    }
  };
  return { served, mismatch: () => mismatch, stop: () => (fetchListener = null) };
}

/** The commit a loaded registry entry runs, checked against a pinned one; a sentence when they disagree. */
export async function resolvedCommit(entry: EncoderEntry, source: ResolvedSource, dtype: EncoderDtype, served: readonly (string | null)[], cacheName: string): Promise<ResolvedCommit> {
  if (source.kind === 'self-hosted') {
    const pinned = entry.source.kind === 'hub' ? entry.source.revision : '';
    const recorded = await selfHostedCommit(source);
    const where = `${source.localModelPath}${source.modelId}/`;
    // An unpinned self-hosted folder with no record is unknown; a pinned one is checked only against what the folder records.
    return recorded === null ? UNKNOWN_COMMIT : checkServedCommit(entry.label, pinned, recorded, where);
  }
  const urls = hubFilesOf(entry, dtype).map((file) => hubFileUrl(source.remoteHost, source.modelId, source.revision, file));
  const answers = [...served, ...(await cachedCommits(cacheName, urls))];
  const commits = answers.map((commit) => checkServedCommit(entry.label, source.revision, commit, source.remoteHost));
  try {
    return oneCommit(entry.label, commits);
  } catch (error) {
    await forgetCached(cacheName, urls);
    throw error;
  }
}

export function noteOf(entry: EncoderEntry, source: ResolvedSource, commit: ResolvedCommit): string {
  return source.kind === 'hub'
    ? commitNote(entry.label, commit, { kind: 'hub', where: source.remoteHost, revision: source.revision })
    : commitNote(entry.label, commit, { kind: 'self-hosted', where: `${source.localModelPath}${source.modelId}/` });
}
