/**
 * Mining as the page sees it: which rows are mined, the miner's latest answer for the session's
 * filter request (counts, bins, the first page — never the candidate set), the sensitivity grid
 * and the two projections. Builds, additions and restores go to the miner worker; the page keeps
 * only what the views draw. A restore rebuilds this from the store, so a reload or a crashed
 * worker never changes what the user sees: a miner that dies during a build or restore is
 * restarted and that step runs again from the stored embeddings; one that dies while idle is
 * given the stored candidate set again. A projection worker that dies is restarted for the call.
 */
import { VIEW_SHAPE } from '../core/mining/pair-view.ts';
import { pairsScreened } from '../core/mining/screen.ts';
import { plural } from '../core/words.ts';
import { candidateKey, isQuotaError, type Store } from '../store/index.ts';
import type { SensitivityGrid } from '../core/mining/index.ts';
import { messageOf } from '../core/errors.ts';
import { createMinerClient, type MinerClient } from '../workers/miner.client.ts';
import { WorkerStoppedError } from '../workers/worker-connection.ts';
import { createProjectionClient, type ProjectionClient } from '../workers/projection.client.ts';
import type { MinerSummary, PairRanks, PairViewAnswer, PairViewRequest } from '../workers/miner.protocol.ts';
import type { PairArrays, EmbeddingMatrix } from '../core/mining/index.ts';
import type { Neighbour } from '../core/mining/neighbours.ts';
import * as Comlink from 'comlink';
import { LatestOnly } from './latest-only.ts';
import type { EncoderKeys } from './encoders.svelte.ts';
import type { Library } from './library.svelte.ts';
import type { SessionState } from './session.svelte.ts';
import type { ProgressReporter } from './progress.svelte.ts';

/** Both spaces' unit embeddings for `rows`, in that order. */
export interface SpaceMatrices {
  rows: string[];
  clip: EmbeddingMatrix;
  dino: EmbeddingMatrix;
}

export interface MiningHost {
  store(): Store;
  readonly session: SessionState;
  readonly library: Library;
  keys(): EncoderKeys | null;
  readonly progress: ProgressReporter;
  say(sentence: string): void;
  /** Lowest similarities of marks drawn beside the mined pairs (imported pairs), for the axes. */
  marksLowest(): { clip: number; dino: number } | undefined;
}

export { VIEW_SHAPE };

export const CANDIDATES_NOT_SAVED =
  'The mined pairs are shown but could not be saved: storage for this site is full. They are mined again from the stored embeddings after a reload; free space to keep them.';

function contentVersion(rows: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const row of rows) for (let i = 0; i < row.length; i++) h = Math.imul(h ^ row.charCodeAt(i), 0x01000193) >>> 0;
  return `${rows.length}:${h.toString(16)}`;
}

export class Mining {
  /** Row order of the mined set (SHA-256 per row); pair rows point into it. */
  rows = $state.raw<string[]>([]);
  readonly rowOf = $derived(new Map(this.rows.map((hash, row) => [hash, row])));
  /** Images the store holds embeddings of from both chosen encoders (what "N embedded" says). */
  embeddedCount = $state(0);
  /** The miner's answer for the latest finished filter request. */
  answer = $state.raw<PairViewAnswer | null>(null);
  grid = $state.raw<SensitivityGrid | null>(null);
  clipPositions = $state.raw<Float32Array>(new Float32Array(0));
  dinoPositions = $state.raw<Float32Array>(new Float32Array(0));
  /** How this page's last build or addition ran; null after a restore from storage. */
  lastBuild = $state.raw<(MinerSummary & { addedRows: number }) | null>(null);
  /** Floor of the candidate set the miner holds (null when it holds none). */
  heldFloor = $state<number | null>(null);
  /** Similarities of hash pairs asked for by `ensureSimilarities` (imported pairs), keyed "a|b". */
  similarityCache = $state.raw<ReadonlyMap<string, { clip: number; dino: number }>>(new Map());

  private readonly miner: MinerClient;
  private readonly projector: ProjectionClient;
  private readonly views: LatestOnly<PairViewRequest, PairViewAnswer>;
  /** Candidate key of a build the miner holds with its vectors (rows can be added); null otherwise. */
  private minedKey: string | null = null;
  /** Candidate key of the set the miner holds, built here or restored; null when it holds none. */
  private heldKey: string | null = null;
  /** The spaces last loaded, kept for re-projection (PCA <-> UMAP) without re-reading the store. */
  private spaces: SpaceMatrices | null = null;
  /** Builds and restores running now (a miner crash during one is handled by that step). */
  private minerSteps = 0;
  /** After `dispose`: a stopped worker is not restarted. */
  private disposed = false;

  constructor(private readonly host: MiningHost) {
    this.miner = createMinerClient((sentence) => this.minerCrashed(sentence));
    this.projector = createProjectionClient((sentence) => host.say(sentence));
    this.views = new LatestOnly(
      (request) => this.miner.call((api) => api.view(request)),
      (answer) => (this.answer = answer),
      // A view lost with a dead miner is asked for again once the set is back (minerCrashed).
      (error) => {
        if (!(error instanceof WorkerStoppedError)) host.say(messageOf(error));
      },
    );
  }

  /** Requests actually sent to the miner for views (a burst of moves sends few). */
  get viewRequestsSent(): number {
    return this.views.sent;
  }

  /** Resolves when no view request runs or waits: the answer is the latest request's. */
  settled(): Promise<void> {
    return this.views.idle();
  }

  /**
   * Asks the miner for the views at the session's filter request. Skipped while the held set was
   * mined at a higher floor than the thresholds ask for (a re-mine at the new floor is running).
   */
  requestView(): void {
    const request = this.host.session.filterRequest;
    const marksLowest = this.host.marksLowest();
    if (this.rows.length === 0 || this.heldFloor === null || request.clipMin < this.heldFloor) return;
    this.views.request({ ...request, ...VIEW_SHAPE, ...(marksLowest ? { marksLowest } : {}) });
  }

  private candidatesKey(keys: EncoderKeys, floor: number): string {
    return candidateKey(`${keys.clipId}@${keys.clipRevision}`, `${keys.dinoId}@${keys.dinoRevision}`, floor);
  }

  /** Hashes embedded by both chosen encoders, in store order. */
  async embeddedByBoth(): Promise<string[]> {
    const keys = this.host.keys();
    if (!keys) {
      this.embeddedCount = 0;
      return [];
    }
    const store = this.host.store();
    const both = new Set(await store.embeddings.hashes(keys.dinoId, keys.dinoRevision));
    const hashes = (await store.embeddings.hashes(keys.clipId, keys.clipRevision)).filter((h) => both.has(h));
    this.embeddedCount = hashes.length;
    return hashes;
  }

  /**
   * Mines the rows embedded by both encoders. When the miner still holds a build for the same
   * encoders and floor and rows were only added, it screens just the new rows against all (the
   * M x N block); anything else rebuilds all pairs. `rebuild` forces a full build.
   */
  mine(options: { rebuild?: boolean } = {}): Promise<void> {
    return this.withMiner(() => this.mineOnce(options));
  }

  /**
   * Runs a build or restore; when the miner dies during it, runs it once more in the restarted
   * miner (which holds nothing, so the step starts again from the store).
   */
  private withMiner(step: () => Promise<void>): Promise<void> {
    // One build or restore at a time: two interleaved (an encoder change, a resume and a drop can
    // each start one) would pair one set's rows with the other's categories and views.
    const run = this.steps.then(() => this.withMinerNow(step));
    this.steps = run.catch(() => undefined);
    return run;
  }

  private steps: Promise<unknown> = Promise.resolve();

  private async withMinerNow(step: () => Promise<void>): Promise<void> {
    this.minerSteps++;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return await step();
        } catch (error) {
          if (!(error instanceof WorkerStoppedError) || !error.crashed || this.disposed || attempt >= 1) throw error;
        }
      }
    } finally {
      this.minerSteps--;
    }
  }

  private async mineOnce(options: { rebuild?: boolean }): Promise<void> {
    const keys = this.host.keys();
    if (!keys) return;
    const floor = this.host.session.floor;
    const key = this.candidatesKey(keys, floor);
    const embedded = await this.embeddedByBoth();
    if (embedded.length < 2) return;
    const upToDate = this.heldKey === key && embedded.length === this.rows.length && embedded.every((h) => this.rowOf.has(h));
    if (!options.rebuild && upToDate) return;
    const held = !options.rebuild && this.minedKey === key ? new Set(this.rows) : null;
    const added = held ? embedded.filter((h) => !held.has(h)) : embedded;
    const incremental = held !== null && held.size >= 2 && held.size + added.length === embedded.length;
    if (incremental && added.length === 0) return;
    const rows = incremental ? [...this.rows, ...added] : embedded;
    this.minedKey = null;
    // The total is the pairs this run screens (new rows against all), as the worker counts them.
    const from = incremental ? this.rows.length : 0;
    const progress = this.host.progress.start(
      incremental ? `Screening ${plural(added.length, 'new image')} against all` : 'Mining confusing pairs',
      pairsScreened(from, rows.length),
      'pairs',
    );
    try {
      const spaces = await this.loadSpaces(rows, keys);
      const onProgress = Comlink.proxy((done: number, total: number) => progress.update(done, total));
      const summary = await this.miner.call((api) =>
        incremental
          ? api.addRows(tail(spaces.clip, from), tail(spaces.dino, from), onProgress)
          : api.build(spaces.clip, spaces.dino, { floor }, onProgress),
      );
      const c = await this.miner.call((api) => api.exportCandidates());
      // The derived store is replaced in one write, after the new set exists in full. When it
      // does not fit, the stored set stays as it was (its content version no longer matches, so
      // a reload mines again from the embeddings) and this page goes on with the set it holds.
      try {
        await this.host.store().candidates.put(key, { rows, contentVersion: contentVersion(rows), floor: c.floor, a: c.a, b: c.b, clip: c.clip, dino: c.dino });
      } catch (error) {
        if (!isQuotaError(error)) throw error;
        this.host.say(CANDIDATES_NOT_SAVED);
      }
      this.rows = rows;
      this.minedKey = key;
      this.heldKey = key;
      this.heldFloor = c.floor;
      this.lastBuild = { ...summary, addedRows: incremental ? added.length : 0 };
      this.spaces = spaces;
      await this.afterNewSet();
    } finally {
      progress.end();
    }
  }

  /**
   * Brings back the stored candidate set for the chosen encoders and floor without recomputing;
   * when none is stored (a reload during mining) but both encoders embedded images, mines them.
   */
  restore(): Promise<void> {
    return this.withMiner(() => this.restoreOnce());
  }

  private async restoreOnce(): Promise<void> {
    const keys = this.host.keys();
    if (!keys) return;
    const floor = this.host.session.floor;
    const key = this.candidatesKey(keys, floor);
    const record = await this.host.store().candidates.get(key);
    const embedded = await this.embeddedByBoth();
    const stored = new Set(embedded);
    if (!record || !record.rows.every((h) => stored.has(h) && this.host.library.has(h))) {
      this.forgetHeld();
      if (embedded.length >= 2) await this.mineOnce({ rebuild: true });
      return;
    }
    const spaces = await this.loadSpaces(record.rows, keys);
    await this.miner.call((api) =>
      api.importCandidates({ version: 1, rows: record.rows.length, floor: record.floor, a: record.a, b: record.b, clip: record.clip, dino: record.dino }, { clip: spaces.clip, dino: spaces.dino }),
    );
    this.rows = record.rows;
    this.minedKey = null;
    this.heldKey = key;
    this.heldFloor = record.floor;
    this.lastBuild = null;
    this.spaces = spaces;
    await this.afterNewSet();
    // Images embedded after the stored set was written (a reload before mining finished) join now.
    if (embedded.length > record.rows.length) await this.mineOnce({ rebuild: true });
  }

  /** Categories changed (captions imported): the same-category rule reads them from now on. */
  async applyCategories(): Promise<void> {
    if (this.rows.length === 0 || this.heldFloor === null) return;
    const categories = this.host.library.categoriesOf(this.rows);
    await this.miner.call((api) => api.setCategories(categories));
    this.requestView();
  }

  private async afterNewSet(): Promise<void> {
    const categories = this.host.library.categoriesOf(this.rows);
    await this.miner.call((api) => api.setCategories(categories));
    this.grid = await this.miner.call((api) => api.sensitivityGrid({ size: 50, clipRange: [this.heldFloor ?? this.host.session.floor, 1], dinoRange: [0, 1] }));
    this.similarityCache = new Map();
    this.requestView();
    void this.project();
  }

  /** PCA (instant) or UMAP (seconds, with progress) of both spaces, in the projection worker. */
  async project(): Promise<void> {
    const spaces = this.spaces;
    if (!spaces || spaces.rows.length < 2) return;
    const n = spaces.rows.length;
    try {
      if (this.host.session.projection === 'umap' && n >= 5) {
        const progress = this.host.progress.start('UMAP projection', 2, 'spaces');
        try {
          this.clipPositions = await this.projector.callRestarting((api) => api.umap('clip', spaces.clip.data.slice(), n, spaces.clip.dim, {}));
          progress.update(1, 2);
          this.dinoPositions = await this.projector.callRestarting((api) => api.umap('dino', spaces.dino.data.slice(), n, spaces.dino.dim, {}));
        } finally {
          progress.end();
        }
        return;
      }
      const [clip, dino] = await Promise.all([
        this.projector.callRestarting((api) => api.pca(spaces.clip.data.slice(), n, spaces.clip.dim)),
        this.projector.callRestarting((api) => api.pca(spaces.dino.data.slice(), n, spaces.dino.dim)),
      ]);
      this.clipPositions = clip.positions;
      this.dinoPositions = dino.positions;
    } catch (error) {
      // Stopped on purpose (dispose): nothing to say. A crash was said by the worker's sentence.
      if (!(error instanceof WorkerStoppedError) || (error.crashed && !this.disposed)) this.host.say(messageOf(error));
    }
  }

  /** Pairs `offset`.. of the answer `version` (null when a newer answer replaced it). */
  page(version: number, offset: number, limit: number): Promise<PairArrays | null> {
    return this.miner.call((api) => api.page(version, offset, limit));
  }

  /** Position of the first pair of the current answer that contains `row`, or -1. */
  async firstPairWith(row: number): Promise<number> {
    const answer = this.answer;
    return answer ? this.miner.call((api) => api.firstWith(answer.version, row)) : -1;
  }

  /** Position of the pair of hashes in the current answer, or -1. */
  async positionOf(hashA: string, hashB: string): Promise<number> {
    const [a, b, answer] = [this.rowOf.get(hashA), this.rowOf.get(hashB), this.answer];
    if (a === undefined || b === undefined || !answer) return -1;
    return this.miner.call((api) => api.positionOf(answer.version, a, b));
  }

  neighbours(row: number, k: number): Promise<{ clip: Neighbour[]; dino: Neighbour[] }> {
    return this.miner.call((api) => api.neighbours(row, k));
  }

  ranks(a: number, b: number): Promise<PairRanks> {
    return this.miner.call((api) => api.ranks(a, b));
  }

  /** Similarities of hash pairs with the miner's rule; NaN where a hash is not mined. */
  async similaritiesOf(pairs: readonly (readonly [string, string])[]): Promise<{ clip: number; dino: number }[]> {
    const rowPairs = new Uint32Array(pairs.length * 2).fill(0xffffffff);
    pairs.forEach(([a, b], p) => {
      const [i, j] = [this.rowOf.get(a), this.rowOf.get(b)];
      if (i !== undefined && j !== undefined) [rowPairs[2 * p], rowPairs[2 * p + 1]] = [i, j];
    });
    if (this.rows.length === 0) return pairs.map(() => ({ clip: Number.NaN, dino: Number.NaN }));
    const { clip, dino } = await this.miner.call((api) => api.similarities(rowPairs));
    return pairs.map((_, p) => ({ clip: clip[p], dino: dino[p] }));
  }

  /** Fills `similarityCache` for these pairs (the imported pairs' computed similarities). */
  async ensureSimilarities(pairs: readonly (readonly [string, string])[]): Promise<void> {
    const cache = this.similarityCache;
    const wanted = pairs.filter(([a, b]) => !cache.has(`${a}|${b}`) && this.rowOf.has(a) && this.rowOf.has(b));
    if (wanted.length === 0) return;
    const values = await this.similaritiesOf(wanted);
    const next = new Map(this.similarityCache);
    wanted.forEach(([a, b], i) => next.set(`${a}|${b}`, values[i]));
    this.similarityCache = next;
  }

  /** Forgets what the page and the miner hold (after "Forget everything" or an encoder change). */
  forgetHeld(): void {
    this.embeddedCount = 0;
    this.rows = [];
    this.minedKey = null;
    this.heldKey = null;
    this.heldFloor = null;
    this.answer = null;
    this.grid = null;
    this.lastBuild = null;
    this.spaces = null;
    this.similarityCache = new Map();
    this.clipPositions = new Float32Array(0);
    this.dinoPositions = new Float32Array(0);
  }

  /** Tests: kill the miner worker as a crash would. */
  simulateMinerCrash(): void {
    this.miner.terminate(true);
  }

  /** Tests: kill the projection worker as a crash would. */
  simulateProjectionCrash(): void {
    this.projector.terminate(true);
  }

  /** Workers of the miner and the projection that died (tests read it). */
  get crashes(): { miner: number; projection: number } {
    return { miner: this.miner.crashes, projection: this.projector.crashes };
  }

  /** Stops the miner and projection workers for good (the page or the test is done with them). */
  dispose(): void {
    this.disposed = true;
    this.miner.terminate();
    this.projector.terminate();
  }

  /**
   * The miner died: say so. A build or restore running now runs again by itself (withMiner);
   * otherwise the stored candidate set is given to the restarted miner.
   */
  private minerCrashed(sentence: string): void {
    this.host.say(sentence);
    this.minedKey = null;
    this.heldKey = null;
    // The fresh miner holds no set: views wait until one is built or restored.
    this.heldFloor = null;
    if (this.minerSteps > 0 || this.disposed) return;
    void this.restore().catch((error: unknown) => {
      if (!(error instanceof WorkerStoppedError)) this.host.say(messageOf(error));
    });
  }

  private async loadSpaces(rows: string[], keys: EncoderKeys): Promise<SpaceMatrices> {
    const store = this.host.store();
    const clip = await store.embeddings.loadMatrix(keys.clipId, keys.clipRevision, { rows });
    const dino = await store.embeddings.loadMatrix(keys.dinoId, keys.dinoRevision, { rows });
    return { rows, clip: { rows: rows.length, dim: clip.dim, data: clip.matrix }, dino: { rows: rows.length, dim: dino.dim, data: dino.matrix } };
  }
}

/** Rows `from`.. of a matrix, as the miner's addRows takes them. */
function tail(m: EmbeddingMatrix, from: number): EmbeddingMatrix {
  return { rows: m.rows - from, dim: m.dim, data: m.data.slice(from * m.dim) };
}
