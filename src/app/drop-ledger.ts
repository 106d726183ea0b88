/**
 * Rules over the drop ledger (src/store/drops.ts) that the page applies: which of the files a
 * user picks again are still to read, and the sidebar's account of every dropped file.
 */
import type { DropCounts, DropRecord } from '../store/index.ts';
import { formatCount, plural } from '../core/words.ts';

/** An item whose embedding waits for its file (pixels not kept), as `jobs.pixelSources` names it. */
export interface RedropEntry {
  sha256: string;
  name: string;
  relativePath: string;
}

export interface ReadAgainChoice {
  /** The files to read: still to read, or holding the pixels of an item that waits for them. */
  toRead: File[];
  /** Chosen files the ledger already settled (stored, duplicate or skipped), left alone. */
  alreadyDone: number;
}

/** The name, size and time of a file: the same file even when picked from another folder level. */
const fileIdentity = (f: { name: string; size: number; lastModified: number }): string => `${f.name}|${f.size}|${f.lastModified}`;

/**
 * Of the files a user picks to finish earlier work, the ones worth reading: those the ledger
 * still lists as waiting, and those named like an item whose embedding waits for its pixels (the
 * hash decides whether it is that item). Everything else the ledger settled is not read again.
 */
export function chooseFilesToReadAgain(files: readonly File[], waiting: readonly DropRecord[], redrop: readonly RedropEntry[]): ReadAgainChoice {
  const waitingIds = new Set(waiting.map(fileIdentity));
  const redropNames = new Set(redrop.map((r) => r.name));
  const toRead = files.filter((f) => waitingIds.has(fileIdentity(f)) || redropNames.has(f.name));
  return { toRead, alreadyDone: files.length - toRead.length };
}

/** "300 files dropped: 290 images · 3 duplicates · 5 skipped · 2 still to read" ('' before any drop). */
export function describeDrops(counts: DropCounts): string {
  if (counts.dropped === 0) return '';
  const parts = [plural(counts.stored, 'image', 'images')];
  if (counts.duplicate) parts.push(plural(counts.duplicate, 'duplicate', 'duplicates'));
  if (counts.skipped) parts.push(`${formatCount(counts.skipped)} skipped`);
  if (counts.waiting) parts.push(`${formatCount(counts.waiting)} still to read`);
  return `${plural(counts.dropped, 'file', 'files')} dropped: ${parts.join(' · ')}`;
}

/** "3 files are the same image as another file: kept once." for the duplicates one drop found. */
export function duplicatesSentence(count: number): string {
  if (count <= 0) return '';
  return count === 1
    ? '1 file is the same image as another file: kept once.'
    : `${formatCount(count)} files are the same image as other files: kept once.`;
}

/** "Reading 257 of the 5,000 files chosen; the other 4,743 are already stored or listed." */
export function readAgainSentence(choice: ReadAgainChoice): string {
  const total = choice.toRead.length + choice.alreadyDone;
  if (choice.toRead.length === 0) return total === 1 ? 'The file chosen was read before.' : `None of the ${formatCount(total)} files chosen is still to read.`;
  if (choice.alreadyDone === 0) return '';
  return `Reading ${formatCount(choice.toRead.length)} of the ${plural(total, 'file', 'files')} chosen; the other ${formatCount(choice.alreadyDone)} were read before.`;
}
