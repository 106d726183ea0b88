/**
 * Runs the durable job queue: claim a batch per encoder, embed it in that encoder's worker, and
 * complete it in one transaction (embeddings and job states together), so a reload or a killed
 * worker never loses or repeats work.
 *
 * A worker that dies mid-batch (crash, termination, missed heartbeat) did not embed the batch: its
 * jobs are released (pending again, untried), the encoder is loaded in a fresh worker and the
 * loop claims them again, so nothing is skipped and nothing is embedded twice. Only an encoder
 * that keeps dying (`MAX_RESTARTS` times in a row, e.g. an image that exhausts its memory every time)
 * marks its batch failed, with the sentence.
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
import { WorkerStoppedError } from '../workers/worker-connection.ts';

/** Images per encoder batch, for every caller of the queue. */
export const EMBED_BATCH = 8;

/** Worker restarts in a row (no batch finished between them) before a batch is failed. */
export const MAX_RESTARTS = 3;

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

/** Embeds every claimable pending job with each loaded encoder, in batches; returns how many page-held images it was given. */
export async function embedPending(
  store: Store,
  encoders: EncoderClient[],
  pixels: Map<string, RgbImage>,
  batchSize: number,
  isCancelled: () => boolean,
  readKept: KeptPixelsReader = readKeptPixels,
): Promise<number> {
  const hasPixels = (sha256: string) => pixels.has(sha256);
  // Settled, not Promise.all: one encoder's failure must not leave the other running unawaited.
  const outcomes = await Promise.allSettled(
    encoders.map(async (encoder) => {
      // An encoder whose worker died between batches is loaded again here, not skipped.
      const loaded = await encoder.ready();
      if (!loaded) return;
      let restarts = 0;
      for (;;) {
        if (isCancelled()) return;
        // Claims jobs whose pixels this page holds, and jobs whose item has a kept original.
        const claimed = await store.jobs.claimBatch(batchSize, { encoderId: loaded.entry.id, revision: loaded.revisionKey, hasPixels });
        // Claimed jobs always carry their auto-increment key.
        const jobs = claimed.map((job) => ({ id: job.id as number, sha256: job.sha256 }));
        if (jobs.length === 0) return;
        let handedOver: number[] = [];
        try {
          const images = await pixelsFor(store, jobs, pixels, readKept);
          const runnable = jobs.filter((job) => typeof images.get(job.sha256) === 'object');
          for (const job of jobs) {
            const image = images.get(job.sha256);
            if (typeof image === 'string' || image === undefined) await store.jobs.fail(job.id, image ?? 'This image could not be read again; add the file again.');
          }
          if (runnable.length === 0) continue;
          handedOver = runnable.map((job) => job.id);
          const outcome = await encoder.embed(runnable.map((job) => ({ id: String(job.id), image: images.get(job.sha256) as RgbImage })));
          const results = outcome.embeddings.map((e) => ({ jobId: Number(e.id), vector: e.embedding }));
          await store.jobs.complete(results);
          restarts = 0;
          const finished = new Set(results.map((r) => r.jobId));
          const unfinished = runnable.filter((job) => !finished.has(job.id)).map((job) => job.id);
          if (unfinished.length) await store.jobs.release(unfinished);
          if (outcome.status === 'cancelled') return;
        } catch (error) {
          // Jobs never handed to the encoder (the read failed) or handed to a worker that died
          // did not run: they go back to pending. Only the encoder's own error fails them.
          const ids = jobs.map((job) => job.id);
          if (error instanceof WorkerStoppedError) {
            if (!error.crashed || isCancelled()) {
              // Stopped on purpose (cancel, another encoder, the page going away): left for resume.
              await store.jobs.release(ids);
              return;
            }
            if (restarts < MAX_RESTARTS) {
              await store.jobs.release(ids);
              restarts++;
              await encoder.reload();
              continue;
            }
            // The encoder keeps dying on this batch: fail it with the sentence (retryFailed queues it).
            for (const id of handedOver) await store.jobs.fail(id, messageOf(error));
            throw error;
          }
          const tried = new Set(handedOver);
          await store.jobs.release(ids.filter((id) => !tried.has(id)));
          for (const id of tried) await store.jobs.fail(id, messageOf(error));
          throw error;
        }
      }
    }),
  );
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
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
