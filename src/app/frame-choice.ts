/**
 * Choosing another frame of a multi-frame DICOM item. Ingest shows and embeds the middle frame;
 * the user may pick another. The stored embeddings then describe the wrong pixels, so a change:
 *
 * 1. reads the kept original again through the ingest worker with the new frame (nothing is
 *    changed if that fails),
 * 2. in one store transaction sets the frame, its thumbnail and summary, removes every stored
 *    embedding of the item (all encoders) with the snapshots and candidate sets that held it,
 *    and queues a pending job per encoder revision (`ItemsTable.changeFrame`),
 * 3. embeds the new frame through the durable queue (a reload before this finishes leaves the
 *    jobs pending; the queue reads the kept original with the chosen frame when it resumes).
 *
 * The caller then reloads its items and re-mines. Decisions, captions and other items are untouched.
 */
import type { DicomSummary, ItemRecord, Store } from '../store/index.ts';
import type { EncoderTarget, FrameChangeReport } from '../store/items.ts';
import type { EncoderPair } from './encoders.svelte.ts';
import { EMBED_BATCH, embedPending, readKeptOriginal } from './embed-queue.ts';
import type { ThumbnailUrls } from './thumbnails.ts';

export const FRAME_NEEDS_ORIGINAL =
  'Choosing another frame needs the original file: turn on "Keep images in this browser" and add this file again.';

/** What the frame control shows for an item; null when the item has one frame (or is not DICOM). */
export interface FrameControlState {
  /** Number of frames in the file. */
  frames: number;
  /** 0-based frame shown and embedded now. */
  frameIndex: number;
  /** Why the frame cannot be changed (a sentence), or '' when it can. */
  blocked: string;
}

export function frameControlState(item: ItemRecord | undefined): FrameControlState | null {
  const frames = Number(item?.dicom?.frames ?? 1);
  if (!item || item.kind !== 'dicom' || !Number.isInteger(frames) || frames < 2) return null;
  const frameIndex = item.frameIndex ?? Number(item.dicom?.frameIndex ?? Math.floor(frames / 2));
  return { frames, frameIndex, blocked: item.original ? '' : FRAME_NEEDS_ORIGINAL };
}

/** What a frame change needs from the app (the composition root passes it). */
export interface FrameChoiceHost {
  store: Store | null;
  encoders: EncoderPair;
  thumbnails: ThumbnailUrls;
}

export interface FrameChoiceReport extends FrameChangeReport {
  /** False when the frame was already the chosen one (nothing changed). */
  changed: boolean;
  /** Whether the new frame was embedded now (false: its jobs wait in the queue). */
  embedded: boolean;
}

/**
 * Shows and embeds frame `frameIndex` (0-based) of a multi-frame DICOM item; see the module
 * note. Throws an Error with a sentence for the user when the frame cannot be changed.
 */
/** What the app tells the viewer after a frame change. */
export interface FrameChoiceOutcome {
  /** Whether the pair open before the change is still listed (null when none was open). */
  pairStillListed: boolean | null;
}

/** The viewer's confirmation of a frame change. */
export function describeFrameChoice(frameIndex: number, outcome: FrameChoiceOutcome | void): string {
  const done = `Frame ${frameIndex + 1} is now shown and embedded; the pairs were mined again.`;
  if (!outcome || outcome.pairStillListed === null) return done;
  return outcome.pairStillListed
    ? `${done} This pair is still listed and stays open.`
    : `${done} With this frame the pair is no longer within the thresholds, so the viewer shows the pair now in its place; lower the CLIP threshold or raise the DINOv2 one to see it again.`;
}

export async function chooseFrame(
  host: FrameChoiceHost,
  sha256: string,
  frameIndex: number,
  isCancelled: () => boolean = () => false,
): Promise<FrameChoiceReport> {
  const store = host.store;
  if (!store) throw new Error('The store is not open yet; wait for the app to finish loading.');
  const item = await store.items.get(sha256);
  const control = frameControlState(item);
  if (!item || !control) throw new Error('This image has a single frame; there is no other frame to choose.');
  if (control.blocked) throw new Error(control.blocked);
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= control.frames) {
    throw new Error(`Pick a frame from 1 to ${control.frames}.`);
  }
  if (frameIndex === control.frameIndex) return { changed: false, embedded: false, removedEmbeddings: 0, queued: [] };

  const outcome = await readKeptOriginal(item, frameIndex);
  if (typeof outcome === 'string') throw new Error(outcome);
  const { rgb, read } = outcome;
  const targets = encoderTargets(host);
  const report = await store.items.changeFrame(
    sha256,
    { frameIndex, thumbnail: read.thumbnail, ...(read.dicom ? { dicom: read.dicom as DicomSummary } : {}) },
    targets,
  );
  if (!report) throw new Error('This image is no longer stored; add it again.');
  host.thumbnails.forget(sha256);

  const encoders = host.encoders.both;
  if (!encoders.every((e) => e.loaded) && !(await host.encoders.load())) return { ...report, changed: true, embedded: false };
  await embedPending(store, encoders, new Map([[sha256, rgb]]), EMBED_BATCH, isCancelled);
  return { ...report, changed: true, embedded: true };
}

/** The encoder revisions of the session, as jobs are keyed; those whose revision is unknown are left out. */
function encoderTargets(host: FrameChoiceHost): EncoderTarget[] {
  const targets: EncoderTarget[] = [];
  for (const encoder of host.encoders.both) {
    const loaded = encoder.loaded;
    if (loaded) targets.push({ encoderId: loaded.entry.id, revision: loaded.revisionKey });
  }
  const keys = host.encoders.keys();
  if (keys) {
    for (const [encoderId, revision] of [[keys.clipId, keys.clipRevision], [keys.dinoId, keys.dinoRevision]]) {
      if (!targets.some((t) => t.encoderId === encoderId)) targets.push({ encoderId, revision });
    }
  }
  return targets;
}
