/**
 * The app's data path on the page: files -> ingest worker -> store -> encoder workers -> store
 * embeddings -> miner worker -> filtered pairs -> views. The page never computes over N^2
 * anything; it asks the workers and keeps only what the views draw.
 */
import * as Comlink from 'comlink';
import { openStore, candidateKey, type ItemRecord, type SkippedRecord, type Store } from '../../store/index.ts';
import { runIngest, type IngestRun } from '../../workers/ingest-client.ts';
import type { MinerFilterResult, MinerHost, MinerSummary } from '../../workers/miner.worker.ts';
import type { ProjectionApi } from '../../workers/projection.worker.ts';
import type { EmbeddingMatrix, SensitivityGrid } from '../../core/mining/index.ts';
import type { RgbImage } from '../../core/image.ts';
import { encoderRevisionKey, findEncoder } from '../../core/encoders/registry.ts';
import { EncoderClient } from './encoder-client.svelte.ts';
import { SessionState } from './session.svelte.ts';
import { ThumbnailUrls } from './thumbnails.ts';
import { ImportedPairs } from './imported-pairs.svelte.ts';
import { EMBED_BATCH, embedPending, frameIndexesOf, readKeptOriginal } from './embed-queue.ts';
import { chooseFrame } from './frame-choice.ts';
import { generateSampleSet, sampleImagePng } from '../../core/sample/phantoms.ts';
import type { CaptionRecord, DecisionRecord } from '../../store/index.ts';
import { toReviewedPair } from '../../core/review/index.ts';
import { unitCosine, type ReviewedPair, type SessionInput } from '../../core/benchmark/index.ts';

export interface Progress {
  label: string;
  done: number;
  total: number;
  unit: string;
}

export interface SpaceMatrices {
  rows: string[];
  clip: Float32Array;
  clipDim: number;
  dino: Float32Array;
  dinoDim: number;
}

function contentVersion(rows: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const row of rows) for (let i = 0; i < row.length; i++) h = Math.imul(h ^ row.charCodeAt(i), 0x01000193) >>> 0;
  return `${rows.length}:${h.toString(16)}`;
}

export class Workbench {
  readonly session = new SessionState();
  readonly clipEncoder = new EncoderClient('clip');
  readonly dinoEncoder = new EncoderClient('dino');
  readonly thumbnails = new ThumbnailUrls();
  /** An imported MediConfusion benchmark: a second pair source (see imported-pairs.svelte.ts). */
  readonly imported = new ImportedPairs(this);

  store: Store | null = null;
  items = $state.raw<ItemRecord[]>([]);
  skipped = $state.raw<SkippedRecord[]>([]);
  /** Row order of the mined matrices (SHA-256 per row); pair indices point into it. */
  rows = $state.raw<string[]>([]);
  matrices = $state.raw<SpaceMatrices | null>(null);
  candidateClip = $state.raw<Float32Array>(new Float32Array(0));
  candidateDino = $state.raw<Float32Array>(new Float32Array(0));
  /** How the last all-pairs build ran (kernel, adapter, time); null until this page mined. */
  lastBuild = $state.raw<(MinerSummary & { addedRows: number }) | null>(null);
  /** Candidate key of the pairs the miner worker holds with their vectors (so rows can be added); null when it holds none. */
  private minedKey: string | null = null;
  result = $state.raw<MinerFilterResult | null>(null);
  grid = $state.raw<SensitivityGrid | null>(null);
  clipPositions = $state.raw<Float32Array>(new Float32Array(0));
  dinoPositions = $state.raw<Float32Array>(new Float32Array(0));
  progress = $state<Progress | null>(null);
  /** A sentence shown in the banner (errors, other tabs, waiting encoders). */
  banner = $state('');
  /** Items whose embedding waits for their file to be dropped again (pixels not kept). */
  needRedrop = $state.raw<{ sha256: string; name: string; relativePath: string }[]>([]);
  ready = $state(false);

  /** Bumped after each decision write so views can re-read. */
  decisionsVersion = $state(0);

  private encoderProblem = '';
  private readonly itemsByHash = new Map<string, ItemRecord>();
  private captionsByKey = new Map<string, CaptionRecord>();
  private miner: Comlink.Remote<MinerHost> | null = null;
  private projector: Comlink.Remote<ProjectionApi> | null = null;
  private ingestRun: IngestRun | null = null;
  private cancelled = false;
  private filterSeq = 0;
  private filterRunning = false;
  private filterDirty = false;

  /** Opens storage, restores the session and any mined pairs; never recomputes what is stored. */
  async init(urlEncoders?: [string, string], storeName?: string): Promise<void> {
    this.store = await openStore({
      name: storeName,
      onVersionChange: (sentence) => (this.banner = sentence),
      onBlocked: (sentence) => (this.banner = sentence),
      onTerminated: (sentence) => (this.banner = sentence),
    });
    await this.session.restore({
      load: (key) => this.store!.settings.get(key),
      save: (key, value) => this.store!.settings.set(key, value as never),
    });
    if (urlEncoders) [this.session.clipEncoderId, this.session.dinoEncoderId] = urlEncoders;
    await this.store.jobs.recoverInterrupted();
    await this.reloadItems();
    await this.restoreCandidates();
    await this.refreshRedrop();
    await this.imported.restore();
    this.ready = true;
    void this.resumeKeptJobs();
  }

  /**
   * Jobs interrupted by a reload or a crash whose items keep their originals resume on load; the
   * others wait for the user to drop the files again (the Skipped list says which).
   */
  private async resumeKeptJobs(): Promise<void> {
    const store = this.store!;
    const kept = (await store.jobs.pixelSources()).fromStore.length;
    if (kept === 0 || this.progress) return;
    this.cancelled = false;
    this.progress = { label: `Resuming ${kept.toLocaleString()} interrupted image${kept === 1 ? '' : 's'}`, done: 0, total: kept, unit: 'images' };
    try {
      if (!(await this.loadEncoders())) return;
      await embedPending(store, [this.clipEncoder, this.dinoEncoder], new Map(), EMBED_BATCH, () => this.cancelled);
    } catch (error) {
      this.banner = error instanceof Error ? error.message : String(error);
    } finally {
      this.progress = null;
    }
    await this.refreshRedrop();
    if (!this.cancelled) await this.mine();
  }

  /** Persists the session (debounced); call from an effect that reads `session.snapshot()`. */
  persistSession(): void {
    if (!this.store) return;
    const store = this.store;
    this.session.scheduleSave({ load: (k) => store.settings.get(k), save: (k, v) => store.settings.set(k, v as never) });
  }

  item(sha256: string): ItemRecord | undefined {
    return this.itemsByHash.get(sha256);
  }

  thumbnail(sha256: string): string | null {
    return this.thumbnails.url(sha256, this.itemsByHash.get(sha256)?.thumbnail);
  }

  private async reloadItems(): Promise<void> {
    const items = await this.store!.items.all();
    this.itemsByHash.clear();
    for (const item of items) this.itemsByHash.set(item.sha256, item);
    this.items = items;
    this.skipped = await this.store!.skipped.list();
    this.captionsByKey = new Map((await this.store!.captions.all()).map((c) => [c.key, c]));
  }

  private encoderKeys(): { clip: string; dino: string } | null {
    const clip = this.clipEncoder.loaded?.revisionKey ?? revisionKeyOf(this.session.clipEncoderId);
    const dino = this.dinoEncoder.loaded?.revisionKey ?? revisionKeyOf(this.session.dinoEncoderId);
    return clip && dino ? { clip, dino } : null;
  }

  private candidatesKey(): string | null {
    const keys = this.encoderKeys();
    return keys ? candidateKey(`${this.session.clipEncoderId}@${keys.clip}`, `${this.session.dinoEncoderId}@${keys.dino}`, this.session.floor) : null;
  }

  /** Starts both encoder workers (download with progress); failures become the banner sentence. */
  async loadEncoders(): Promise<boolean> {
    const options = { backend: this.session.backendPreference, batchSize: EMBED_BATCH };
    const results = await Promise.allSettled([
      this.clipEncoder.load(this.session.clipEncoderId, options),
      this.dinoEncoder.load(this.session.dinoEncoderId, options),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      this.banner = this.encoderProblem = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
      return false;
    }
    // A problem that the new encoders solved no longer needs saying.
    if (this.banner && this.banner === this.encoderProblem) this.banner = '';
    return true;
  }

  /**
   * Adds the built-in synthetic sample set (generated here, labelled synthetic) with its
   * captions and categories, through the same ingest path as the user's files.
   */
  async loadSampleSet(): Promise<void> {
    if (!this.store) return;
    const images = generateSampleSet();
    await this.store.captions.putMany(images.map((i) => ({ key: i.name, caption: i.caption, categories: [i.category] })));
    const files = images.map((i) => new File([sampleImagePng(i) as Uint8Array<ArrayBuffer>], i.name, { type: 'image/png' }));
    await this.addFiles(files, { keepOriginals: true });
  }

  /** Ingests files, stores items, embeds new ones with both encoders, then mines. */
  async addFiles(files: File[], options: { keepOriginals?: boolean; onIngested?: (file: File, sha256: string) => void } = {}): Promise<void> {
    if (!this.store || files.length === 0) return;
    this.cancelled = false;
    const store = this.store;
    const encodersReady = this.loadEncoders();
    const pixels = new Map<string, RgbImage>();
    const keepOriginals = options.keepOriginals ?? this.session.keepOriginals;
    let embedded = 0;
    const total = files.length;
    this.progress = { label: 'Reading and embedding images', done: 0, total, unit: 'images' };
    const drain = async () => {
      if (!(await encodersReady)) return;
      embedded += await embedPending(store, [this.clipEncoder, this.dinoEncoder], pixels, EMBED_BATCH, () => this.cancelled);
      pixels.clear();
      if (this.progress) this.progress = { ...this.progress, done: Math.min(total, embedded) };
    };
    this.ingestRun = runIngest(
      files,
      {
        onResult: async (result, index) => {
          if (!result.ok) {
            await store.skipped.add([{ file: result.error.file, code: result.error.code, reason: result.error.reason }]);
            embedded++;
            return;
          }
          const { rgb, item } = result;
          const original = keepOriginals ? files[index] : undefined;
          const { thumbnailWidth: _w, thumbnailHeight: _h, ...record } = item;
          await store.items.put({ ...record, ...(original ? { original } : {}) });
          options.onIngested?.(files[index], item.sha256);
          let queued = false;
          for (const encoder of [this.clipEncoder, this.dinoEncoder]) {
            const id = encoder.role === 'clip' ? this.session.clipEncoderId : this.session.dinoEncoderId;
            const rev = revisionKeyOf(id);
            if (!rev) continue;
            const report = await store.jobs.enqueue([item.sha256], id, rev);
            queued ||= report.added + report.requeued + report.alreadyQueued > 0;
          }
          if (queued && rgb) pixels.set(item.sha256, rgb);
          else embedded++;
          if (pixels.size >= EMBED_BATCH) await drain();
        },
      },
      { keepRgb: true, frameIndexes: frameIndexesOf(this.items) },
    );
    try {
      await this.ingestRun.finished;
      await drain();
    } catch (error) {
      this.banner = error instanceof Error ? error.message : String(error);
    } finally {
      this.ingestRun = null;
      this.progress = null;
      await this.reloadItems();
      await this.refreshRedrop();
    }
    if (!this.cancelled) await this.mine();
  }

  /** Shows and embeds another frame of a multi-frame DICOM item, then re-mines (see frame-choice.ts). */
  async chooseFrame(sha256: string, frameIndex: number): Promise<void> {
    this.cancelled = false;
    // Same hash, new vectors: the held pairs are stale, so the next mine rebuilds.
    this.minedKey = null;
    await chooseFrame(this, sha256, frameIndex, () => this.cancelled);
    await this.reloadItems();
    await this.mine();
  }

  cancel(): void {
    this.cancelled = true;
    this.ingestRun?.cancel();
    this.clipEncoder.cancel();
    this.dinoEncoder.cancel();
  }

  private async refreshRedrop(): Promise<void> {
    const sources = await this.store!.jobs.pixelSources();
    this.needRedrop = sources.needRedrop;
  }

  private minerRemote(): Comlink.Remote<MinerHost> {
    this.miner ??= Comlink.wrap<MinerHost>(new Worker(new URL('../../workers/miner.worker.ts', import.meta.url), { type: 'module' }));
    return this.miner;
  }

  /**
   * Mines the rows embedded by both encoders in the worker. When the worker still holds the pairs
   * of a build for the same encoders and floor and rows were only added, it screens just the new
   * rows against all (the M x N block); anything else rebuilds all pairs.
   */
  async mine(): Promise<void> {
    const store = this.store!;
    const clipId = this.session.clipEncoderId;
    const dinoId = this.session.dinoEncoderId;
    const clipRev = revisionKeyOf(clipId);
    const dinoRev = revisionKeyOf(dinoId);
    const key = this.candidatesKey();
    if (!clipRev || !dinoRev || !key) return;
    const both = new Set(await store.embeddings.hashes(dinoId, dinoRev));
    const embedded = (await store.embeddings.hashes(clipId, clipRev)).filter((h) => both.has(h));
    if (embedded.length < 2) return;
    const held = this.minedKey === key ? new Set(this.rows) : null;
    const added = held ? embedded.filter((h) => !held.has(h)) : embedded;
    const incremental = held !== null && held.size >= 2 && held.size + added.length === embedded.length;
    if (incremental && added.length === 0) return;
    const rows = incremental ? [...this.rows, ...added] : embedded;
    this.minedKey = null;
    this.progress = { label: incremental ? `Mining ${added.length.toLocaleString()} new images against all` : 'Mining confusing pairs', done: 0, total: 1, unit: 'blocks' };
    try {
      const m = await this.loadSpaces(rows);
      const miner = this.minerRemote();
      const onProgress = Comlink.proxy((done: number, total: number) => {
        if (this.progress) this.progress = { ...this.progress, done, total };
      });
      const summary = incremental
        ? await miner.addRows(...newRowsOf(m, this.rows.length), onProgress)
        : await miner.build({ rows: rows.length, dim: m.clipDim, data: m.clip }, { rows: rows.length, dim: m.dinoDim, data: m.dino }, { floor: this.session.floor }, onProgress);
      const c = await miner.exportCandidates();
      await store.candidates.put(key, { rows, contentVersion: contentVersion(rows), floor: c.floor, a: c.a, b: c.b, clip: c.clip, dino: c.dino });
      this.setMatrices(m);
      this.candidateClip = c.clip;
      this.candidateDino = c.dino;
      this.rows = rows;
      this.minedKey = key;
      this.lastBuild = { ...summary, addedRows: incremental ? added.length : 0 };
      await this.afterCandidates();
    } finally {
      this.progress = null;
    }
  }

  /** Brings back the stored candidate set for the current encoders without recomputing. */
  private async restoreCandidates(): Promise<void> {
    const key = this.candidatesKey();
    if (!key) return;
    const record = await this.store!.candidates.get(key);
    if (!record || !record.rows.every((h) => this.itemsByHash.has(h))) return;
    const miner = this.minerRemote();
    await miner.importCandidates({ version: 1, rows: record.rows.length, floor: record.floor, a: record.a, b: record.b, clip: record.clip, dino: record.dino });
    this.rows = record.rows;
    this.minedKey = null;
    this.candidateClip = record.clip;
    this.candidateDino = record.dino;
    await this.afterCandidates();
    void this.loadMatricesForViews();
  }

  private async loadMatricesForViews(): Promise<void> {
    if (this.rows.length === 0) return;
    this.setMatrices(await this.loadSpaces(this.rows));
  }

  /** Both encoders' unit embeddings for `rows`, in that row order. */
  private async loadSpaces(rows: string[]): Promise<SpaceMatrices> {
    const load = (id: string) => this.store!.embeddings.loadMatrix(id, revisionKeyOf(id) ?? '', { rows });
    const [clip, dino] = [await load(this.session.clipEncoderId), await load(this.session.dinoEncoderId)];
    return { rows, clip: clip.matrix, clipDim: clip.dim, dino: dino.matrix, dinoDim: dino.dim };
  }

  private setMatrices(matrices: SpaceMatrices): void {
    this.matrices = matrices;
    void this.project();
  }

  /** PCA (instant) or UMAP (in the projection worker) of both spaces. */
  async project(): Promise<void> {
    const m = this.matrices;
    if (!m || m.rows.length < 2) return;
    this.projector ??= Comlink.wrap<ProjectionApi>(new Worker(new URL('../../workers/projection.worker.ts', import.meta.url), { type: 'module' }));
    const n = m.rows.length;
    if (this.session.projection === 'umap' && n >= 5) {
      this.progress = { label: 'UMAP projection', done: 0, total: 2, unit: 'spaces' };
      try {
        this.clipPositions = await this.projector.umap('clip', m.clip.slice(), n, m.clipDim, {});
        this.progress = { ...this.progress, done: 1 };
        this.dinoPositions = await this.projector.umap('dino', m.dino.slice(), n, m.dinoDim, {});
      } finally {
        this.progress = null;
      }
      return;
    }
    const [clip, dino] = await Promise.all([this.projector.pca(m.clip.slice(), n, m.clipDim), this.projector.pca(m.dino.slice(), n, m.dinoDim)]);
    this.clipPositions = clip.positions;
    this.dinoPositions = dino.positions;
  }

  private async afterCandidates(): Promise<void> {
    await this.applyCategories();
    const size = 50;
    this.grid = await this.minerRemote().sensitivityGrid({ size, clipRange: [this.session.floor, 1], dinoRange: [0, 1] });
    this.requestFilter();
  }

  private async applyCategories(): Promise<void> {
    const captions = await this.store!.captions.all();
    const byKey = new Map(captions.map((c) => [c.key, c]));
    const names = new Map<string, number>();
    const categories = new Int32Array(this.rows.length).fill(-1);
    this.rows.forEach((sha, i) => {
      const item = this.itemsByHash.get(sha);
      const entry = byKey.get(sha) ?? (item ? (byKey.get(item.relativePath) ?? byKey.get(item.name)) : undefined);
      const category = entry?.categories?.[0];
      if (category) {
        if (!names.has(category)) names.set(category, names.size);
        categories[i] = names.get(category)!;
      }
    });
    await this.minerRemote().setCategories(names.size ? categories : undefined);
  }

  /** Re-filters with the current thresholds; coalesces bursts (slider drags) to the latest value. */
  requestFilter(): void {
    if (this.rows.length === 0 || !this.miner) return;
    if (this.filterRunning) {
      this.filterDirty = true;
      return;
    }
    this.filterRunning = true;
    const seq = ++this.filterSeq;
    const s = this.session;
    void this.miner
      .filter({
        clipMin: s.clipMin,
        dinoMax: s.dinoMax,
        maxPerImage: s.maxPerImage,
        excludeNearDuplicates: s.excludeNearDuplicates,
        duplicateThreshold: s.duplicateThreshold,
        sameCategoryOnly: s.sameCategoryOnly,
      })
      .then((result) => {
        if (seq === this.filterSeq) this.result = result;
      })
      .catch((error: unknown) => (this.banner = error instanceof Error ? error.message : String(error)))
      .finally(() => {
        this.filterRunning = false;
        if (this.filterDirty) {
          this.filterDirty = false;
          this.requestFilter();
        }
      });
  }

  /**
   * What each encoder receives for one image (de-normalised back to pixels). The kept original
   * goes through the same ingest path as at embedding time (same decoder, same RGB conversion),
   * so the preview is exactly the encoder's input; without a kept original, a reason instead.
   */
  async encoderInputs(sha256: string): Promise<{ clip: ImageData | null; dino: ImageData | null; reason: string }> {
    const item = this.itemsByHash.get(sha256);
    if (!item?.original) {
      return { clip: null, dino: null, reason: 'The original pixels of this image are not kept in this browser; turn on "Keep images in this browser" and add it again to see what the encoders receive.' };
    }
    if (!this.clipEncoder.loaded || !this.dinoEncoder.loaded) await this.loadEncoders();
    const kept = await readKeptOriginal(item);
    if (typeof kept === 'string') return { clip: null, dino: null, reason: kept };
    const [clip, dino] = await Promise.all([this.clipEncoder.preview(kept.rgb), this.dinoEncoder.preview(kept.rgb)]);
    const toImageData = (p: typeof clip) => (p ? new ImageData(new Uint8ClampedArray(p.rgba), p.width, p.height) : null);
    return { clip: toImageData(clip), dino: toImageData(dino), reason: clip && dino ? '' : 'The encoders are not loaded; see the Encoders panel.' };
  }

  /** Caption and categories of an item, looked up by hash, relative path, then file name. */
  caption(sha256: string): { caption: string; categories: string[] } {
    const item = this.itemsByHash.get(sha256);
    const entry = this.captionsByKey.get(sha256) ?? (item ? (this.captionsByKey.get(item.relativePath) ?? this.captionsByKey.get(item.name)) : undefined);
    return { caption: entry?.caption ?? '', categories: entry?.categories ?? [] };
  }

  /** Stores imported captions (keyed by the names in the file) and re-applies categories. */
  async importCaptions(entries: readonly { name: string; caption: string; categories: readonly string[] }[]): Promise<void> {
    await this.store!.captions.putMany(entries.map((e) => ({ key: e.name, caption: e.caption, categories: [...e.categories] })));
    this.captionsByKey = new Map((await this.store!.captions.all()).map((c) => [c.key, c]));
    if (this.rows.length) await this.afterCandidates();
  }

  decision(a: string, b: string): Promise<DecisionRecord | undefined> {
    return this.store!.decisions.get(a, b);
  }

  async updateDecision(a: string, b: string, patch: Partial<DecisionRecord>): Promise<DecisionRecord> {
    const record = await this.store!.decisions.update(a, b, patch);
    this.decisionsVersion++;
    return record;
  }

  /** Cosine similarity of two items in each space, from the loaded unit matrices. */
  similarity(a: string, b: string): { clip: number; dino: number } {
    const m = this.matrices;
    const i = m ? m.rows.indexOf(a) : -1;
    const j = m ? m.rows.indexOf(b) : -1;
    if (!m || i < 0 || j < 0) return { clip: Number.NaN, dino: Number.NaN };
    return {
      clip: unitCosine(m.clip, m.clip, i * m.clipDim, j * m.clipDim, m.clipDim),
      dino: unitCosine(m.dino, m.dino, i * m.dinoDim, j * m.dinoDim, m.dinoDim),
    };
  }

  /** Every reviewed pair (any triage) as the exporter takes it; the exporter keeps accepted ones. */
  async reviewedPairs(): Promise<ReviewedPair[]> {
    const decisions = await this.store!.decisions.all();
    const out: ReviewedPair[] = [];
    for (const d of decisions) {
      const [ia, ib] = [this.itemsByHash.get(d.hashA), this.itemsByHash.get(d.hashB)];
      if (!ia || !ib || !d.triage) continue;
      const image = (item: ItemRecord) => ({ sha256: item.sha256, originalName: item.name, ...this.caption(item.sha256) });
      out.push(toReviewedPair(d, [image(ia), image(ib)], this.similarity(d.hashA, d.hashB)));
    }
    return out;
  }

  /** The session file: thresholds, encoder ids and revisions, every triaged decision. */
  async sessionFile(): Promise<SessionInput> {
    const s = this.session;
    const asOption = (v: string): 'A' | 'B' | undefined => (v === 'A' || v === 'B' ? v : undefined);
    const decisions = (await this.store!.decisions.all()).filter((d) => d.triage);
    return {
      format: 'mediconfusion-explorer-session',
      version: 1,
      createdAt: new Date().toISOString(),
      thresholds: { clip: s.clipMin, dino: s.dinoMax, floor: s.floor, perImageCap: s.maxPerImage > 0 ? s.maxPerImage : null },
      encoders: [
        { role: 'clip', id: s.clipEncoderId, revision: revisionKeyOf(s.clipEncoderId) ?? '', files: [] },
        { role: 'dino', id: s.dinoEncoderId, revision: revisionKeyOf(s.dinoEncoderId) ?? '', files: [] },
      ],
      decisions: decisions.map((d) => {
        const [im1, im2] = [asOption(d.im1Correct), asOption(d.im2Correct)];
        return {
          a: d.hashA,
          b: d.hashB,
          status: d.triage!,
          notes: d.notes,
          tags: d.tags,
          ...(d.question && im1 && im2
            ? { question: { question: d.question, optionA: d.optionA, optionB: d.optionB, image1Correct: im1, image2Correct: im2, aiQuestion: d.aiQuestion, aiOptionA: d.aiOptionA, aiOptionB: d.aiOptionB } }
            : {}),
          updatedAt: new Date(d.updatedAt).toISOString(),
        };
      }),
    };
  }

  /** JPEG bytes of an image for the benchmark zip: from the kept original, else the thumbnail. */
  async jpegOf(sha256: string): Promise<Uint8Array> {
    const item = this.itemsByHash.get(sha256);
    if (!item) throw new Error('This image is no longer stored; add it again.');
    const source = item.original && /^(png|jpeg|gif|bmp|webp)$/.test(item.format) ? item.original : item.thumbnail;
    const bitmap = await createImageBitmap(source);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    return new Uint8Array(await blob.arrayBuffer());
  }

  /** Deletes every item, embedding, decision and cached model; returns what was removed. */
  async forgetEverything() {
    const report = await this.store!.forgetEverything();
    this.thumbnails.clear();
    this.itemsByHash.clear();
    this.items = [];
    this.skipped = [];
    this.rows = [];
    this.minedKey = null;
    this.matrices = null;
    this.result = null;
    this.grid = null;
    this.candidateClip = new Float32Array(0);
    this.candidateDino = new Float32Array(0);
    this.clipPositions = new Float32Array(0);
    this.dinoPositions = new Float32Array(0);
    this.needRedrop = [];
    this.imported.forget();
    return report;
  }
}

/** The revision part of the embedding key for a registry id (null for unknown ids). */
/** Rows `from`.. of both spaces, as the miner's addRows takes them. */
function newRowsOf(m: SpaceMatrices, from: number): [EmbeddingMatrix, EmbeddingMatrix] {
  const rows = m.rows.length - from;
  return [
    { rows, dim: m.clipDim, data: m.clip.slice(from * m.clipDim) },
    { rows, dim: m.dinoDim, data: m.dino.slice(from * m.dinoDim) },
  ];
}

export function revisionKeyOf(encoderId: string): string | null {
  const entry = findEncoder(encoderId);
  return entry ? encoderRevisionKey(entry) : null;
}
