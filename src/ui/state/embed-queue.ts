/**
 * Runs the durable job queue for the images whose pixels this page holds: claim a batch per
 * encoder, embed it in that encoder's worker, and complete it in one transaction (embeddings
 * and job states together), so a reload or a killed worker never loses or repeats work.
 */
import type { Store } from '../../store/index.ts';
import type { RgbImage } from '../../core/image.ts';
import type { EncoderClient } from './encoder-client.svelte.ts';

export async function embedPending(
  store: Store,
  encoders: EncoderClient[],
  pixels: Map<string, RgbImage>,
  batchSize: number,
  isCancelled: () => boolean,
): Promise<number> {
  if (pixels.size === 0) return 0;
  const hasPixels = (sha256: string) => pixels.has(sha256);
  await Promise.all(
    encoders.map(async (encoder) => {
      const loaded = encoder.loaded;
      if (!loaded) return;
      for (;;) {
        if (isCancelled()) return;
        const claimed = await store.jobs.claimBatch(batchSize, { encoderId: loaded.entry.id, revision: loaded.revisionKey, hasPixels });
        // Claimed jobs always carry their auto-increment key.
        const jobs = claimed.map((job) => ({ id: job.id as number, sha256: job.sha256 }));
        if (jobs.length === 0) return;
        try {
          const outcome = await encoder.embed(jobs.map((job) => ({ id: String(job.id), image: pixels.get(job.sha256)! })));
          const results = outcome.embeddings.map((e) => ({ jobId: Number(e.id), vector: e.embedding }));
          await store.jobs.complete(results);
          const finished = new Set(results.map((r) => r.jobId));
          const unfinished = jobs.filter((job) => !finished.has(job.id)).map((job) => job.id);
          if (unfinished.length) await store.jobs.release(unfinished);
          if (outcome.status === 'cancelled') return;
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          for (const job of jobs) await store.jobs.fail(job.id, reason);
          throw error;
        }
      }
    }),
  );
  return pixels.size;
}
