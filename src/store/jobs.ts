/**
 * The durable embedding job queue: at most one job per (sha256, encoderId, revision).
 *
 * Life of a job: `enqueue` -> pending -> `claimBatch` -> running -> `complete` -> done (the
 * embedding and the state change commit in one transaction) or `fail` -> failed. A tab reload or
 * a killed worker leaves jobs running; `recoverInterrupted()` at startup (before any worker
 * claims) turns them back into pending, and since completing is atomic and embeddings are keyed
 * by target, nothing is lost and nothing is embedded twice.
 *
 * Pixels to resume with: an item's `original` when the user kept images in this browser, else
 * the file from the current session. `pixelSources()` sorts the pending work into those two and
 * `needRedrop`: items whose bytes are gone, for which the app asks the user to drop the files again
 * (ingest hashes them, finds the known items, and the pending jobs run with the new pixels).
 */
import type { Connection } from './db.ts';
import { embeddingRecord, matrixKey } from './embeddings.ts';
import type { JobRecord, JobState } from './schema.ts';

export interface EnqueueReport {
  /** New pending jobs. */
  added: number;
  /** Done jobs whose embedding was since removed, pending again. */
  requeued: number;
  alreadyEmbedded: number;
  /** Already pending or running. */
  alreadyQueued: number;
  /** Failed before and left alone; `retryFailed` queues them again. */
  previouslyFailed: number;
}

export interface JobResult {
  jobId: number;
  /** The embedding; normalised by the store. */
  vector: Float32Array;
}

export interface CompleteReport {
  /** Jobs marked done with their embedding written. */
  completed: number;
  /** Results for jobs already done (their embedding was kept). */
  alreadyDone: number;
  /** Results for jobs that no longer exist (the item was deleted meanwhile). */
  unknown: number;
}

export type JobCounts = Record<JobState, number>;

export interface ClaimOptions {
  encoderId: string;
  revision: string;
  /**
   * Whether this session holds the pixels of an item (a file dropped in this session). When
   * given, only jobs whose item has a kept `original` or for which this returns true are claimed.
   */
  hasPixels?: (sha256: string) => boolean;
}

/** Where the pixels for pending jobs come from. */
export interface PixelSources {
  /** Items with a kept original in the store. */
  fromStore: string[];
  /** Items whose file this session holds (per `hasPixels`). */
  fromSession: string[];
  /** Items whose bytes are gone: ask the user to drop these files again. */
  needRedrop: Array<{ sha256: string; name: string; relativePath: string }>;
  /** Pending jobs whose item no longer exists (harmless; `items.delete` normally removes them). */
  orphaned: string[];
}

/** Access to the `jobs` object store. */
export class JobsTable {
  constructor(private readonly connection: () => Connection) {}

  /** Queues embedding of these items, skipping any that are embedded or queued already. */
  enqueue(hashes: readonly string[], encoderId: string, revision: string): Promise<EnqueueReport> {
    const unique = [...new Set(hashes)];
    return this.connection().write(['jobs', 'embeddings'], async (tx) => {
      const report: EnqueueReport = { added: 0, requeued: 0, alreadyEmbedded: 0, alreadyQueued: 0, previouslyFailed: 0 };
      const jobs = tx.objectStore('jobs');
      const now = Date.now();
      for (const sha256 of unique) {
        if ((await tx.objectStore('embeddings').getKey([sha256, encoderId, revision])) !== undefined) {
          report.alreadyEmbedded++;
          continue;
        }
        const job = await jobs.index('byTarget').get([sha256, encoderId, revision]);
        if (!job) {
          await jobs.add({ sha256, encoderId, revision, state: 'pending', attempts: 0, updatedAt: now });
          report.added++;
        } else if (job.state === 'done') {
          await jobs.put({ ...job, state: 'pending', updatedAt: now });
          report.requeued++;
        } else if (job.state === 'failed') {
          report.previouslyFailed++;
        } else {
          report.alreadyQueued++;
        }
      }
      return report;
    });
  }

  /** Marks up to `n` pending jobs of one encoder revision running (oldest first) and returns them. */
  claimBatch(n: number, options: ClaimOptions): Promise<JobRecord[]> {
    const { encoderId, revision, hasPixels } = options;
    return this.connection().write(['jobs', 'items'], async (tx) => {
      const claimed: JobRecord[] = [];
      const now = Date.now();
      let cursor = await tx.objectStore('jobs').index('byClaim').openCursor(['pending', encoderId, revision]);
      while (cursor && claimed.length < n) {
        const job = cursor.value;
        let runnable = true;
        if (hasPixels && !hasPixels(job.sha256)) {
          const item = await tx.objectStore('items').get(job.sha256);
          runnable = item?.original !== undefined;
        }
        if (runnable) {
          const running: JobRecord = { ...job, state: 'running', attempts: job.attempts + 1, updatedAt: now };
          await cursor.update(running);
          claimed.push(running);
        }
        cursor = await cursor.continue();
      }
      return claimed;
    });
  }

  /** Writes the embeddings and marks their jobs done, all in one transaction. */
  complete(results: readonly JobResult[]): Promise<CompleteReport> {
    return this.connection().write(['jobs', 'embeddings', 'matrices'], async (tx) => {
      const report: CompleteReport = { completed: 0, alreadyDone: 0, unknown: 0 };
      const jobs = tx.objectStore('jobs');
      const now = Date.now();
      for (const { jobId, vector } of results) {
        const job = await jobs.get(jobId);
        if (!job) {
          report.unknown++;
        } else if (job.state === 'done') {
          report.alreadyDone++;
        } else {
          await tx.objectStore('embeddings').put(embeddingRecord(job.sha256, job.encoderId, job.revision, vector));
          await tx.objectStore('matrices').delete(matrixKey(job.encoderId, job.revision));
          const { error: _cleared, ...rest } = job;
          await jobs.put({ ...rest, state: 'done', updatedAt: now });
          report.completed++;
        }
      }
      return report;
    });
  }

  /** Marks a job failed with its reason (a sentence the user can read). Returns false if unknown. */
  fail(jobId: number, reason: string): Promise<boolean> {
    return this.setState([jobId], 'failed', (job) => job.state !== 'done', reason).then((n) => n === 1);
  }

  /** Hands running jobs back untried (e.g. the worker stopped before starting them). */
  release(jobIds: readonly number[]): Promise<number> {
    return this.setState(jobIds, 'pending', (job) => job.state === 'running', undefined, -1);
  }

  /**
   * Turns jobs left running by a reload or a killed worker back into pending. Call once at
   * startup, before any worker claims; returns how many were recovered.
   */
  recoverInterrupted(): Promise<number> {
    return this.moveAll('running', 'pending');
  }

  /** Queues failed jobs again; returns how many. */
  retryFailed(): Promise<number> {
    return this.moveAll('failed', 'pending');
  }

  /** Number of jobs in each state, for all encoders or one revision. */
  async counts(encoderId?: string, revision?: string): Promise<JobCounts> {
    const states: JobState[] = ['pending', 'running', 'done', 'failed'];
    const values = await this.connection().read(['jobs'], (tx) =>
      Promise.all(
        states.map((state) =>
          encoderId === undefined || revision === undefined
            ? tx.objectStore('jobs').index('byState').count(state)
            : tx.objectStore('jobs').index('byClaim').count([state, encoderId, revision]),
        ),
      ),
    );
    return { pending: values[0], running: values[1], done: values[2], failed: values[3] };
  }

  /** Jobs in one state, oldest first. */
  list(state: JobState): Promise<JobRecord[]> {
    return this.connection().get((db) => db.getAllFromIndex('jobs', 'byState', state));
  }

  /** Sorts the items of pending jobs by where their pixels can come from (see the module note). */
  pixelSources(hasPixels: (sha256: string) => boolean = () => false): Promise<PixelSources> {
    return this.connection().read(['jobs', 'items'], async (tx) => {
      const sources: PixelSources = { fromStore: [], fromSession: [], needRedrop: [], orphaned: [] };
      const pending = await tx.objectStore('jobs').index('byState').getAll('pending');
      for (const sha256 of new Set(pending.map((job) => job.sha256))) {
        const item = await tx.objectStore('items').get(sha256);
        if (!item) sources.orphaned.push(sha256);
        else if (item.original) sources.fromStore.push(sha256);
        else if (hasPixels(sha256)) sources.fromSession.push(sha256);
        else sources.needRedrop.push({ sha256, name: item.name, relativePath: item.relativePath });
      }
      return sources;
    });
  }

  /** Removes done jobs (their embeddings stay); returns how many. */
  pruneDone(): Promise<number> {
    return this.connection().write(['jobs'], async (tx) => {
      let removed = 0;
      let cursor = await tx.objectStore('jobs').index('byState').openCursor('done');
      while (cursor) {
        await cursor.delete();
        removed++;
        cursor = await cursor.continue();
      }
      return removed;
    });
  }

  private moveAll(from: JobState, to: JobState): Promise<number> {
    return this.connection().write(['jobs'], async (tx) => {
      let moved = 0;
      const now = Date.now();
      let cursor = await tx.objectStore('jobs').index('byState').openCursor(from);
      while (cursor) {
        await cursor.update({ ...cursor.value, state: to, updatedAt: now });
        moved++;
        cursor = await cursor.continue();
      }
      return moved;
    });
  }

  private setState(
    jobIds: readonly number[],
    state: JobState,
    allowed: (job: JobRecord) => boolean,
    error?: string,
    attemptsDelta = 0,
  ): Promise<number> {
    return this.connection().write(['jobs'], async (tx) => {
      let changed = 0;
      for (const id of jobIds) {
        const job = await tx.objectStore('jobs').get(id);
        if (!job || !allowed(job)) continue;
        const next: JobRecord = { ...job, state, attempts: Math.max(0, job.attempts + attemptsDelta), updatedAt: Date.now() };
        if (error !== undefined) next.error = error;
        await tx.objectStore('jobs').put(next);
        changed++;
      }
      return changed;
    });
  }
}
