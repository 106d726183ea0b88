/**
 * The two encoders as a pair: the CLIP-side and DINO-side clients, loaded together for the ids
 * the session names, and the revision keys their embeddings are stored under.
 */
import { ENCODER_OFFLINE, encoderRevisionKey, findEncoder, offlineSentence, type EncoderDtype } from '../core/encoders/registry.ts';
import { commitDriftSentence, commitRecordOf, noteCommit, type ResolvedCommit } from '../core/encoders/revision.ts';
import { messageOf } from '../core/errors.ts';
import { EncoderClient } from '../workers/encoder.client.svelte.ts';
import type { SessionState } from './session.svelte.ts';
import { EMBED_BATCH } from './embed-queue.ts';

/** The revision part of the embedding key for a registry id (null for unknown ids). */
export function revisionKeyOf(encoderId: string, dtype: EncoderDtype = 'fp32'): string | null {
  const entry = findEncoder(encoderId);
  return entry ? encoderRevisionKey(entry, dtype) : null;
}

export interface EncoderKeys {
  clipId: string;
  clipRevision: string;
  dinoId: string;
  dinoRevision: string;
}

export class EncoderPair {
  readonly clip: EncoderClient;
  readonly dino: EncoderClient;
  /** Why the chosen encoders could not be loaded (a sentence), or ''. */
  problem = $state('');
  /** The last load failed for want of a network (the app tries again when it returns). */
  offline = $state(false);
  /** A sentence when an encoder's branch now resolves to another commit than stored embeddings may come from, or ''. */
  notice = $state('');

  constructor(
    private readonly session: SessionState,
    onCrash: (sentence: string) => void,
    /** Whether the browser says it is online (injected so Node tests can answer). */
    private readonly online: () => boolean = () => typeof navigator === 'undefined' || navigator.onLine,
  ) {
    this.clip = new EncoderClient('clip', onCrash);
    this.dino = new EncoderClient('dino', onCrash);
  }

  get both(): EncoderClient[] {
    return [this.clip, this.dino];
  }

  /** Ids and revision keys of the chosen encoders; null when an id is not in the registry. */
  keys(): EncoderKeys | null {
    const { clipEncoderId: clipId, dinoEncoderId: dinoId } = this.session;
    const dtype = this.session.precision;
    const clipRevision = revisionKeyOf(clipId, dtype);
    const dinoRevision = revisionKeyOf(dinoId, dtype);
    return clipRevision && dinoRevision ? { clipId, clipRevision, dinoId, dinoRevision } : null;
  }

  /** Loads both chosen encoders (download with progress); false with `problem` set when one failed. */
  async load(): Promise<boolean> {
    const options = { backend: this.session.backendPreference, batchSize: EMBED_BATCH, dtype: this.session.precision };
    const results = await Promise.allSettled([this.clip.load(this.session.clipEncoderId, options), this.dino.load(this.session.dinoEncoderId, options)]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    // Offline (the browser says so, or the files could not be fetched at all), a failure reads
    // as a missing file: say what is really wrong and that the work waits for the network. Any
    // other failure (an encoder that must be converted first) is said first: it needs the user.
    const offline = results.map((r) => r.status === 'rejected' && (!this.online() || (r.reason as { name?: string } | null)?.name === ENCODER_OFFLINE));
    this.offline = offline.some(Boolean);
    const other = results.find((r, i): r is PromiseRejectedResult => r.status === 'rejected' && !offline[i]);
    const offlineIds = [this.session.clipEncoderId, this.session.dinoEncoderId].filter((_, i) => offline[i]);
    this.problem = [other ? messageOf(other.reason) : '', offlineIds.length ? offlineSentence(offlineIds.map((id) => findEncoder(id)?.label ?? id)) : '']
      .filter(Boolean)
      .join(' ');
    this.noteCommits();
    return !failed;
  }

  /** Records the commits the loaded encoders run in the session's ledger, and says when a branch moved (called after each load). */
  noteCommits(): void {
    const moved: string[] = [];
    for (const client of this.both) {
      const loaded = client.loaded;
      if (!loaded?.commit) continue;
      const { ledger, earlier } = noteCommit(this.session.hubCommits, loaded.entry.id, loaded.revisionKey, loaded.commit);
      this.session.hubCommits = ledger;
      if (earlier.length) moved.push(commitDriftSentence(loaded.entry, loaded.revisionKey, earlier, loaded.commit));
    }
    this.notice = moved.join(' ');
  }

  /** The commit behind a revision key, as the session file and provenance record it. */
  commitOf(encoderId: string, revisionKey: string): { commit: ResolvedCommit; earlierCommits?: string[] } {
    const loaded = this.both.map((c) => c.loaded).find((l) => l?.entry.id === encoderId && l.revisionKey === revisionKey);
    return commitRecordOf(this.session.hubCommits, encoderId, revisionKey, loaded?.commit);
  }

  cancel(): void {
    this.clip.cancel();
    this.dino.cancel();
  }
}
