/**
 * Runs the durable job queue: claim a batch per encoder, embed it in that encoder's worker, and
 * complete it in one transaction (embeddings and job states together), so a reload or a killed
 * worker never loses or repeats work.
 *
 * Pixels come from the files this page holds (`pixels`) or, for any other claimed job, from the
 * item's kept original, read again through the ingest worker (same decoder and RGB conversion as
 * at ingest) with the item's chosen DICOM frame. Kept pixels live for one batch only.
 */
import type { ItemRecord, Store } from '../store/index.ts';
import type { RgbImage } from '../core/image.ts';
import { runIngest } from '../workers/ingest.client.ts';
import type { WorkerIngestResult, WorkerItem } from '../workers/ingest.protocol.ts';
import type { EncoderClient } from '../workers/encoder.client.svelte.ts';
import { messageOf } from '../core/errors.ts';

/** Images per encoder batch, for every caller of the queue. */
export const EMBED_BATCH = 8;

/** A kept original read again: its full-size pixels and what ingest made of it. */
export interface KeptRead {
  rgb: RgbImage;
  read: WorkerItem;
}

/** Full-size RGB pixels of kept originals, or the reason an item could not be read. */
export type KeptPixelsReader = (items: readonly ItemRecord[]) => Promise<Map<string, RgbImage | string>>;

/** The DICOM frame chosen for each item that has one, as the ingest worker takes them. */
export function frameIndexesOf(items: Iterable<ItemRecord>): Record<string, number> {
  const frames: Record<string, number> = {};
  for (const item of items) if (item.frameIndex !== undefined) frames[item.sha256] = item.frameIndex;
  return frames;
}

/** What re-reading the kept original of item `sha256` gave: its pixels, or the reason in a sentence. */
function keptOutcome(result: WorkerIngestResult, sha256: string): KeptRead | string {
  if (!result.ok) return result.error.reason;
  if (result.item.sha256 !== sha256 || !result.rgb) return 'The kept original of this image no longer matches it; add the file again.';
  return { rgb: result.rgb, read: result.item };
}

/**
 * Reads one item's kept original again through the ingest worker (same decoder and RGB
 * conversion as at ingest) with `frameIndex`, by default the item's chosen frame.
 */
export async function readKeptOriginal(item: ItemRecord, frameIndex = item.frameIndex): Promise<KeptRead | string> {
  if (!item.original) return 'The original of this image is no longer kept in this browser; add the file again.';
  let outcome: KeptRead | string = 'This image could not be read again; add the file again.';
  await runIngest([new File([item.original], item.name)], { onResult: (result) => void (outcome = keptOutcome(result, item.sha256)) }, { keepRgb: true, frameIndex }).finished;
  return outcome;
}

/** Reads kept originals through the ingest worker in one run, honouring each item's chosen frame. */
export async function readKeptPixels(items: readonly ItemRecord[]): Promise<Map<string, RgbImage | string>> {
  const kept = items.filter((item) => item.original);
  const out = new Map<string, RgbImage | string>();
  for (const item of items) if (!item.original) out.set(item.sha256, 'The original of this image is no longer kept in this browser; add the file again.');
  if (kept.length === 0) return out;
  const files = kept.map((item) => new File([item.original!], item.name));
  await runIngest(
    files,
    {
      onResult: (result, index) => {
        const outcome = keptOutcome(result, kept[index].sha256);
        out.set(kept[index].sha256, typeof outcome === 'string' ? outcome : outcome.rgb);
      },
    },
    { keepRgb: true, frameIndexes: frameIndexesOf(kept) },
  ).finished;
  return out;
}

export async function embedPending(
  store: Store,
  encoders: EncoderClient[],
  pixels: Map<string, RgbImage>,
  batchSize: number,
  isCancelled: () => boolean,
  readKept: KeptPixelsReader = readKeptPixels,
): Promise<number> {
  const hasPixels = (sha256: string) => pixels.has(sha256);
  await Promise.all(
    encoders.map(async (encoder) => {
      const loaded = encoder.loaded;
      if (!loaded) return;
      for (;;) {
        if (isCancelled()) return;
        // Claims jobs whose pixels this page holds, and jobs whose item has a kept original.
        const claimed = await store.jobs.claimBatch(batchSize, { encoderId: loaded.entry.id, revision: loaded.revisionKey, hasPixels });
        // Claimed jobs always carry their auto-increment key.
        const jobs = claimed.map((job) => ({ id: job.id as number, sha256: job.sha256 }));
        if (jobs.length === 0) return;
        try {
          const images = await pixelsFor(store, jobs, pixels, readKept);
          const runnable = jobs.filter((job) => typeof images.get(job.sha256) === 'object');
          for (const job of jobs) {
            const image = images.get(job.sha256);
            if (typeof image === 'string' || image === undefined) await store.jobs.fail(job.id, image ?? 'This image could not be read again; add the file again.');
          }
          if (runnable.length === 0) continue;
          const outcome = await encoder.embed(runnable.map((job) => ({ id: String(job.id), image: images.get(job.sha256) as RgbImage })));
          const results = outcome.embeddings.map((e) => ({ jobId: Number(e.id), vector: e.embedding }));
          await store.jobs.complete(results);
          const finished = new Set(results.map((r) => r.jobId));
          const unfinished = runnable.filter((job) => !finished.has(job.id)).map((job) => job.id);
          if (unfinished.length) await store.jobs.release(unfinished);
          if (outcome.status === 'cancelled') return;
        } catch (error) {
          const reason = messageOf(error);
          for (const job of jobs) await store.jobs.fail(job.id, reason);
          throw error;
        }
      }
    }),
  );
  return pixels.size;
}

/** The pixels of each claimed job: held by the page, else read from the kept original. */
async function pixelsFor(
  store: Store,
  jobs: readonly { sha256: string }[],
  pixels: Map<string, RgbImage>,
  readKept: KeptPixelsReader,
): Promise<Map<string, RgbImage | string>> {
  const images = new Map<string, RgbImage | string>();
  const missing: string[] = [];
  for (const { sha256 } of jobs) {
    const held = pixels.get(sha256);
    if (held) images.set(sha256, held);
    else if (!missing.includes(sha256)) missing.push(sha256);
  }
  if (missing.length === 0) return images;
  const items = (await store.items.getMany(missing)).filter((item): item is ItemRecord => item !== undefined);
  for (const [sha256, image] of await readKept(items)) images.set(sha256, image);
  return images;
}
