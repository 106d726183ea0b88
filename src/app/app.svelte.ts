/**
 * The composition root of the page: it builds the application layer (session, encoders, library,
 * mining, pair list, review, imported benchmark), owns the user's verbs (add files, load the
 * sample set, choose a frame, cancel, forget) and sequences ingest -> embed -> mine. Reactions
 * live here, not in views: the session's filter request re-filters, a new floor re-mines, other
 * encoders load and embed what is stored. Views receive the parts they read.
 *
 * Faults: a worker that dies says one sentence in the banner and is restarted. The embedding
 * queue re-runs the batch a dead encoder held (embed-queue.ts), the miner re-runs its step
 * (mining.svelte.ts), the image reader goes on from the file it was on (ingest.client.ts). An
 * encoder that dies while nothing runs is loaded again and the stored queue resumes; one that dies
 * during a run makes that run resume the queue once more before it ends, so nothing stays pending.
 */
import { untrack } from 'svelte';
import { STORAGE_FULL_MESSAGE, openStore, type FaultHooks, type Store } from '../store/index.ts';
import { messageOf } from '../core/errors.ts';
import { WorkerStoppedError } from '../workers/worker-connection.ts';
import type { RgbImage } from '../core/image.ts';
import { generateSampleSet, sampleImagePng } from '../core/sample/phantoms.ts';
import { runIngest, type IngestRun } from '../workers/ingest.client.ts';
import { EMBED_BATCH, embedPending } from './embed-queue.ts';
import { EncoderPair } from './encoders.svelte.ts';
import { chooseFrame } from './frame-choice.ts';
import { ImportedPairs } from './imported-pairs.svelte.ts';
import { Agreement, DINOV2_SIZE_IDS } from './agreement.svelte.ts';
import { Library } from './library.svelte.ts';
import { Mining } from './mining.svelte.ts';
import { PairList } from './pair-list.svelte.ts';
import { ProgressReporter } from './progress.svelte.ts';
import type { FrameChoiceOutcome } from './frame-choice.ts';
import { Review } from './review.svelte.ts';
import { SessionState } from './session.svelte.ts';
import { StorageFullSkips } from './storage-full.svelte.ts';
import { recordDrop, storeIngestResult } from './ingest-results.ts';
import { chooseFilesToReadAgain, duplicatesSentence, readAgainSentence } from './drop-ledger.ts';
import { encoderInputsOf, type EncoderInputs } from './encoder-inputs.ts';
import { whenNetworkMayBeBack } from './network.ts';

export interface AddFilesOptions {
  keepOriginals?: boolean;
  onIngested?: (file: File, sha256: string) => void;
  /** Record the files in the drop ledger before reading them (default); the sample set is made again with one click instead. */
  record?: boolean;
}

export class ExplorerApp {
  readonly session = new SessionState();
  readonly progress = new ProgressReporter();
  readonly encoders: EncoderPair;
  readonly library: Library;
  /** Files that did not fit in storage during this visit, held for "Retry skipped". */
  readonly storageFull: StorageFullSkips;
  readonly mining: Mining;
  readonly imported: ImportedPairs;
  /** Computed against published similarities of the imported benchmark, and the DINOv2 size comparison. */
  readonly agreement: Agreement;
  readonly pairs: PairList;
  readonly review: Review;
  /** A sentence shown in the banner (errors, other tabs, restarted workers). */
  banner = $state('');
  ready = $state(false);

  private storeHandle: Store | null = null;
  private ingestRun: IngestRun | null = null;
  private cancelled = false;
  private stopReactions: (() => void) | null = null;
  private stopPersisting: (() => void) | null = null;
  private stopWatchingNetwork: (() => void) | null = null;
  /** Encoder ids the stored work was last brought in line with. */
  private settledEncoders = '';
  /** An encoder died while a run was embedding: that run resumes the queue before it ends. */
  private encoderCrashedDuringRun = false;
  /** addFiles / resume runs in progress. */
  private runs = 0;

  /** `storeName`: the IndexedDB database (tests give each app its own). */
  constructor(
    private readonly options: {
      storeName?: string;
      /** Tests: store faults (a quota that runs out). */
      faults?: FaultHooks;
      /** Tests: the DINO-side encoders the size comparison tries (default: the registry's DINOv2 sizes). */
      dinoSizes?: readonly string[];
    } = {},
  ) {
    const say = (sentence: string) => (this.banner = sentence);
    this.encoders = new EncoderPair(this.session, (sentence) => {
      say(sentence);
      if (this.runs > 0) this.encoderCrashedDuringRun = true;
      else void this.restartEncoders();
    });
    this.library = new Library(() => this.store);
    this.storageFull = new StorageFullSkips(() => this.store);
    this.mining = new Mining({
      store: () => this.store,
      session: this.session,
      library: this.library,
      keys: () => this.encoders.keys(),
      progress: this.progress,
      say,
      marksLowest: () => this.imported.marksLowest,
    });
    const library = this.library;
    const mining = this.mining;
    this.imported = new ImportedPairs({
      store: () => this.storeHandle,
      items: () => library.items,
      isMined: (sha256) => mining.rowOf.has(sha256),
      similarity: (a, b) => mining.similarityCache.get(`${a}|${b}`),
      addFiles: (files, options) => this.addFiles(files, options),
    });
    const imported = this.imported;
    this.agreement = new Agreement(
      {
        store: () => this.storeHandle,
        views: () => imported.views,
        thresholds: () => ({ clipMin: this.session.clipMin, dinoMax: this.session.dinoMax }),
        loadOptions: () => ({ backend: this.session.backendPreference, dtype: this.session.precision }),
        progress: this.progress,
      },
      options.dinoSizes ?? DINOV2_SIZE_IDS,
    );
    this.pairs = new PairList(this.mining, this.imported, say);
    this.review = new Review(() => this.store, this.session, this.library, this.mining, this.encoders);
  }

  get store(): Store {
    if (!this.storeHandle) throw new Error('The browser storage is not open yet; wait for the app to finish loading.');
    return this.storeHandle;
  }

  get busy(): boolean {
    return this.progress.busy;
  }

  /** Opens storage, restores the session and everything stored; never recomputes what is stored. */
  async boot(options: { encoders?: [string, string]; storeName?: string } = {}): Promise<void> {
    this.storeHandle = await openStore({
      name: options.storeName ?? this.options.storeName,
      faults: this.options.faults,
      onVersionChange: (sentence) => (this.banner = sentence),
      onBlocked: (sentence) => (this.banner = sentence),
      onTerminated: (sentence) => (this.banner = sentence),
    });
    const settings = {
      load: (key: string) => this.store.settings.get(key),
      // Saved on a timer nobody awaits: a store closed meanwhile is said, never an unhandled rejection.
      save: (key: string, value: unknown) => this.store.settings.set(key, value as never).catch((error: unknown) => this.report(error)),
    };
    await this.session.restore(settings);
    if (options.encoders) [this.session.clipEncoderId, this.session.dinoEncoderId] = options.encoders;
    this.settledEncoders = this.encoderIds();
    await this.store.jobs.recoverInterrupted();
    await this.library.reload();
    await this.queueUnembedded();
    await this.imported.restore();
    await this.mining.restore();
    this.stopPersisting = this.session.attach(settings);
    this.stopReactions = this.react();
    this.stopWatchingNetwork = this.resumeWhenOnline();
    this.ready = true;
    void this.resume();
  }

  /** Encoders that could not be fetched load again when the network returns, and the stored work resumes. */
  private resumeWhenOnline(): () => void {
    return whenNetworkMayBeBack(() => {
      if (this.encoders.offline && !this.busy) void this.restartEncoders();
    });
  }

  /**
   * Stops the reactions and the workers, as leaving the page does (tests mount and unmount apps,
   * and simulate a reload with it); what is stored stays as it is.
   */
  dispose(): void {
    this.stopReactions?.();
    this.stopPersisting?.();
    this.stopWatchingNetwork?.();
    this.cancel();
    this.encoders.clip.dispose();
    this.encoders.dino.dispose();
    this.mining.dispose();
  }

  /** Tests: kills the image reader of the running addFiles as a crash would. */
  simulateIngestCrash(): void {
    this.ingestRun?.simulateCrash();
  }

  /**
   * Queues every stored item that lacks an embedding of the chosen encoders: a page that stopped
   * between storing an item and queueing its jobs left it with neither, and it would never be
   * embedded or listed for a re-drop.
   */
  private async queueUnembedded(): Promise<void> {
    const keys = this.encoders.keys();
    if (!keys) return;
    for (const [id, revision] of [[keys.clipId, keys.clipRevision], [keys.dinoId, keys.dinoRevision]]) {
      const embedded = new Set(await this.store.embeddings.hashes(id, revision));
      const missing = this.library.items.filter((item) => !embedded.has(item.sha256)).map((item) => item.sha256);
      if (missing.length) await this.store.jobs.enqueue(missing, id, revision);
    }
    await this.library.refreshRedrop();
  }

  /** An encoder died while nothing ran (or the network returned): load both again and resume the stored queue. */
  private async restartEncoders(): Promise<void> {
    if (!this.storeHandle) return;
    await this.run(async () => {
      if (await this.loadEncoders()) await this.resume();
    });
  }

  /** Ends an addFiles / resume run; an encoder that died during it resumes the queue once more. */
  private async endRun(): Promise<void> {
    try {
      while (this.encoderCrashedDuringRun && !this.cancelled) {
        this.encoderCrashedDuringRun = false;
        await this.run(() => this.resumeKept());
      }
    } finally {
      this.runs--;
    }
  }

  private encoderIds(): string {
    return `${this.session.clipEncoderId}|${this.session.dinoEncoderId}|${this.session.precision}`;
  }

  /** What follows from the state by itself, declared once. */
  private react(): () => void {
    return $effect.root(() => {
      $effect(() => {
        void this.session.filterRequest;
        void this.imported.marksLowest;
        this.mining.requestView();
      });
      $effect(() => {
        const floor = this.session.floor;
        if (this.mining.heldFloor !== null && floor !== this.mining.heldFloor && !this.busy) void this.run(() => this.mining.mine({ rebuild: true }));
      });
      $effect(() => {
        const ids = this.encoderIds();
        if (ids !== this.settledEncoders) {
          this.settledEncoders = ids;
          void this.encodersChanged();
        }
      });
      $effect(() => {
        // The stored images of the imported pairs changed, or embedding added rows: read each size again.
        void this.agreement.pairKey;
        void this.mining.rowOf;
        void this.session.precision;
        untrack(() => void this.agreement.refreshSizes());
      });
      $effect(() => {
        const pairs = this.imported.minedHashPairs;
        void this.mining.similarityCache;
        if (pairs.length) void this.run(() => this.mining.ensureSimilarities(pairs));
      });
    });
  }

  /** Shows a failure as the banner sentence; a worker stopped on purpose (cancel, dispose) is none. */
  private report(error: unknown): void {
    if (!(error instanceof WorkerStoppedError && !error.crashed)) this.banner = messageOf(error);
  }

  /** Runs a step and turns its failure into the banner sentence. */
  private async run(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.report(error);
    }
  }

  /**
   * Other encoders were chosen: what the miner holds is for the old ones. Restore what is stored
   * for the new pair, queue every stored image that lacks their embeddings, embed from kept
   * originals, and mine.
   */
  private async encodersChanged(): Promise<void> {
    this.mining.forgetHeld();
    await this.run(async () => {
      await this.mining.restore();
      const keys = this.encoders.keys();
      if (!keys) return;
      const hashes = this.library.items.map((item) => item.sha256);
      await this.store.jobs.enqueue(hashes, keys.clipId, keys.clipRevision);
      await this.store.jobs.enqueue(hashes, keys.dinoId, keys.dinoRevision);
      await this.library.refreshRedrop();
    });
    await this.resume();
  }

  /**
   * Embeds pending jobs whose items keep their originals (interrupted by a reload, a crash or an
   * encoder change), then mines. Items without originals wait for the user to drop them again
   * (the library lists them).
   */
  async resume(): Promise<void> {
    if (!this.storeHandle || this.busy) return;
    this.runs++;
    this.cancelled = false;
    try {
      // Callers do not await it (boot, a restarted encoder): its failure is the banner sentence.
      await this.run(() => this.resumeKept());
    } finally {
      await this.endRun();
    }
  }

  /** The body of `resume`, without the guard (endRun calls it while its run still counts). */
  private async resumeKept(): Promise<void> {
    const kept = (await this.store.jobs.pixelSources()).fromStore.length;
    if (kept === 0) {
      await this.run(() => this.mining.mine());
      return;
    }
    const progress = this.progress.start(`Embedding ${kept.toLocaleString()} stored image${kept === 1 ? '' : 's'}`, kept, 'images');
    try {
      if (!(await this.loadEncoders())) return;
      await embedPending(this.store, this.encoders.both, new Map(), EMBED_BATCH, () => this.cancelled);
      await this.mining.embeddedByBoth();
    } catch (error) {
      this.report(error);
    } finally {
      progress.end();
    }
    await this.run(() => this.library.refreshRedrop());
    if (!this.cancelled) await this.run(() => this.mining.mine());
  }

  /** Loads both encoders; their failure becomes the banner sentence (cleared once they load). */
  async loadEncoders(): Promise<boolean> {
    const problem = this.encoders.problem;
    const ok = await this.encoders.load();
    if (!ok) this.banner = this.encoders.problem;
    else if (problem && this.banner === problem) this.banner = '';
    // The hub's main moved since the stored embeddings were made: said once, naming both commits.
    if (ok && this.encoders.notice) this.banner = this.encoders.notice;
    return ok;
  }

  /** Adds the built-in synthetic sample set, labelled synthetic, through the same ingest path. */
  async loadSampleSet(): Promise<void> {
    const images = generateSampleSet();
    await this.store.captions.putMany(images.map((i) => ({ key: i.name, caption: i.caption, categories: [i.category] })));
    const files = images.map((i) => new File([sampleImagePng(i) as Uint8Array<ArrayBuffer>], i.name, { type: 'image/png' }));
    await this.addFiles(files, { keepOriginals: true, record: false });
  }

  /** Ingests files, stores items, embeds new ones with both encoders, then mines. */
  async addFiles(files: File[], options: AddFilesOptions = {}): Promise<void> {
    if (!this.storeHandle || files.length === 0) return;
    this.runs++;
    try {
      await this.addFilesRun(files, options);
    } finally {
      await this.endRun();
    }
  }

  private async addFilesRun(files: File[], options: AddFilesOptions): Promise<void> {
    this.cancelled = false;
    const store = this.store;
    const encodersReady = this.loadEncoders();
    const pixels = new Map<string, RgbImage>();
    const keepOriginals = options.keepOriginals ?? this.session.keepOriginals;
    const keys = this.encoders.keys();
    const dropKeys = options.record === false ? null : await recordDrop(store, files);
    if (dropKeys === null && options.record !== false) this.banner = STORAGE_FULL_MESSAGE;
    const duplicatesBefore = this.library.drops.duplicate;
    let done = 0;
    const progress = this.progress.start('Reading and embedding images', files.length, 'images');
    const drain = async () => {
      if (!(await encodersReady)) return;
      done += await embedPending(store, this.encoders.both, pixels, EMBED_BATCH, () => this.cancelled);
      pixels.clear();
      // The sidebar's "N embedded" and its account of dropped files are what the store holds, so they move while work runs.
      await this.mining.embeddedByBoth();
      await this.library.refreshDrops();
      progress.update(Math.min(files.length, done));
    };
    this.ingestRun = runIngest(
      files,
      {
        onResult: async (result, index) => {
          const onStored = (sha256: string) => options.onIngested?.(files[index], sha256);
          const sink = { store, storageFull: this.storageFull, keys, keepOriginals, onStored };
          const outcome = await storeIngestResult(sink, result, files[index], dropKeys?.[index]);
          if (outcome === 'storage-full') this.banner = STORAGE_FULL_MESSAGE;
          if (outcome === 'queued' && result.ok && result.rgb) pixels.set(result.item.sha256, result.rgb);
          else done++;
          if (pixels.size >= EMBED_BATCH) await drain();
        },
        onCrash: (sentence) => (this.banner = sentence),
      },
      { keepRgb: true, frameIndexes: this.library.frameIndexes() },
    );
    try {
      await this.ingestRun.finished;
      await drain();
    } catch (error) {
      this.report(error);
    } finally {
      this.ingestRun = null;
      progress.end();
      // A store closed meanwhile (the page going away, another tab's upgrade) is said, not thrown.
      await this.run(() => this.library.reload());
      const found = duplicatesSentence(this.library.drops.duplicate - duplicatesBefore);
      if (found && !this.banner) this.banner = found;
    }
    if (!this.cancelled) await this.run(() => this.mining.mine());
  }

  /**
   * Reads again the files a user picks to finish earlier work: only those the ledger lists as
   * still to read or whose item waits for its pixels; the banner says how many of the chosen were
   * read before.
   */
  async readAgain(files: File[]): Promise<void> {
    const choice = chooseFilesToReadAgain(files, this.library.stillToRead, this.library.needRedrop);
    this.banner = readAgainSentence(choice);
    await this.addFiles(choice.toRead);
  }

  /** Adds the files that did not fit in storage again (after space was freed); those that still do not fit are listed again. */
  async retryStorageFull(): Promise<void> {
    const files = await this.storageFull.take();
    if (this.banner === STORAGE_FULL_MESSAGE) this.banner = '';
    await this.library.reload();
    await this.addFiles(files);
  }

  /**
   * Shows and embeds another frame of a multi-frame DICOM item, then re-mines (see
   * frame-choice.ts). The open pair stays open although re-mining moves it in the list; the
   * answer says whether it is still listed under the thresholds.
   */
  async chooseFrame(sha256: string, frameIndex: number): Promise<FrameChoiceOutcome> {
    this.cancelled = false;
    const open = this.pairs.current;
    await chooseFrame({ store: this.store, encoders: this.encoders, thumbnails: this.library.thumbnails }, sha256, frameIndex, () => this.cancelled);
    await this.library.reload();
    // Same hash, new vectors: the held pairs are stale, so this rebuilds.
    await this.mining.mine({ rebuild: true });
    // The list's positions are the new answer's only once its view has arrived.
    await this.mining.settled();
    if (!open?.hashA || !open.hashB) return { pairStillListed: null };
    return { pairStillListed: await this.pairs.openPair(open.hashA, open.hashB) };
  }

  /** Stores imported captions and re-applies categories. */
  async importCaptions(entries: readonly { name: string; caption: string; categories: readonly string[] }[]): Promise<void> {
    await this.library.importCaptions(entries);
    await this.mining.applyCategories();
  }

  cancel(): void {
    this.cancelled = true;
    this.ingestRun?.cancel();
    this.encoders.cancel();
    this.agreement.cancel();
  }

  /** What each encoder receives for one image (see encoder-inputs.ts). */
  async encoderInputs(sha256: string): Promise<EncoderInputs> {
    return encoderInputsOf(this.library.item(sha256), this.encoders, () => this.loadEncoders());
  }

  /** Deletes every item, embedding, decision and cached model; returns what was removed. */
  async forgetEverything() {
    const report = await this.store.forgetEverything();
    this.library.forget();
    this.mining.forgetHeld();
    this.imported.forget();
    this.agreement.forget();
    return report;
  }
}
