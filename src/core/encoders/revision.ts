/**
 * Hub revisions and the commits they resolve to: the one place that says what a pinned commit
 * is, which commit a hub answer names (its `X-Repo-Commit` header), when a served commit
 * contradicts the requested one, and when stored embeddings may mix two commits of one branch.
 * The browser loader, `npm run models`, the page and the session file all use these rules.
 *
 * Embedding keys stay as they are (`hub:<repo>@main`): changing them would embed everything users
 * have again. A branch's resolved commit is therefore metadata, recorded beside the key; a commit
 * pinned in the registry is part of the key itself (`hub:<repo>@<40 hex>`).
 */
import type { EncoderEntry } from './registry.ts';

/** The header the hub answers every `/<repo>/resolve/<revision>/<file>` request with. */
export const COMMIT_HEADER = 'X-Repo-Commit';

/** What is recorded when no hub answer named the commit (self-hosted folders, mirrors without the header). */
export const UNKNOWN_COMMIT = 'unknown';

/** A 40-hex commit, or {@link UNKNOWN_COMMIT}. */
export type ResolvedCommit = string;

const COMMIT = /^[0-9a-f]{40}$/;
/** Branch and tag names as the hub's URLs carry them: no spaces, no `..`, no leading `/` or `-`. */
const REF_NAME = /^[A-Za-z0-9_][A-Za-z0-9._/-]*$/;

/** Whether `revision` is a full commit (40 lower-case hex digits), as opposed to a branch or tag. */
export function isCommit(revision: string): boolean {
  return COMMIT.test(revision);
}

/**
 * Reads a revision given by a person (`npm run models --revision`): a full commit (any case,
 * returned in lower case, as the hub writes it) or a branch or tag name. Short commits are
 * refused, since the hub does not resolve them and they would read as a branch name.
 */
export function parseRevision(text: string, where = '--revision'): string {
  const value = text.trim();
  if (/^[0-9a-fA-F]{40}$/.test(value)) return value.toLowerCase();
  if (/^[0-9a-fA-F]{7,39}$/.test(value)) {
    throw new Error(`${where} ${value} looks like a shortened commit; give all 40 hex digits of the commit (the hub does not resolve short ones).`);
  }
  if (!REF_NAME.test(value) || value.includes('..') || value.endsWith('/')) {
    throw new Error(`${where} "${text}" is neither a commit (40 hex digits) nor a branch or tag name; give one such as main or the full commit.`);
  }
  return value;
}

/** The commit a hub answer names, or null when it names none (or something that is not a commit). */
export function commitOf(headers: { get(name: string): string | null }): string | null {
  const value = headers.get(COMMIT_HEADER)?.trim().toLowerCase() ?? '';
  return isCommit(value) ? value : null;
}

/**
 * The commit to record for a load that asked for `requested` and was answered `served` (null:
 * no answer named one). Throws a sentence when a pinned commit was answered with another one;
 * a branch may resolve to any commit. With no answer, a pinned request is still that commit
 * (the hub's URL names it), and a branch is unknown: it is never guessed.
 */
export function checkServedCommit(label: string, requested: string, served: string | null, where: string): ResolvedCommit {
  if (served === null) return isCommit(requested) ? requested : UNKNOWN_COMMIT;
  if (isCommit(requested) && served !== requested) {
    throw new Error(
      `${label} is pinned to commit ${requested}, but ${where} served commit ${served}; check that the host is the Hugging Face hub or a faithful mirror, or fetch that commit again with \`npm run models\`.`,
    );
  }
  return served;
}

/**
 * The one commit a load's files came from. Two different commits mean the files were fetched
 * while the repository moved (an older file cached beside a newer one): refused with a sentence.
 */
export function oneCommit(label: string, commits: readonly ResolvedCommit[]): ResolvedCommit {
  const known = [...new Set(commits.filter((c) => c !== UNKNOWN_COMMIT))];
  if (known.length > 1) {
    throw new Error(
      `The files of ${label} come from two hub commits (${known.map(shortCommit).join(' and ')}): the repository changed between downloads. Its cached copies were removed; reload the page to download it again from one commit.`,
    );
  }
  return known[0] ?? UNKNOWN_COMMIT;
}

/** The first 12 digits of a commit, as sentences name it; other values as they are. */
export function shortCommit(commit: ResolvedCommit): string {
  return isCommit(commit) ? commit.slice(0, 12) : commit;
}

/** A copy of a hub entry pinned to `revision` (validated); what `npm run models --revision` downloads. */
export function withRevision(entry: EncoderEntry, revision: string): EncoderEntry {
  if (entry.source.kind !== 'hub') throw new Error(`${entry.id} does not come from the hub, so --revision does not apply to it.`);
  return { ...entry, source: { ...entry.source, revision: parseRevision(revision) } };
}

/** One sentence on which commit a loaded encoder runs, for status lines and tooltips. */
export function commitNote(label: string, commit: ResolvedCommit, from: { kind: 'hub' | 'self-hosted'; where: string; revision?: string }): string {
  if (commit === UNKNOWN_COMMIT) {
    return from.kind === 'hub'
      ? `${label}: ${from.where} did not say which commit "${from.revision ?? 'main'}" is, so the commit is recorded as unknown.`
      : `${label}: ${from.where} does not record which hub commit it holds, so the commit is recorded as unknown; \`npm run models\` records it when it downloads.`;
  }
  return `${label}: commit ${shortCommit(commit)} (from ${from.where}).`;
}

/**
 * `source.json`, written by `npm run models` into a downloaded folder: the repository, the
 * revision asked for and the commit the hub resolved it to, so a self-hosted copy still says
 * which weights it holds.
 */
export interface SourceRecord {
  repo: string;
  revision: string;
  commit: ResolvedCommit;
}

export const SOURCE_RECORD_FILE = 'source.json';

/** Reads a `source.json` value; null when it is not one (an older folder, a page the server made up). */
export function parseSourceRecord(value: unknown): SourceRecord | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<Record<keyof SourceRecord, unknown>>;
  if (typeof v.repo !== 'string' || typeof v.revision !== 'string' || typeof v.commit !== 'string') return null;
  if (v.commit !== UNKNOWN_COMMIT && !isCommit(v.commit)) return null;
  return { repo: v.repo, revision: v.revision, commit: v.commit };
}

/**
 * The commits seen per stored key, oldest first: `"<encoderId> <revisionKey>"` -> 40-hex commits.
 * Stored with the session, so a later visit can tell that a branch moved since the stored
 * embeddings were made.
 */
export type CommitLedger = Readonly<Record<string, readonly string[]>>;

export function ledgerKey(encoderId: string, revisionKey: string): string {
  return `${encoderId} ${revisionKey}`;
}

/** Keeps only well-formed ledger entries of an untrusted stored value. */
export function sanitiseLedger(value: unknown): CommitLedger {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, string[]> = {};
  for (const [key, commits] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(commits)) continue;
    const valid = commits.filter((c): c is string => typeof c === 'string' && isCommit(c));
    if (valid.length) out[key] = [...new Set(valid)];
  }
  return out;
}

/**
 * Records that `encoderId` under `revisionKey` loaded `commit`. Returns the new ledger and, when
 * this commit is not the latest one seen (the branch moved since, or moved back), the other
 * commits seen; empty otherwise, so the move is said once. An unknown commit records nothing: it
 * can neither confirm nor contradict what was seen.
 */
export function noteCommit(ledger: CommitLedger, encoderId: string, revisionKey: string, commit: ResolvedCommit): { ledger: CommitLedger; earlier: string[] } {
  const key = ledgerKey(encoderId, revisionKey);
  const seen = ledger[key] ?? [];
  if (!isCommit(commit) || seen.at(-1) === commit) return { ledger, earlier: [] };
  const earlier = seen.filter((c) => c !== commit);
  return { ledger: { ...ledger, [key]: [...earlier, commit] }, earlier };
}

/**
 * What an export says about the commit behind `revisionKey`: the loaded encoder's commit when it
 * is loaded, else the latest one seen, else unknown; and the other commits seen, when any.
 */
export function commitRecordOf(ledger: CommitLedger, encoderId: string, revisionKey: string, loaded?: ResolvedCommit): { commit: ResolvedCommit; earlierCommits?: string[] } {
  const seen = ledger[ledgerKey(encoderId, revisionKey)] ?? [];
  const commit = loaded ?? seen.at(-1) ?? UNKNOWN_COMMIT;
  const earlier = seen.filter((c) => c !== commit);
  return earlier.length ? { commit, earlierCommits: earlier } : { commit };
}

/** What the app says when a branch resolved to another commit than the one stored embeddings may come from. */
export function commitDriftSentence(entry: Pick<EncoderEntry, 'id' | 'label'>, revisionKey: string, earlier: readonly string[], current: string): string {
  const before = earlier.map(shortCommit).join(' and ');
  return `${entry.label} now loads commit ${shortCommit(current)}, but embeddings stored under ${revisionKey} may come from commit ${before}: the repository moved, so similarities may mix two versions of the weights. To keep the earlier weights, run \`npm run models -- ${entry.id} --revision ${earlier.at(-1) ?? ''}\` and reload; the session file records every commit seen.`;
}
